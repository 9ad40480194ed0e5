package io.gozargah.engine.server;

import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.TestCertificates;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.buffer.Unpooled;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same exchanges over every transport the config offers, auto's choice included (the whole suite runs over
 * auto's, or over one named with {@code -Dtest.extraArgs=-Dgozargah.test.transport=...}), so that the one not
 * chosen does not rot.
 */
class TransportIT {
    private static TestCertificates certs;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certs = TestCertificates.create();
    }

    /** What auto runs here: io_uring where the kernel sets it up, else epoll, else NIO. */
    static String autoChoice() {
        return IoUring.isAvailable() ? "io_uring" : Epoll.isAvailable() ? "epoll" : "nio";
    }

    /** The transport {@code configured} runs here; skips the test when it cannot run here. */
    private static String expected(String configured) {
        Assumptions.assumeTrue(!"epoll".equals(configured) || Epoll.isAvailable(), "epoll not available here");
        Assumptions.assumeTrue(!"io_uring".equals(configured) || IoUring.isAvailable(),
                "io_uring not available here");
        return "auto".equals(configured) ? autoChoice() : configured;
    }

    private static String withTransport(String yaml, String configured) {
        return yaml.replaceFirst("transport: \\S+", "transport: " + configured);
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "epoll", "io_uring", "nio"})
    void shouldProxyOverEveryTransport(String configured) throws Exception {
        String transport = expected(configured);
        try (TestUpstream upstream = TestUpstream.http((ctx, req) -> TestUpstream.writeRaw(ctx,
                "HTTP/1.1 200 OK\r\nContent-Length: " + req.content().readableBytes() + "\r\n\r\n"
                        + req.content().toString(StandardCharsets.ISO_8859_1)));
             GatewayFixture gateway = GatewayFixture.start(withTransport(
                     GatewayFixture.standardYaml(upstream.port(), null, null), configured));
             RawHttpClient c = new RawHttpClient(gateway.port())) {
            assertEquals(transport, gateway.gateway().transport());
            assertTrue(gateway.gateway().metrics().scrape().contains(
                    "\ngozargah_transport_info{transport=\"" + transport + "\"} 1\n"));
            RawHttpClient.Response r = c.send("POST /prov/svc HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + ALICE_KEY
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("abc", r.bodyText());
            assertTrue(r.header("X-Gozargah-Transaction") != null);
            assertEquals(1, upstream.requests());
        }
    }

    /**
     * HTTPS with h2 by ALPN and a body each way, twice on one connection: TLS, ALPN and HTTP/2 framing over each
     * transport.
     */
    @ParameterizedTest
    @ValueSource(strings = {"auto", "epoll", "io_uring", "nio"})
    void shouldProxyLargeBodiesOverTlsAndHttp2OnEveryTransport(String configured) throws Exception {
        String transport = expected(configured);
        byte[] body = new byte[32 * 1024];
        new Random(42).nextBytes(body);
        try (TestUpstream upstream = TestUpstream.http((ctx, req) -> {
                 FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                         Unpooled.copiedBuffer(req.content()));
                 resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
                 ctx.writeAndFlush(resp);
             });
             GatewayFixture gateway = GatewayFixture.start(withTransport(
                     GatewayFixture.standardYaml(upstream.port(), null, null), configured).replace(
                     "    - { name: test, host: 127.0.0.1, port: 0 }\n",
                     "    - { name: test, host: 127.0.0.1, port: 0, tls: { certificate: "
                             + certs.server.certificatePem() + ", key: " + certs.server.keyPem() + " } }\n"))) {
            assertEquals(transport, gateway.gateway().transport());
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                    .sslContext(certs.clientContext(null)).build();
            for (int i = 0; i < 2; i++) {
                HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(
                                URI.create("https://127.0.0.1:" + gateway.port() + "/prov/svc/echo"))
                        .header("X-Api-Key", ALICE_KEY).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(), HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(HttpClient.Version.HTTP_2, r.version());
                assertEquals(200, r.statusCode());
                assertEquals(body.length, r.body().length);
                assertArrayEquals(body, r.body(), "the echoed body differs");
            }
            assertEquals(2, upstream.requests());
            assertArrayEquals(body, upstream.last().body(), "the body the provider saw differs");
        }
    }
}
