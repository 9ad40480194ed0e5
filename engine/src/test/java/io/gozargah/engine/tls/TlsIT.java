package io.gozargah.engine.tls;

import io.gozargah.engine.config.ConfigLoader;
import io.gozargah.engine.server.ConfigReloader;
import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.TestCertificates;
import io.gozargah.engine.testing.TestCertificates.Issued;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.net.ssl.SSLSocket;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HTTPS with Java's own HttpClient: h2 and http/1.1 by ALPN, the same exchange path, certificate reload. */
class TlsIT {
    private static TestCertificates certs;
    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private GatewayFixture gateway;
    private Path configFile;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certs = TestCertificates.create();
    }

    @BeforeEach
    void start() throws Exception {
        upstream = setup.provider((ctx, req) -> {
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer("{\"ok\":true}", StandardCharsets.US_ASCII));
            resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
            resp.headers().set("X-Provider", "yes");
            ctx.writeAndFlush(resp);
        });
        // The server files are copies, so a test can rotate them on disk.
        Path dir = Files.createTempDirectory("gozargah-tls");
        Files.copy(certs.server.certificatePem(), dir.resolve("server.crt"));
        Files.copy(certs.server.keyPem(), dir.resolve("server.key"));
        String yaml = tlsYaml(upstream.port(), "{ certificate: server.crt, key: server.key }");
        configFile = dir.resolve("gateway.yaml");
        Files.writeString(configFile, yaml);
        gateway = setup.start(configFile);
    }

    /** The standard test config with its listener on TLS ({@code tls} is the listener's tls: value). */
    static String tlsYaml(int upstreamPort, String tls) {
        return GatewayFixture.standardYaml(upstreamPort, null, null).replace(
                "    - { name: test, host: 127.0.0.1, port: 0 }\n",
                "    - { name: test, host: 127.0.0.1, port: 0, tls: " + tls + " }\n");
    }

    private HttpResponse<String> get(HttpClient.Version version, String path) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(version).sslContext(certs.clientContext(null)).build();
        return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + gateway.port() + path))
                .header("X-Api-Key", ALICE_KEY).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldServeHttp2ChosenByAlpn() throws Exception {
        HttpResponse<String> r = get(HttpClient.Version.HTTP_2, "/prov/svc/items?x=1");

        assertEquals(HttpClient.Version.HTTP_2, r.version());
        assertEquals(200, r.statusCode());
        assertEquals("{\"ok\":true}", r.body());
        assertEquals("yes", r.headers().firstValue("x-provider").orElseThrow());
        assertTrue(r.headers().firstValue("x-gozargah-transaction").isPresent());
        TestUpstream.Recorded seen = upstream.last();
        assertEquals("/base/api/svc/items?x=1", seen.uri());
        assertEquals("https", seen.headers().get("X-Forwarded-Proto"));
        assertEquals("alice", seen.headers().get("X-Gozargah-Consumer"));
        assertEquals(r.headers().firstValue("x-gozargah-transaction").orElseThrow(),
                seen.headers().get("X-Gozargah-Transaction"));
        assertEquals(null, seen.headers().get("X-Api-Key"));
    }

    @Test
    void shouldServeHttp11ChosenByAlpn() throws Exception {
        HttpResponse<String> r = get(HttpClient.Version.HTTP_1_1, "/prov/svc");

        assertEquals(HttpClient.Version.HTTP_1_1, r.version());
        assertEquals(200, r.statusCode());
        assertEquals("https", upstream.last().headers().get("X-Forwarded-Proto"));
    }

    @Test
    void shouldAnswerEveryConcurrentHttp2StreamWhoseAnswersComeFromSeveralUpstreamConnections() throws Exception {
        // The streams' answers arrive on different upstream connections, each read ending in a flush that the
        // connection holds back and sends together (ConnectionPipeline): none may be held for good or lost.
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                .sslContext(certs.clientContext(null)).build();
        List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            pending.add(client.sendAsync(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + gateway.port()
                    + "/prov/svc/items?i=" + i)).header("X-Api-Key", ALICE_KEY).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        Set<String> transactions = new HashSet<>();
        for (CompletableFuture<HttpResponse<String>> f : pending) {
            HttpResponse<String> r = f.get(10, TimeUnit.SECONDS);
            assertEquals(HttpClient.Version.HTTP_2, r.version());
            assertEquals(200, r.statusCode());
            assertEquals("{\"ok\":true}", r.body());
            transactions.add(r.headers().firstValue("x-gozargah-transaction").orElseThrow());
        }
        assertEquals(64, transactions.size());
        assertTrue(upstream.connections() > 1, "answers came over " + upstream.connections() + " upstream connection");
    }

    @Test
    void shouldAnswerProblemsOverHttp2LikeHttp11() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                .sslContext(certs.clientContext(null)).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + gateway.port() + "/prov/svc")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(HttpClient.Version.HTTP_2, r.version());
        assertEquals(401, r.statusCode());
        assertEquals("application/problem+json", r.headers().firstValue("content-type").orElseThrow());
        String tx = r.headers().firstValue("x-gozargah-transaction").orElseThrow();
        assertTrue(r.body().contains("\"type\":\"urn:gozargah:error:unauthenticated\""), r.body());
        assertTrue(r.body().contains("\"detail\":\"an X-Api-Key header is required\""), r.body());
        assertTrue(r.body().contains("\"transaction\":\"" + tx + "\""), r.body());
        assertEquals(0, upstream.requests());
    }

    @Test
    void shouldUseNewCertificateFilesAfterReloadWithoutClosingConnections() throws Exception {
        try (SSLSocket before = open()) {
            assertEquals(certs.server.certificate().getSerialNumber(), serial(before));
            assertEquals(200, request(before));

            Issued rotated = certs.newServerCertificate("server-rotated");
            TestCertificates.copy(rotated, configFile.resolveSibling("server.crt"), configFile.resolveSibling("server.key"));
            ConfigReloader.Result result = new ConfigReloader(configFile, gateway.gateway()).reload();
            assertTrue(result.ok(), result.message());

            try (SSLSocket after = open()) {
                assertEquals(rotated.certificate().getSerialNumber(), serial(after));
                assertEquals(200, request(after));
            }
            // The connection made before the reload still works on its old session.
            assertEquals(200, request(before));
        }
    }

    @Test
    void shouldRefuseAReloadWhoseKeyDoesNotMatchAndKeepServing() throws Exception {
        Files.copy(certs.goodClient.keyPem(), configFile.resolveSibling("server.key"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        ConfigReloader.Result result = new ConfigReloader(configFile, gateway.gateway()).reload();

        assertTrue(!result.ok() && result.message().contains("server.listeners[0].tls"), result.message());
        try (SSLSocket s = open()) {
            assertEquals(certs.server.certificate().getSerialNumber(), serial(s));
        }
    }

    @Test
    void shouldNameTheProviderInUse() {
        // netty-tcnative ships for this platform: the fallback must not be silently in use in CI.
        assertEquals(io.netty.handler.ssl.SslProvider.OPENSSL_REFCNT, ServerTls.provider());
        assertNotNull(ConfigLoader.class);
    }

    private SSLSocket open() throws Exception {
        SSLSocket s = (SSLSocket) certs.clientContext(null).getSocketFactory().createSocket("127.0.0.1", gateway.port());
        s.setSoTimeout(5000);
        s.startHandshake();
        return s;
    }

    private static BigInteger serial(SSLSocket s) throws Exception {
        return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
    }

    /** One keep-alive HTTP/1.1 request on {@code s}; the status. */
    private static int request(SSLSocket s) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write(("GET /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
        String status = in.readLine();
        int length = 0;
        for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        for (int i = 0; i < length; i++) {
            in.read();
        }
        return Integer.parseInt(status.split(" ")[1]);
    }
}
