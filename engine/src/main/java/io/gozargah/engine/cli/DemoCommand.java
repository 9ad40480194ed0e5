package io.gozargah.engine.cli;

import io.gozargah.engine.config.EndpointConfig;
import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.config.ProviderConfig;
import io.gozargah.engine.demo.DemoKeys;
import io.gozargah.engine.demo.DemoProviders;
import io.gozargah.engine.server.Gateway;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code gozargah demo [--config FILE]}: the demo agencies and a gateway in front of them, in one process. Every
 * port comes from the file: the gateway's listeners, each agency's from the endpoint of the provider of its name,
 * and the HTTPS listener is the file's listener named {@code https} ({@link DemoTls}). The journal's subject and
 * signing keys are made in {@code data/keys} on the first start ({@link DemoKeys}).
 */
@Command(name = "demo", description = {
        "Start three stand-in agencies (nocr, post, sms, each on the 127.0.0.1 port of its provider's endpoint in"
                + " the config) and the gateway in front of them, and print keys and curl lines to try. Stops like"
                + " run."},
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
        Path keys = keysDir(environment);
        try {
            if (DemoKeys.ensure(keys)) {
                spec.commandLine().getErr().println("demo: made the demo journal's subject key and checkpoint"
                        + " signing key in " + keys);
            }
        } catch (IOException e) {
            throw CliFailure.runtime("demo: cannot make the journal's keys in " + keys + ": " + e.getMessage(), e);
        }
        GatewayConfig loaded = process.load(config != null ? config : defaultConfig(environment));
        Map<String, Integer> ports = agencyPorts(loaded);
        Path certs = DemoTls.certsDir(environment);
        InetSocketAddress https = null;
        if (DemoTls.httpsListener(loaded) < 0) {
            spec.commandLine().getErr().println("demo: " + loaded.source() + " has no listener named "
                    + DemoTls.LISTENER + ": HTTPS is off");
        } else if (DemoTls.ensureCertificates(certs, environment, spec.commandLine().getErr())) {
            try {
                loaded = DemoTls.withHttps(loaded, certs);
            } catch (IOException | GeneralSecurityException e) {
                throw CliFailure.runtime("demo certificates in " + certs + " are unusable (" + e.getMessage()
                        + "); remove the directory to make new ones", e);
            }
        } else {
            loaded = DemoTls.withoutHttps(loaded);
        }
        Path pidFile = PidFile.defaultPathCreated(environment);
        try (DemoProviders providers = startProviders(ports)) {
            Gateway gateway = GatewayProcess.start(loaded);
            int httpsIndex = DemoTls.httpsListener(loaded);
            if (httpsIndex >= 0) {
                https = gateway.boundAddresses().get(httpsIndex);
            }
            spec.commandLine().getOut().print(DemoBanner.render(gateway.boundAddresses().get(0), loaded,
                    providers.addresses(), https, certs));
            spec.commandLine().getOut().flush();
            return process.serve(gateway, loaded, loaded.source(), pidFile);
        }
    }

    /**
     * {@code $GOZARGAH_HOME/data/keys}, or {@code data/keys} under the working directory: where config/demo.yaml's
     * journal keys are ({@code ../data/keys/}), made before the file is loaded since loading reads them.
     */
    static Path keysDir(Map<String, String> environment) {
        String home = environment.get(HOME_VARIABLE);
        return home == null || home.isBlank() ? DemoKeys.DIR : Path.of(home).resolve(DemoKeys.DIR);
    }

    /** {@code $GOZARGAH_HOME/config/demo.yaml}, or {@code config/demo.yaml} relative to the working directory. */
    static Path defaultConfig(Map<String, String> environment) {
        String home = environment.get(HOME_VARIABLE);
        return home == null || home.isBlank() ? DEMO_CONFIG : Path.of(home).resolve(DEMO_CONFIG);
    }

    /**
     * Each agency's port, by name: that of the first endpoint of the config's provider of the same name, which
     * must be {@code http} on 127.0.0.1 (the agencies listen on loopback only). A provider missing, or routed
     * elsewhere, is a bad demo config (exit 2): the banner's commands to it would all answer 502.
     */
    static Map<String, Integer> agencyPorts(GatewayConfig config) throws CliFailure {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String name : DemoProviders.NAMES) {
            ProviderConfig provider = config.providers().get(name);
            if (provider == null) {
                throw CliFailure.badConfig(config.source() + ": providers." + name + ": the demo starts agency " + name
                        + " and needs its provider, with an endpoint http://127.0.0.1:PORT", null);
            }
            EndpointConfig endpoint = provider.endpoints().get(0);
            if (!endpoint.scheme().equals("http") || !endpoint.host().equals("127.0.0.1")) {
                throw CliFailure.badConfig(config.source() + ": providers." + name + ".endpoints: the demo agency "
                        + name + " listens on http://127.0.0.1:PORT, not " + endpoint.scheme() + "://"
                        + endpoint.authority(), null);
            }
            ports.put(name, endpoint.port());
        }
        return ports;
    }

    private static DemoProviders startProviders(Map<String, Integer> ports) throws CliFailure {
        try {
            return DemoProviders.start(ports.get("nocr"), ports.get("post"), ports.get("sms"));
        } catch (IOException e) {
            throw CliFailure.runtime(e.getMessage(), e);
        }
    }
}
