package io.gozargah.engine.cli;

import io.gozargah.engine.auth.ClientCertificate;
import io.gozargah.engine.config.ConsumerConfig;
import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.config.ListenerConfig;
import io.gozargah.engine.config.ServerConfig;
import io.gozargah.engine.config.TlsConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The demo's HTTPS side: the development certificates of {@code scripts/dev-certs} (made when missing), TLS with
 * optional client certificates on the config's listener named {@code https} (config/demo.yaml: 127.0.0.1:8443),
 * and each demo consumer identified by its client certificate too. The file names the listener without a
 * {@code tls:} section, so it loads on a machine without the certificates (and without openssl); there the
 * listener is left out and the demo serves HTTP only.
 */
final class DemoTls {
    static final Path CERTS = Path.of("data", "certs");
    static final String LISTENER = "https";

    private DemoTls() {
    }

    /** {@code $GOZARGAH_HOME/data/certs}, or {@code data/certs} under the working directory. */
    static Path certsDir(Map<String, String> environment) {
        String home = environment.get(DemoCommand.HOME_VARIABLE);
        return home == null || home.isBlank() ? CERTS : Path.of(home).resolve(CERTS);
    }

    /**
     * Makes the certificates with {@code scripts/dev-certs} when {@code dir} has none; false (with the reason
     * on {@code err}) when they cannot be had, and the demo then serves HTTP only.
     */
    static boolean ensureCertificates(Path dir, Map<String, String> environment, PrintWriter err)
            throws InterruptedException {
        if (Files.isRegularFile(dir.resolve("server.crt"))) {
            return true;
        }
        String home = environment.get(DemoCommand.HOME_VARIABLE);
        Path script = (home == null || home.isBlank() ? Path.of(".") : Path.of(home)).resolve("scripts/dev-certs");
        if (!Files.isExecutable(script)) {
            err.println("demo: no certificates in " + dir + " and no " + script + " to make them: HTTPS is off");
            return false;
        }
        try {
            Process p = new ProcessBuilder(script.toString(), dir.toString()).inheritIO()
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroy();
                err.println("demo: " + script + " failed: HTTPS is off");
                return false;
            }
        } catch (IOException e) {
            err.println("demo: cannot run " + script + ": " + e.getMessage() + ": HTTPS is off");
            return false;
        }
        return Files.isRegularFile(dir.resolve("server.crt"));
    }

    /** The index of the listener named {@value #LISTENER} among {@code config}'s, or -1 when it has none. */
    static int httpsListener(GatewayConfig config) {
        List<ListenerConfig> listeners = config.server().listeners();
        for (int i = 0; i < listeners.size(); i++) {
            if (listeners.get(i).name().equals(LISTENER)) {
                return i;
            }
        }
        return -1;
    }

    /** {@code config} without its {@value #LISTENER} listener (no certificates to give it). */
    static GatewayConfig withoutHttps(GatewayConfig config) {
        List<ListenerConfig> listeners = new ArrayList<>(config.server().listeners());
        listeners.removeIf(l -> l.name().equals(LISTENER));
        return with(config, config.server().withListeners(List.copyOf(listeners)), config.consumers());
    }

    /**
     * {@code config} with TLS from {@code dir} on its {@value #LISTENER} listener (host and port as the file has
     * them; a {@code tls:} section of its own is kept) and each consumer's certificate fingerprint from {@code dir}.
     */
    static GatewayConfig withHttps(GatewayConfig config, Path dir) throws IOException, GeneralSecurityException {
        List<ListenerConfig> listeners = new ArrayList<>(config.server().listeners());
        int index = httpsListener(config);
        if (index < 0) {
            throw new IllegalArgumentException("no listener named " + LISTENER);
        }
        ListenerConfig named = listeners.get(index);
        if (named.tls() == null) {
            listeners.set(index, new ListenerConfig(named.name(), named.host(), named.port(),
                    new TlsConfig(dir.resolve("server.crt"), dir.resolve("server.key"), TlsConfig.ClientAuth.OPTIONAL,
                            dir.resolve("ca.crt")), named.maxConnections()));
        }
        ServerConfig server = config.server().withListeners(List.copyOf(listeners));
        Map<String, ConsumerConfig> consumers = new LinkedHashMap<>();
        for (ConsumerConfig c : config.consumers().values()) {
            Path certificate = dir.resolve(c.name() + ".crt");
            List<byte[]> fingerprints = new ArrayList<>(c.certificates());
            if (Files.isRegularFile(certificate)) {
                fingerprints.add(ClientCertificate.fingerprint(read(certificate)));
            }
            consumers.put(c.name(), new ConsumerConfig(c.name(), c.apiKeyHashes(), c.grants(), c.rate(),
                    List.copyOf(fingerprints), c.maxInFlight()));
        }
        return with(config, server, consumers);
    }

    private static GatewayConfig with(GatewayConfig config, ServerConfig server,
                                      Map<String, ConsumerConfig> consumers) {
        return new GatewayConfig(config.source(), server, config.limits(), config.providers(), consumers,
                config.admission(), config.journal(), config.admin(), config.metrics(), config.http2(),
                config.portal());
    }

    private static X509Certificate read(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
