package io.gozargah.engine.cli;

import io.gozargah.engine.config.ConfigLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code gozargah}: the command line. {@link #main} only maps {@link #execute} to the process exit code, so
 * tests run every command in-process.
 * <p>
 * Exit codes: {@value #EXIT_OK} done (a drained gateway included), {@value #EXIT_USAGE} usage error or bad
 * config, {@value #EXIT_FAILURE} runtime failure (port in use, drain failed, second signal).
 */
@Command(name = "gozargah", description = "Inquiry gateway of the government service bus.",
        synopsisSubcommandLabel = "COMMAND", usageHelpAutoWidth = true)
public final class Main implements Callable<Integer> {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    @Spec
    private CommandSpec spec;

    @CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs {@code args} against the real config loader with UTF-8 stdout and stderr. */
    public static int execute(String... args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out),
                StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err),
                StandardCharsets.UTF_8), true);
        return commandLine(new GatewayProcess(ConfigLoader::load, System::exit), out, err).execute(args);
    }

    /** The command tree around {@code process}, printing to {@code out} and {@code err}. */
    static CommandLine commandLine(GatewayProcess process, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new Main())
                .addSubcommand(new RunCommand(process, System.getenv()))
                .addSubcommand(new DemoCommand(process, System.getenv()))
                .addSubcommand(new ReloadCommand(System.getenv()))
                .addSubcommand(new CheckCommand(process))
                .addSubcommand(new StatCommand(process))
                .addSubcommand(new KeygenCommand())
                .addSubcommand(journalCommand(System.getenv()))
                .addSubcommand(new CommandLine.HelpCommand());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            if (e instanceof CliFailure failure) {
                cmd.getErr().println("gozargah: " + failure.getMessage());
                return failure.exitCode();
            }
            cmd.getErr().println("gozargah: unexpected failure");
            e.printStackTrace(cmd.getErr());
            return EXIT_FAILURE;
        });
        return commandLine;
    }

    /** {@code journal} and its commands, which find the demo config through {@code environment}. */
    static CommandLine journalCommand(Map<String, String> environment) {
        return new CommandLine(new JournalCommand())
                .addSubcommand(new JournalTailCommand(environment))
                .addSubcommand(new JournalReportCommand(environment))
                .addSubcommand(new JournalVerifyCommand(environment))
                .addSubcommand(new JournalExportCommand(environment))
                .addSubcommand(new JournalRepairCommand(environment))
                .addSubcommand(new JournalSubjectCommand(environment))
                .addSubcommand(new JournalCheckpointsCommand(environment));
    }

    /** Without a command: the usage, and exit code 2. */
    @Override
    public Integer call() {
        spec.commandLine().getErr().println("gozargah: a command is required");
        spec.commandLine().usage(spec.commandLine().getErr());
        return EXIT_USAGE;
    }
}
