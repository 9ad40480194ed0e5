package io.gozargah.engine.cli;

import io.gozargah.engine.journal.JournalException;
import io.gozargah.engine.journal.JournalRepair;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code gozargah journal repair [--dry-run]}: on a stopped journal, voids the damaged excerpts at the end of its
 * queue (what a write cut short leaves) as the gateway does at start ({@link JournalRepair}): their bytes stay in
 * place and are copied to {@code DIR/damaged/}. The one journal command that writes; it takes the journal's lock,
 * so it refuses a journal a gateway has open. Exit 0 when the tail is whole or was repaired; with
 * {@code --dry-run}, 1 when there is something to repair.
 */
@Command(name = "repair", description = {"On a stopped journal, cut off a damaged tail (excerpts a write cut short "
        + "left, e.g. on a full disk): they are voided in place and copied to DIR/damaged/. The gateway does the same "
        + "at start. Exit 0 when whole or repaired; with --dry-run, 1 when something would be repaired."},
        usageHelpAutoWidth = true)
final class JournalRepairCommand implements Callable<Integer> {
    private final Map<String, String> environment;

    @Spec
    private CommandSpec spec;

    @Mixin
    private JournalLocation location;

    @Option(names = "--dry-run", description = "Say what would be repaired; change nothing.")
    private boolean dryRun;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    JournalRepairCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws CliFailure {
        Path dir = location.directory(environment);
        PrintWriter out = spec.commandLine().getOut();
        List<JournalRepair.Voided> voided;
        try {
            voided = JournalRepair.repairStopped(dir, dryRun, line -> out.println("journal " + dir + ": " + line));
        } catch (JournalException | UncheckedIOException e) {
            throw CliFailure.runtime(e.getMessage(), e);
        }
        if (voided.isEmpty()) {
            out.println("journal " + dir + ": its tail is whole; nothing to repair");
        } else if (!dryRun) {
            out.println("journal " + dir + ": repaired; the records of the voided excerpts are still in the ring, and"
                    + " the gateway writes them at its next start");
        }
        out.flush();
        return dryRun && !voided.isEmpty() ? Main.EXIT_FAILURE : Main.EXIT_OK;
    }
}
