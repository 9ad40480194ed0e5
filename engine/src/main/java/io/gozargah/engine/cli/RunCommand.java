package io.gozargah.engine.cli;

import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.server.Gateway;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code gozargah run --config FILE [--pid-file FILE]}: the daemon. */
@Command(name = "run", description = {
        "Run the gateway until SIGTERM or SIGINT, then drain in-flight requests for server.shutdownGrace and "
                + "exit 0. A second signal during the drain exits 1 at once. SIGHUP (or `gozargah reload`) reloads "
                + "the config file without closing connections."},
        usageHelpAutoWidth = true)
final class RunCommand implements Callable<Integer> {
    private final GatewayProcess process;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Configuration (YAML).")
    private Path config;

    @Option(names = "--pid-file", paramLabel = "FILE",
            description = "Write the process id here once listening (what `reload` signals); removed on exit. Default:"
                    + " data/gozargah.pid under $GOZARGAH_HOME, or under the working directory when it is not set.")
    private Path pidFile;

    @Option(names = "--no-pid-file", description = "Write no pid file (`reload` then needs the pid another way).")
    private boolean noPidFile;

    private final Map<String, String> environment;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    RunCommand(GatewayProcess process, Map<String, String> environment) {
        this.process = process;
        this.environment = environment;
    }

    @Override
    public Integer call() throws CliFailure, InterruptedException {
        GatewayConfig loaded = process.load(config);
        Path pid = noPidFile ? null : pidFile != null ? pidFile : PidFile.defaultPathCreated(environment);
        Gateway gateway = GatewayProcess.start(loaded);
        return process.serve(gateway, loaded, config, pid);
    }
}
