package io.gozargah.engine.http1;

import io.gozargah.engine.testing.Await;
import io.gozargah.engine.auth.ApiKeys;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static io.gozargah.engine.testing.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Everything a client can hold through an HTTP/1.1 exchange has a deadline or a cap: a request body that never
 * completes (408), a response nobody reads (cut off after sendTimeout), a refused request's body (dropped only
 * up to maxDiscardBytes and within the head timeout), and a consumer's requests in flight (maxInFlight). Each
 * attack holds what it can of a provider with four upstream connections while an honest consumer, carol,
 * must still be served.
 */
class HeldResourcesIT {
    private static final String CAROL_KEY = "gzk_test_carol_00112233445566";
    /** A consumer with the default in-flight cap, larger than the provider's four connections. */
    private static final String MALLORY_KEY = "gzk_test_mallory_0011223344556";
    /** Larger than what the kernel buffers between the gateway and a client that reads nothing. */
    private static final int BIG = 16 << 20;

    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private GatewayFixture gateway;
    private final List<RawHttpClient> attackers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        byte[] big = new byte[BIG];
        upstream = setup.provider((ctx, req) -> {
            if (req.uri().contains("hang")) {
                return; // never answers: the exchange holds its upstream connection until the response timeout
            }
            byte[] body = req.uri().contains("big") ? big : "ok".getBytes(StandardCharsets.US_ASCII);
            DefaultFullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(body));
            resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
            ctx.writeAndFlush(resp);
        });
        String yaml = setup.standardYaml("    maxConnectionsPerLoop: 2\n",
                        "  maxDiscardBytes: 4KiB\n")
                .replace("requestHeadTimeout: 5s", "requestHeadTimeout: 1s")
                .replace("        methods: [ GET, HEAD, POST, PUT ]\n", "        methods: [ GET, HEAD, POST, PUT ]\n"
                        + "        requestTimeout: 500ms\n        sendTimeout: 500ms\n")
                .replace("  bob:\n", "    maxInFlight: 2\n  bob:\n")
                + "  carol:\n    apiKeys: [ \"" + ApiKeys.configHash(CAROL_KEY) + "\" ]\n"
                + "    grants:\n      - service: prov/svc\n"
                + "  mallory:\n    apiKeys: [ \"" + ApiKeys.configHash(MALLORY_KEY) + "\" ]\n"
                + "    grants:\n      - service: prov/svc\n";
        gateway = setup.start(yaml);
    }

    @AfterEach
    void stop() throws IOException {
        for (RawHttpClient a : attackers) {
            a.close();
        }
    }

    private RawHttpClient attacker() throws IOException {
        RawHttpClient c = new RawHttpClient(gateway.port(), 4096);
        attackers.add(c);
        return c;
    }

    private static String get(String path, String key) {
        return "GET " + path + " HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + key + "\r\n\r\n";
    }

    /** Carol's request, repeated on fresh connections until it is answered 200 or {@code millis} pass. */
    private void assertCarolServedWithin(long millis) throws Exception {
        long deadline = System.nanoTime() + millis * 1_000_000;
        int last = 0;
        while (System.nanoTime() < deadline) {
            try (RawHttpClient carol = new RawHttpClient(gateway.port())) {
                last = carol.send(get("/prov/svc", CAROL_KEY)).read().status();
                if (last == 200) {
                    return;
                }
            }
        }
        fail("the honest consumer was not served while the attack went on; last status " + last);
    }

    @Test
    void shouldCutClientsThatStopReadingAndFreeTheProvidersConnections() throws Exception {
        for (int i = 0; i < 4; i++) {
            attacker().send(get("/prov/svc/big", MALLORY_KEY)); // and never reads
        }
        Await.until(() -> upstream.requests() >= 4, "the provider has the four requests");
        assertCarolServedWithin(8_000);
    }

    @Test
    void shouldAnswer408WhenTheRequestBodyDoesNotArriveInTime() throws Exception {
        RawHttpClient a = attacker();
        a.send("POST /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\nContent-Length: 1000\r\n\r\n"
                + "0123456789");
        assertProblem(a.read(), 408, "request-timeout");
        assertTrue(a.closedByPeer());
        assertCarolServedWithin(5_000);
    }

    /** A body that trickles in keeps making progress but never ends: the deadline is for the whole request. */
    @Test
    void shouldAnswer408ToABodyThatTricklesForever() throws Exception {
        RawHttpClient a = attacker().soTimeout(100);
        a.send("POST /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY
                + "\r\nTransfer-Encoding: chunked\r\n\r\n");
        long deadline = System.nanoTime() + 10_000_000_000L;
        OutputStream out = a.output();
        while (System.nanoTime() < deadline) {
            try {
                out.write("1\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException closed) {
                break;
            }
            try {
                Response r = a.read();
                assertProblem(r, 408, "request-timeout");
                assertTrue(a.soTimeout(5_000).closedByPeer());
                return;
            } catch (SocketTimeoutException stillWaiting) {
                // a chunk every 100 ms: the request keeps arriving, slowly
            }
        }
        fail("no 408 for a body that never ends");
    }

    @Test
    void shouldCapAConsumersRequestsInFlight() throws Exception {
        attacker().send(get("/prov/svc/hang1", ALICE_KEY));
        attacker().send(get("/prov/svc/hang2", ALICE_KEY));
        Await.until(() -> upstream.requests() >= 2, "the provider has the two requests");
        Response third = attacker().send(get("/prov/svc/hang3", ALICE_KEY)).read();
        assertProblem(third, 429, "rate-limited");
        assertTrue(third.bodyText().contains("in flight"), third.bodyText());
        assertEquals("1", third.header("Retry-After"));
        assertEquals(2, upstream.requests());
        assertCarolServedWithin(2_000);
    }

    /** A refused request that declares a body larger than the gateway will drop is answered, then closed. */
    @Test
    void shouldCloseAfterRefusingARequestWithALargeDeclaredBody() throws Exception {
        RawHttpClient a = attacker();
        a.send("POST /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: wrong\r\nContent-Length: 10000000\r\n\r\n");
        assertProblem(a.read(), 401, "unauthenticated");
        assertTrue(a.soTimeout(2_000).closedByPeer(), "the 10 MB body is not waited for");
    }

    @Test
    void shouldKeepTheConnectionAfterRefusingARequestWithASmallBody() throws Exception {
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            c.send("POST /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: wrong\r\nContent-Length: 100\r\n\r\n"
                    + "x".repeat(100));
            assertProblem(c.read(), 401, "unauthenticated");
            assertEquals(200, c.send(get("/prov/svc", CAROL_KEY)).read().status());
        }
    }

    @Test
    void shouldCloseWhenARefusedChunkedBodyGoesPastTheDiscardCap() throws Exception {
        RawHttpClient a = attacker();
        a.send("POST /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: wrong\r\nTransfer-Encoding: chunked\r\n\r\n");
        assertProblem(a.read(), 401, "unauthenticated");
        try {
            for (int i = 0; i < 8; i++) {
                a.send("400\r\n" + "y".repeat(1024) + "\r\n"); // 8 KiB against a 4 KiB cap
            }
        } catch (IOException closedWhileSending) {
            return;
        }
        assertTrue(a.soTimeout(2_000).closedByPeer());
    }

    @Test
    void shouldCloseWhenARefusedBodyStallsPastTheHeadTimeout() throws Exception {
        RawHttpClient a = attacker();
        a.send("POST /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: wrong\r\nContent-Length: 1000\r\n\r\n0123456789");
        assertProblem(a.read(), 401, "unauthenticated");
        assertTrue(a.soTimeout(5_000).closedByPeer(), "the rest of the body never came: closed after the head timeout");
    }
}
