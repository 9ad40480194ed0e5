package io.gozargah.engine.cli;

import io.gozargah.engine.journal.CheckpointKeys;
import io.gozargah.engine.journal.JournalException;
import io.gozargah.engine.journal.JournalReader;
import io.gozargah.engine.journal.JournalVerifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code gozargah journal verify}: recomputes the hash chain from the first record and checks the dictionary
 * ({@link JournalVerifier}). Exit 0 when the journal is intact, 1 with the first problem (where, which
 * transaction, what) when it is not, or when a record cannot be decoded at all. A journal that ends in a torn
 * excerpt (a write cut short) is said to have a damaged tail, in one line, naming the repair.
 *
 * <p>With {@code --public-key FILE} every signed checkpoint must also be signed by that key, none may be missing,
 * and the journal must hold at least one; the last verified checkpoint (what the key vouches for) is reported, with
 * the records written after it, which no signature covers yet.
 */
@Command(name = "verify", description = {"Recompute the journal's hash chain from its first record and check that "
        + "every dictionary id is defined before use. Exit 0 if intact; 1 with the first broken record otherwise."},
        usageHelpAutoWidth = true)
final class JournalVerifyCommand implements Callable<Integer> {
    private final Map<String, String> environment;

    @Spec
    private CommandSpec spec;

    @Mixin
    private JournalLocation location;

    @Option(names = "--after-retention",
            description = "Take the first record's chain hash on trust: for a journal whose oldest cycle files "
                    + "retention removed (the hash they chained from left with them).")
    private boolean afterRetention;

    @Option(names = "--public-key", paramLabel = "FILE",
            description = "Check every checkpoint's Ed25519 signature with this public key (PEM), and report the last "
                    + "verified checkpoint.")
    private Path publicKey;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    JournalVerifyCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws CliFailure {
        PrintWriter out = spec.commandLine().getOut();
        PublicKey key = publicKey();
        try (JournalReader reader = location.open(environment)) {
            JournalVerifier verifier = new JournalVerifier(reader.names(), afterRetention, key);
            String unreadable = null;
            try {
                reader.readAvailable(verifier);
            } catch (JournalException e) {
                unreadable = e.getMessage();
            }
            String where = "journal " + reader.dir();
            long damagedTail = verifier.failed() || unreadable != null ? reader.damagedTailIndex() : -1;
            if (damagedTail >= 0 && (!verifier.failed() || verifier.problem().position().index() == damagedTail)) {
                // One line: the first problem is in the torn excerpt the journal ends in.
                out.println(where + ": BROKEN: " + (verifier.failed()
                        ? JournalReader.DAMAGED_TAIL + verifier.problem() : unreadable));
                out.flush();
                return Main.EXIT_FAILURE;
            }
            if (verifier.failed() || unreadable != null) {
                out.println(where + ": BROKEN at " + (verifier.failed() ? verifier.problem() : unreadable));
                if (verifier.lastVerified() != null) {
                    out.println("last verified checkpoint before it: " + verifier.lastVerified().sequence() + " ("
                            + verifier.lastVerified().recordCount() + " records)");
                }
                if (unreadable != null && verifier.failed()) {
                    out.println("reading stopped at " + unreadable);
                }
                if (verifier.problems() > 1) {
                    out.println(verifier.problems() + " problems in all (" + verifier.records()
                            + " chained records read)");
                }
                out.flush();
                return Main.EXIT_FAILURE;
            }
            out.println(where + ": intact: " + verifier.transactions() + " transaction records "
                    + (verifier.summaries() == 0 ? "" : "and " + verifier.summaries() + " refusal summaries (counting "
                            + verifier.summarized() + " answers without a record of their own) ")
                    + "chained "
                    + (afterRetention ? "from the first remaining record's hash" : "from the journal's start")
                    + ", " + verifier.dictionaryEntries() + " dictionary entries consistent; chain head "
                    + verifier.chainHead());
            if (key != null && verifier.checkpoints() == 0) {
                out.println(where + ": NOT SIGNED: no checkpoint to check with " + publicKey + " (journal."
                        + "signingKeyFile was not set while it was written)");
                out.flush();
                return Main.EXIT_FAILURE;
            }
            JournalVerifier.Checkpoint last = verifier.lastVerified();
            if (last != null) {
                out.println("last verified checkpoint " + last.sequence() + " ("
                        + Instant.ofEpochSecond(0, last.epochNanos()) + ", " + last.recordCount() + " records, head "
                        + last.chainHead() + (last.signed() ? ", signature checked with " + publicKey : ", signature not"
                        + " checked: give --public-key") + "); " + verifier.recordsAfterLastCheckpoint()
                        + " records after it, not yet covered by a checkpoint");
            }
            if (reader.skipped() > 0) {
                out.println("note: " + reader.skipped() + " excerpts of record types this version does not know "
                        + "were skipped (not covered by the chain)");
            }
            out.flush();
            return Main.EXIT_OK;
        }
    }

    private PublicKey publicKey() throws CliFailure {
        if (publicKey == null) {
            return null;
        }
        try {
            return CheckpointKeys.readPublic(publicKey);
        } catch (IOException e) {
            throw CliFailure.usage("--public-key: cannot read " + publicKey + ": " + e);
        } catch (IllegalArgumentException e) {
            throw CliFailure.usage("--public-key: " + publicKey + ": " + e.getMessage());
        }
    }
}
