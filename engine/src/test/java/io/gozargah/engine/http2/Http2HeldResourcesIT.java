package io.gozargah.engine.http2;

import io.gozargah.engine.testing.Await;
import io.gozargah.engine.auth.ApiKeys;
import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.H2Client;
import io.gozargah.engine.testing.RawH2Client;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Error;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What an HTTP/2 client can hold through a stream has a deadline: a stream whose request never ends gets 408
 * after the service's requestTimeout however steadily it trickles, and a stream whose window stays shut is reset
 * after the sendTimeout, so that zero-window streams cannot hold a provider's connections. An honest consumer,
 * carol, must be served meanwhile by a provider with four upstream connections.
 */
class Http2HeldResourcesIT {
    private static final String CAROL_KEY = "gzk_test_carol_00112233445566";
    private static final int BIG = 16 << 20;

    private TestUpstream upstream;
    private GatewayFixture gateway;
    private final List<H2Client> attackers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        byte[] big = new byte[BIG];
        upstream = TestUpstream.http((ctx, req) -> {
            byte[] body = req.uri().contains("big") ? big : "ok".getBytes(StandardCharsets.US_ASCII);
            DefaultFullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(body));
            resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
            ctx.writeAndFlush(resp);
        });
        String yaml = GatewayFixture.standardYaml(upstream.port(), "    maxConnectionsPerLoop: 2\n", null)
                .replace("        methods: [ GET, HEAD, POST, PUT ]\n", "        methods: [ GET, HEAD, POST, PUT ]\n"
                        + "        requestTimeout: 500ms\n        sendTimeout: 500ms\n")
                + "  carol:\n    apiKeys: [ \"" + ApiKeys.configHash(CAROL_KEY) + "\" ]\n"
                + "    grants:\n      - service: prov/svc\n";
        gateway = GatewayFixture.start(yaml);
    }

    @AfterEach
    void stop() {
        for (H2Client a : attackers) {
            a.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private H2Client attacker(int initialWindow) throws InterruptedException {
        H2Client c = new H2Client(gateway.port(), initialWindow, false);
        attackers.add(c);
        return c;
    }

    private void assertCarolServedWithin(long millis) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        int last = 0;
        while (System.nanoTime() < deadline) {
            try (RawHttpClient carol = new RawHttpClient(gateway.port())) {
                last = carol.send("GET /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + CAROL_KEY + "\r\n\r\n")
                        .read().status();
                if (last == 200) {
                    return;
                }
            }
        }
        fail("the honest consumer was not served while the attack went on; last status " + last);
    }

    @Test
    void shouldResetStreamsWhoseWindowStaysShutAndFreeTheProvidersConnections() throws Exception {
        List<H2Client.Exchange> held = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            H2Client a = attacker(0); // a window of 0: no DATA can reach it
            for (int s = 0; s < 2; s++) {
                held.add(a.open(H2Client.request("GET", "/prov/svc/big", "x-api-key", ALICE_KEY), true));
            }
        }
        Await.until(() -> upstream.requests() >= 4, "the streams hold the provider's four connections");
        assertCarolServedWithin(8_000);
        for (H2Client.Exchange x : held) {
            H2Client.Response r = x.response.get(10, TimeUnit.SECONDS);
            assertTrue(r.resetCode == Http2Error.CANCEL.code() || r.status() == 503,
                    "a held stream is reset once its sendTimeout passes (or was refused, the provider being full): "
                            + r.resetCode + " " + (r.headers == null ? "" : r.status()));
        }
    }

    /** A whole POST reset by the client in the same read: nothing of it is kept (the leak detector checks). */
    @Test
    void shouldReleaseAStreamResetRightAfterItsBody() throws Exception {
        try (RawH2Client a = new RawH2Client(gateway.port())) {
            for (int i = 0; i < 20; i++) {
                int stream = 1 + 2 * i;
                a.frame(RawH2Client.HEADERS, RawH2Client.END_HEADERS, stream, RawH2Client.block(":method", "POST",
                        ":scheme", "http", ":path", "/prov/svc", ":authority", "gw", "x-api-key", ALICE_KEY,
                        "content-length", "2"));
                a.frame(RawH2Client.DATA, 0, stream, new byte[] {'a', 'b'});
                a.rst(stream, (int) Http2Error.CANCEL.code());
                a.flush();
            }
        }
        assertCarolServedWithin(5_000);
    }

    @Test
    void shouldAnswer408ToAStreamWhoseRequestNeverEnds() throws Exception {
        H2Client.Exchange x = attacker(65535).open(H2Client.request("POST", "/prov/svc", "x-api-key", ALICE_KEY),
                false);
        H2Client.Response r = x.response.get(10, TimeUnit.SECONDS);
        assertEquals(408, r.status());
        assertTrue(r.bodyText().contains("urn:gozargah:error:request-timeout"), r.bodyText());
        assertCarolServedWithin(5_000);
    }

    @Test
    void shouldAnswer408ToAStreamThatTricklesForever() throws Exception {
        H2Client.Exchange x = attacker(65535).open(H2Client.request("POST", "/prov/svc", "x-api-key", ALICE_KEY),
                false);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            x.data(new byte[] {'x'}, false);
            try {
                H2Client.Response r = x.response.get(100, TimeUnit.MILLISECONDS);
                assertEquals(408, r.status());
                return;
            } catch (TimeoutException stillWaiting) {
                // a byte every 100 ms: the request keeps arriving, slowly
            }
        }
        fail("no 408 for a request body that never ends");
    }
}
