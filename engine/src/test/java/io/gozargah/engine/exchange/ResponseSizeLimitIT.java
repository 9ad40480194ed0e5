package io.gozargah.engine.exchange;

import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.H2Client;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.RawHttpClient.Response;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static io.gozargah.engine.testing.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A provider's response body is held to the service's {@code maxResponseBytes} (64 bytes for {@code prov/svc}
 * here, overriding the provider's 1,000): a declared length past it is answered 502 response-too-large before
 * anything reaches the client, whose connection serves on; a body of undeclared length is cut off where it passes
 * the limit, after its head went out; a body at the limit, and a HEAD answer that only declares a large length,
 * pass. The same over the HTTP/2 front end, where the cut is a reset of the stream (INTERNAL_ERROR) and the
 * connection serves on.
 */
class ResponseSizeLimitIT {
    private static final AtomicReference<String> RESPONSE = new AtomicReference<>();
    private static final ConcurrentLinkedQueue<Outcome> OUTCOMES = new ConcurrentLinkedQueue<>();
    private static TestUpstream upstream;
    private static GatewayFixture gateway;

    /** Answers each request head with the canned response, keeping the connection open. */
    private static final class CannedResponder extends ChannelInboundHandlerAdapter {
        private final StringBuilder seen = new StringBuilder();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf data = (ByteBuf) msg;
            try {
                seen.append(data.toString(StandardCharsets.ISO_8859_1));
            } finally {
                data.release();
            }
            int end = seen.indexOf("\r\n\r\n");
            if (end >= 0) {
                seen.delete(0, end + 4);
                upstream.countRequest();
                ctx.writeAndFlush(Unpooled.copiedBuffer(RESPONSE.get(), StandardCharsets.ISO_8859_1));
            }
        }
    }

    /** Notes how each exchange ended. */
    private static final class OutcomeStage implements ExchangeStage {
        @Override
        public void complete(Exchange x) {
            OUTCOMES.add(x.outcome());
        }
    }

    @BeforeAll
    static void start() throws Exception {
        upstream = TestUpstream.raw(CannedResponder::new);
        String yaml = GatewayFixture.standardYaml(upstream.port(), "    maxResponseBytes: 1000\n", null)
                .replace("        methods: [ GET, HEAD, POST, PUT ]\n",
                        "        methods: [ GET, HEAD, POST, PUT ]\n        maxResponseBytes: 64\n");
        gateway = GatewayFixture.start(yaml, List.of(new OutcomeStage()));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @BeforeEach
    void clear() {
        OUTCOMES.clear();
    }

    @Test
    void shouldPassABodyAtTheLimit() throws Exception {
        String body = "x".repeat(64);
        RESPONSE.set("HTTP/1.1 200 OK\r\nContent-Length: 64\r\n\r\n" + body);
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            Response r = client.send(get("GET")).read();
            assertEquals(200, r.status());
            assertEquals(body, r.bodyText());
        }
        assertEquals(Outcome.PROXIED, awaitOutcome());
    }

    @Test
    void shouldAnswer502ForADeclaredLengthPastTheLimitAndServeOn() throws Exception {
        RESPONSE.set("HTTP/1.1 200 OK\r\nContent-Length: 65\r\n\r\n" + "y".repeat(65));
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            Response r = client.send(get("GET")).read();
            assertProblem(r, 502, "response-too-large");
            assertFalse(r.bodyText().contains("yyyy"), r.bodyText());
            assertEquals(Outcome.RESPONSE_TOO_LARGE, awaitOutcome());

            RESPONSE.set("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            Response next = client.send(get("GET")).read();
            assertEquals(200, next.status());
            assertEquals("ok", next.bodyText());
        }
    }

    @Test
    void shouldCutOffAChunkedBodyWhereItPassesTheLimit() throws Exception {
        String chunk = "z".repeat(40);
        RESPONSE.set("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "28\r\n" + chunk + "\r\n28\r\n" + chunk + "\r\n28\r\n" + chunk + "\r\n0\r\n\r\n");
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            client.send(get("GET"));
            String received = new String(client.soTimeout(5000).input().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(received.startsWith("HTTP/1.1 200 "), received);
            assertFalse(received.contains("\r\n0\r\n\r\n"), "the body must not look complete: " + received);
            int passed = received.length() - received.replace("z", "").length();
            assertTrue(passed <= 64, passed + " body bytes passed a limit of 64");
        }
        assertEquals(Outcome.RESPONSE_TOO_LARGE, awaitOutcome());
    }

    @Test
    void shouldPassAHeadAnswerThatDeclaresALargeLength() throws Exception {
        RESPONSE.set("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n");
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            Response r = client.send(get("HEAD")).read(true);
            assertEquals(200, r.status());
            assertEquals("1000000", r.header("Content-Length"));
        }
        assertEquals(Outcome.PROXIED, awaitOutcome());
    }

    @Test
    void shouldTakeTheProviderLimitForServicesWithoutTheirOwn() throws Exception {
        RESPONSE.set("HTTP/1.1 200 OK\r\nContent-Length: 1001\r\n\r\n" + "w".repeat(1001));
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            Response r = client.send("GET /prov/root/x HTTP/1.1\r\nHost: t\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n")
                    .read();
            assertProblem(r, 502, "response-too-large");
            RESPONSE.set("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + "w".repeat(1000));
            assertEquals(200, client.send("GET /prov/root/x HTTP/1.1\r\nHost: t\r\nX-Api-Key: " + ALICE_KEY
                    + "\r\n\r\n").read().status());
        }
    }

    @Test
    void shouldAnswer502ForADeclaredLengthPastTheLimitOverHttp2() throws Exception {
        RESPONSE.set("HTTP/1.1 200 OK\r\nContent-Length: 65\r\n\r\n" + "y".repeat(65));
        try (H2Client client = new H2Client(gateway.port())) {
            H2Client.Response r = client.send(h2Get(), null);
            assertEquals(502, r.status());
            assertEquals(Problem.CONTENT_TYPE, r.header("content-type"));
            assertTrue(r.bodyText().contains("urn:gozargah:error:response-too-large"), r.bodyText());
            assertFalse(r.bodyText().contains("yyyy"), r.bodyText());
            assertEquals(-1, r.resetCode, "answered, not reset");
            assertEquals(Outcome.RESPONSE_TOO_LARGE, awaitOutcome());

            RESPONSE.set("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            H2Client.Response next = client.send(h2Get(), null);
            assertEquals(200, next.status());
            assertEquals("ok", next.bodyText());
        }
    }

    @Test
    void shouldResetAStreamWhoseUndeclaredBodyPassesTheLimitOverHttp2() throws Exception {
        String chunk = "z".repeat(40);
        RESPONSE.set("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "28\r\n" + chunk + "\r\n28\r\n" + chunk + "\r\n28\r\n" + chunk + "\r\n0\r\n\r\n");
        try (H2Client client = new H2Client(gateway.port())) {
            H2Client.Response r = client.send(h2Get(), null);
            assertEquals(200, r.status(), "the head went out before the body passed the limit");
            assertEquals(Http2Error.INTERNAL_ERROR.code(), r.resetCode, "the stream is reset, not ended");
            assertTrue(r.bodyBytes().length <= 64, r.bodyBytes().length + " body bytes passed a limit of 64");
            assertEquals(Outcome.RESPONSE_TOO_LARGE, awaitOutcome());

            RESPONSE.set("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            assertEquals("ok", client.send(h2Get(), null).bodyText(), "the connection serves on");
        }
    }

    private static Http2Headers h2Get() {
        return H2Client.request("GET", "/prov/svc/item", "x-api-key", ALICE_KEY);
    }

    private static String get(String method) {
        return method + " /prov/svc/item HTTP/1.1\r\nHost: t\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n";
    }

    private static Outcome awaitOutcome() throws InterruptedException {
        io.gozargah.engine.testing.Await.until(() -> !OUTCOMES.isEmpty(), "the exchange's outcome");
        return OUTCOMES.poll();
    }
}
