package io.gozargah.engine.cli;

import io.gozargah.engine.config.ConfigLoader;
import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.config.ListenerConfig;
import io.gozargah.engine.config.TlsConfig;
import io.gozargah.engine.testing.DemoConfig;
import io.gozargah.engine.testing.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoTlsTest {
    private static final Path DEMO = DemoConfig.file();

    @TempDir
    Path dir;

    @Test
    void shouldAddAnHttpsListenerAndTheConsumersCertificates() throws Exception {
        TestCertificates certs = TestCertificates.create();
        Files.copy(certs.server.certificatePem(), dir.resolve("server.crt"));
        Files.copy(certs.server.keyPem(), dir.resolve("server.key"));
        Files.copy(certs.ca.certificatePem(), dir.resolve("ca.crt"));
        Files.copy(certs.goodClient.certificatePem(), dir.resolve("snapp.crt"));
        GatewayConfig demo = ConfigLoader.load(DEMO);

        GatewayConfig withHttps = DemoTls.withHttps(demo, dir);

        ListenerConfig https = withHttps.server().listeners().get(withHttps.server().listeners().size() - 1);
        assertEquals(new ListenerConfig("https", "127.0.0.1", 8443, new TlsConfig(dir.resolve("server.crt"),
                dir.resolve("server.key"), TlsConfig.ClientAuth.OPTIONAL, dir.resolve("ca.crt"))), https);
        String fingerprint = TestCertificates.fingerprint(certs.goodClient.certificate()).substring(7);
        assertArrayEquals(HexFormat.of().parseHex(fingerprint),
                withHttps.consumers().get("snapp").certificates().get(0));
        assertTrue(withHttps.consumers().get("tapsi").certificates().isEmpty(), "no tapsi.crt, no fingerprint");
    }

    @Test
    void shouldGiveTlsToTheFilesHttpsListenerOnItsOwnPort() throws Exception {
        Path config = Files.writeString(dir.resolve("demo.yaml"),
                DemoConfig.text().replace("port: 8443", "port: 18443"));
        GatewayConfig withHttps = DemoTls.withHttps(ConfigLoader.load(config), dir);

        TlsConfig tls = new TlsConfig(dir.resolve("server.crt"), dir.resolve("server.key"),
                TlsConfig.ClientAuth.OPTIONAL, dir.resolve("ca.crt"));
        assertEquals(List.of(new ListenerConfig("public", "127.0.0.1", 8080),
                new ListenerConfig("https", "127.0.0.1", 18443, tls)), withHttps.server().listeners());
        assertEquals(1, DemoTls.httpsListener(withHttps));
        assertEquals(List.of(new ListenerConfig("public", "127.0.0.1", 8080)),
                DemoTls.withoutHttps(ConfigLoader.load(config)).server().listeners(), "no certificates: HTTP only");
    }

    @Test
    void shouldServeHttpOnlyWhenCertificatesCannotBeMade() throws Exception {
        StringWriter err = new StringWriter();

        boolean ok = DemoTls.ensureCertificates(dir.resolve("certs"), Map.of("GOZARGAH_HOME", dir.toString()),
                new PrintWriter(err, true));

        assertFalse(ok);
        assertTrue(err.toString().contains("HTTPS is off"), err.toString());
    }
}
