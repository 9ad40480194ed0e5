package io.gozargah.engine.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code gozargah journal COMMAND}: the transaction journal's read side, on a live or a stopped journal, with the
 * queue opened read-only; and {@code repair}, the one command that writes, on a stopped journal only.
 */
@Command(name = "journal", description = "Read the transaction journal, live or stopped: tail, report, verify, export;"
        + " repair a stopped one's damaged tail.",
        synopsisSubcommandLabel = "COMMAND", usageHelpAutoWidth = true)
final class JournalCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    /** Without a command: the usage, and exit code 2. */
    @Override
    public Integer call() {
        spec.commandLine().getErr().println("gozargah journal: a command is required (tail, report, verify, export, repair, subject or checkpoints)");
        spec.commandLine().usage(spec.commandLine().getErr());
        return Main.EXIT_USAGE;
    }
}
