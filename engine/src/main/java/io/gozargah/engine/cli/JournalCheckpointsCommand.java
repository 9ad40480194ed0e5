package io.gozargah.engine.cli;

import io.gozargah.codec.journal.CheckpointFlyweight;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import io.gozargah.engine.journal.JournalException;
import io.gozargah.engine.journal.JournalPosition;
import io.gozargah.engine.journal.JournalReader;
import io.gozargah.engine.journal.JournalVisitor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code gozargah journal checkpoints}: every signed checkpoint in the journal, one a line: its number, time,
 * record count, chain head, signing key id and where it is. An operator publishes these heads elsewhere (a
 * newspaper, another organisation's archive): an outside anchor that a journal rewritten with the signing key
 * itself would no longer match. The signatures are checked by {@code journal verify --public-key}.
 */
@Command(name = "checkpoints", description = {"List the journal's signed checkpoints: number, time, records, chain "
        + "head, key id. Check them with journal verify --public-key FILE."}, usageHelpAutoWidth = true)
final class JournalCheckpointsCommand implements Callable<Integer> {
    private static final HexFormat HEX = HexFormat.of();

    private final Map<String, String> environment;

    @Spec
    private CommandSpec spec;

    @Mixin
    private JournalLocation location;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    JournalCheckpointsCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws CliFailure {
        PrintWriter out = spec.commandLine().getOut();
        byte[] head = new byte[CheckpointFlyweight.CHAIN_HEAD_LENGTH];
        byte[] keyId = new byte[CheckpointFlyweight.KEY_ID_LENGTH];
        long[] count = {0};
        try (JournalReader reader = location.open(environment)) {
            reader.readAvailable(new JournalVisitor() {
                @Override
                public void transaction(JournalPosition position, TransactionRecordFlyweight record) {
                }

                @Override
                public void checkpoint(JournalPosition position, CheckpointFlyweight c) {
                    count[0]++;
                    c.getChainHead(head, 0);
                    c.getKeyId(keyId, 0);
                    out.println("checkpoint " + c.sequence() + "  " + Instant.ofEpochSecond(0, c.epochNanos())
                            + "  records " + c.recordCount() + "  head " + HEX.formatHex(head) + "  key "
                            + HEX.formatHex(keyId) + "  at " + position);
                }
            });
            out.println(count[0] + " checkpoint" + (count[0] == 1 ? "" : "s"));
            out.flush();
            return Main.EXIT_OK;
        } catch (JournalException e) {
            throw CliFailure.runtime(e.getMessage(), e);
        }
    }
}
