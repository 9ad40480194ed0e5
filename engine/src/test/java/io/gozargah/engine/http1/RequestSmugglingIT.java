package io.gozargah.engine.http1;

import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.RawHttpClient.Response;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static io.gozargah.engine.testing.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Request smuggling through the {@code Connection} header, tried at the byte level against a provider that
 * logs every byte it receives: whatever a client lists in {@code Connection}, the framing a provider sees is
 * the gateway's own, and a connection option that names a framing or routing field is refused before a byte
 * goes upstream (RFC 9110 §7.6.1, RFC 9112 §6.3).
 */
class RequestSmugglingIT {
    /** A request for the provider that only a smuggler would send, with a consumer it never authenticated. */
    private static final String SMUGGLED = "GET /base/api/svc/SMUGGLED HTTP/1.1\r\nHost: prov\r\n"
            + "X-Gozargah-Consumer: medu\r\n\r\n";
    private static final String HEAD = "Host: gw.test\r\nX-Api-Key: " + ALICE_KEY + "\r\n";

    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private GatewayFixture gateway;

    private void start(TestUpstream.Responder responder) throws Exception {
        upstream = setup.provider(responder);
        gateway = setup.start();
    }

    private void start() throws Exception {
        start((ctx, req) -> {
            DefaultFullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer("ok " + req.uri(), StandardCharsets.US_ASCII));
            resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
            ctx.writeAndFlush(resp);
        });
    }

    private static String chunked(String body) {
        return Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n";
    }

    /** Each way of naming a framing or routing field in Connection, with a smuggled request in the body. */
    @ParameterizedTest
    @ValueSource(strings = {
            "POST|Connection: content-length\r\nContent-Length: LEN\r\n|FIXED",
            "GET|Connection: Content-Length\r\nContent-Length: LEN\r\n|FIXED",
            "POST|Connection: keep-alive, transfer-encoding\r\nTransfer-Encoding: chunked\r\n|CHUNKED",
            "GET|Connection: Transfer-Encoding\r\nTransfer-Encoding: chunked\r\n|CHUNKED",
            "POST|Connection: host\r\nContent-Length: LEN\r\n|FIXED",
            "POST|Connection: trailer\r\nTransfer-Encoding: chunked\r\n|CHUNKED",
            "POST|Connection: X-Gozargah-Consumer\r\nContent-Length: LEN\r\n|FIXED"})
    void shouldRefuseConnectionOptionsNamingFramingFieldsBeforeAnythingGoesUpstream(String row) throws Exception {
        start();
        String[] parts = row.split("\\|");
        String body = parts[2].equals("FIXED") ? SMUGGLED : chunked(SMUGGLED);
        String fields = parts[1].replace("LEN", Integer.toString(SMUGGLED.length()));
        try (RawHttpClient attacker = new RawHttpClient(gateway.port())) {
            Response r = attacker.send(parts[0] + " /prov/svc HTTP/1.1\r\n" + HEAD + fields + "\r\n" + body).read();
            assertProblem(r, 400, "bad-request");
            assertTrue(attacker.closedByPeer(), "the framing of what follows is unknowable: the connection closes");
        }
        // An honest consumer afterwards is served, and its request is the only one the provider ever saw.
        try (RawHttpClient honest = new RawHttpClient(gateway.port())) {
            Response r = honest.send("GET /prov/svc/next HTTP/1.1\r\n" + HEAD + "\r\n").read();
            assertEquals(200, r.status());
            assertEquals("ok /base/api/svc/next", r.bodyText());
        }
        assertEquals(1, upstream.requests());
        assertFalse(upstream.receivedText().contains("SMUGGLED"), upstream.receivedText());
    }

    @Test
    void shouldSendItsOwnContentLengthWhateverTheClientSpelledIt() throws Exception {
        start();
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            Response r = client.send("POST /prov/svc HTTP/1.1\r\n" + HEAD + "content-length:   5 \r\n\r\nhello"
                    + "POST /prov/svc HTTP/1.1\r\n" + HEAD + "\r\n").read();
            assertEquals(200, r.status());
            assertEquals(200, client.read().status());
        }
        String seen = upstream.receivedText();
        assertEquals(1, count(seen, "(?i)content-length: 5\r\n"), seen);
        assertEquals(1, count(seen, "Content-Length: 5\r\n"), "the gateway's own spelling, not the client's: " + seen);
        assertEquals(1, count(seen, "Content-Length: 0\r\n"), "a POST without a body says so: " + seen);
        assertEquals("hello", new String(upstream.recorded().get(0).body(), StandardCharsets.US_ASCII));
        assertEquals(2, upstream.requests());
    }

    @Test
    void shouldSendAChunkedBodyChunkedWithItsOwnFraming() throws Exception {
        start();
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            Response r = client.send("POST /prov/svc HTTP/1.1\r\n" + HEAD + "Transfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").read();
            assertEquals(200, r.status());
        }
        String seen = upstream.receivedText();
        assertEquals(1, count(seen, "(?i)transfer-encoding:"), seen);
        assertEquals(0, count(seen, "(?i)content-length:"), seen);
        assertEquals("hello world", new String(upstream.recorded().get(0).body(), StandardCharsets.US_ASCII));
    }

    /**
     * RFC 9110 §7.8 and §10.1.4 oblige a sender of Upgrade or TE to name them in Connection (curl's h2c upgrade
     * does): such a request is served as HTTP/1.1, and none of the three fields goes upstream.
     */
    @Test
    void shouldServeAnUpgradeRequestAsHttp11WithoutForwardingTheUpgrade() throws Exception {
        start();
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            Response r = client.send("GET /prov/svc HTTP/1.1\r\n" + HEAD + "Connection: Upgrade, HTTP2-Settings, TE\r\n"
                    + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nTE: trailers\r\n\r\n").read();
            assertEquals(200, r.status());
        }
        String seen = upstream.receivedText().toLowerCase();
        assertFalse(seen.contains("upgrade"), seen);
        assertFalse(seen.contains("http2-settings"), seen);
        assertFalse(seen.contains("te: trailers"), seen);
    }

    /**
     * A provider that names Content-Length in its own Connection header would leave the client without a
     * length, and a keep-alive client reading until the close would take the next answer for part of this one:
     * the client is told the length the gateway parsed.
     */
    @Test
    void shouldFrameTheClientResponseItselfWhenTheProviderNamesContentLengthInConnection() throws Exception {
        start((ctx, req) -> TestUpstream.writeRaw(ctx,
                "HTTP/1.1 200 OK\r\nConnection: content-length\r\nContent-Length: 5\r\n\r\nhello"));
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            for (int i = 0; i < 2; i++) {
                Response r = client.send("GET /prov/svc HTTP/1.1\r\n" + HEAD + "\r\n").read();
                assertEquals(200, r.status());
                assertEquals("5", r.header("Content-Length"));
                assertEquals("hello", r.bodyText());
            }
        }
    }

    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
