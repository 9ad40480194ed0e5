package io.gozargah.engine.cli;

import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.server.Gateway;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code gozargah run --config FILE [--pid-file FILE]}: the daemon. */
@Command(name = "run", description = {
        "Run the gateway until SIGTERM or SIGINT, then drain in-flight requests for server.shutdownGrace and "
                + "exit 0. A second signal during the drain exits 1 at once."},
        usageHelpAutoWidth = true)
final class RunCommand implements Callable<Integer> {
    private final GatewayProcess process;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Configuration (YAML).")
    private Path config;

    @Option(names = "--pid-file", paramLabel = "FILE",
            description = "Write the process id here once listening; removed on exit. Default: none.")
    private Path pidFile;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    RunCommand(GatewayProcess process) {
        this.process = process;
    }

    @Override
    public Integer call() throws CliFailure, InterruptedException {
        GatewayConfig loaded = process.load(config);
        Gateway gateway = GatewayProcess.start(loaded);
        PidFile pid = null;
        try {
            if (pidFile != null) {
                pid = PidFile.write(pidFile);
            }
            return process.serveUntilSignalled(gateway, loaded.server().shutdownGrace());
        } catch (CliFailure | RuntimeException e) {
            gateway.close();
            throw e;
        } finally {
            if (pid != null) {
                pid.close();
            }
        }
    }
}
