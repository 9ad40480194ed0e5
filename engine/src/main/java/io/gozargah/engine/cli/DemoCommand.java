package io.gozargah.engine.cli;

import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.demo.DemoProviders;
import io.gozargah.engine.server.Gateway;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import io.gozargah.engine.config.ListenerConfig;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.util.List;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code gozargah demo [--config FILE]}: the demo agencies and a gateway in front of them, in one process. */
@Command(name = "demo", description = {
        "Start three stand-in agencies (nocr, post, sms on 127.0.0.1:9201-9203) and the gateway in front of them, "
                + "and print keys and curl lines to try. Stops like run."},
        usageHelpAutoWidth = true)
final class DemoCommand implements Callable<Integer> {
    static final String HOME_VARIABLE = "GOZARGAH_HOME";
    static final Path DEMO_CONFIG = Path.of("config", "demo.yaml");

    private final GatewayProcess process;
    private final Map<String, String> environment;

    @Spec
    private CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Demo configuration. Default: config/demo.yaml under $GOZARGAH_HOME, or under the "
                    + "working directory when it is not set.")
    private Path config;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    DemoCommand(GatewayProcess process, Map<String, String> environment) {
        this.process = process;
        this.environment = environment;
    }

    @Override
    public Integer call() throws CliFailure, InterruptedException {
        GatewayConfig loaded = process.load(config != null ? config : defaultConfig(environment));
        Path certs = DemoTls.certsDir(environment);
        InetSocketAddress https = null;
        if (DemoTls.ensureCertificates(certs, environment, spec.commandLine().getErr())) {
            try {
                loaded = DemoTls.withHttps(loaded, certs);
            } catch (IOException | GeneralSecurityException e) {
                throw CliFailure.runtime("demo certificates in " + certs + " are unusable (" + e.getMessage()
                        + "); remove the directory to make new ones", e);
            }
        }
        Path pidFile = PidFile.defaultPathCreated(environment);
        try (DemoProviders providers = startProviders()) {
            Gateway gateway = GatewayProcess.start(loaded);
            List<ListenerConfig> listeners = loaded.server().listeners();
            if (listeners.get(listeners.size() - 1).tls() != null) {
                https = gateway.boundAddresses().get(listeners.size() - 1);
            }
            spec.commandLine().getOut().print(DemoBanner.render(gateway.boundAddresses().get(0), loaded,
                    providers.addresses(), https, certs));
            spec.commandLine().getOut().flush();
            return process.serve(gateway, loaded, loaded.source(), pidFile);
        }
    }

    /** {@code $GOZARGAH_HOME/config/demo.yaml}, or {@code config/demo.yaml} relative to the working directory. */
    static Path defaultConfig(Map<String, String> environment) {
        String home = environment.get(HOME_VARIABLE);
        return home == null || home.isBlank() ? DEMO_CONFIG : Path.of(home).resolve(DEMO_CONFIG);
    }

    private static DemoProviders startProviders() throws CliFailure {
        try {
            return DemoProviders.startOnDemoPorts();
        } catch (IOException e) {
            throw CliFailure.runtime(e.getMessage(), e);
        }
    }
}
