package io.gozargah.engine.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code gozargah check --config FILE}: loads a configuration as {@code run} and a reload would (every field,
 * name, reference and TLS file checked) and starts nothing, as {@code nginx -t} does; the systemd unit runs it
 * before asking the gateway to reload.
 */
@Command(name = "check", usageHelpAutoWidth = true, description = {
        "Check a configuration file without starting anything: exit 0 when the gateway would load it, 2 with"
                + " FILE:LINE: field.path: reason when it would not. Listeners are not bound and the counters file"
                + " and journal are not opened."})
final class CheckCommand implements Callable<Integer> {
    private final GatewayProcess process;

    @Spec
    private CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Configuration (YAML).")
    private Path config;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    CheckCommand(GatewayProcess process) {
        this.process = process;
    }

    @Override
    public Integer call() throws CliFailure {
        process.load(config);
        spec.commandLine().getOut().println(config + ": ok");
        spec.commandLine().getOut().flush();
        return Main.EXIT_OK;
    }
}
