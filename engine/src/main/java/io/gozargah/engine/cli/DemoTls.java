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
 * The demo's HTTPS side: the development certificates of {@code scripts/dev-certs} (made when missing), an
 * HTTPS listener on 127.0.0.1:8443 with optional client certificates, and each demo consumer identified by
 * its client certificate too. Kept out of config/demo.yaml so that file loads on a machine without the
 * certificates (and without openssl).
 */
final class DemoTls {
    static final int PORT = 8443;
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

    /** {@code config} with the HTTPS listener and each consumer's certificate fingerprint from {@code dir}. */
    static GatewayConfig withHttps(GatewayConfig config, Path dir) throws IOException, GeneralSecurityException {
        List<ListenerConfig> listeners = new ArrayList<>(config.server().listeners());
        listeners.add(new ListenerConfig(LISTENER, "127.0.0.1", PORT, new TlsConfig(dir.resolve("server.crt"),
                dir.resolve("server.key"), TlsConfig.ClientAuth.OPTIONAL, dir.resolve("ca.crt"))));
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
        return new GatewayConfig(config.source(), server, config.limits(), config.providers(), consumers,
                config.admission(), config.journal(), config.admin(), config.metrics(), config.http2());
    }

    private static X509Certificate read(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
