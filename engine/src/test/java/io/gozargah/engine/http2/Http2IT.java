package io.gozargah.engine.http2;

import io.gozargah.engine.testing.Await;
import io.gozargah.engine.exchange.Exchange;
import io.gozargah.engine.exchange.ExchangeStage;
import io.gozargah.engine.exchange.Outcome;
import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.H2Client;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HTTP/2 semantics over h2c with prior knowledge, against Netty's own HTTP/2 client. */
class Http2IT {
    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private GatewayFixture gateway;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    /** Records each completed exchange's outcome, as the journal will see it. */
    static final class Outcomes implements ExchangeStage {
        final ConcurrentLinkedQueue<Outcome> seen = new ConcurrentLinkedQueue<>();

        @Override
        public void complete(Exchange x) {
            seen.add(x.outcome());
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private H2Client client(int window) throws Exception {
        H2Client c = new H2Client(gateway.port(), window, false);
        closeables.add(c);
        return c;
    }

    private static Http2Headers get(String path) {
        return H2Client.request("GET", path, "x-api-key", ALICE_KEY);
    }

    private TestUpstream okUpstream() throws InterruptedException {
        return setup.provider((ctx, req) -> {
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII));
            resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, 5);
            resp.headers().set("Connection", "keep-alive, X-Hop");
            resp.headers().set("X-Hop", "must not pass");
            ctx.writeAndFlush(resp);
        });
    }

    @Test
    void shouldServeH2cWithPriorKnowledgeAndHttp11OnTheSameListener() throws Exception {
        upstream = okUpstream();
        gateway = setup.start();

        H2Client.Response r = client(65535).send(get("/prov/svc/a?b=c"), null);

        assertEquals(200, r.status());
        assertEquals("hello", r.bodyText());
        assertNotNull(r.header("x-gozargah-transaction"));
        assertEquals(null, r.header("x-hop"));
        assertEquals(null, r.header("connection"));
        TestUpstream.Recorded seen = upstream.last();
        assertEquals("/base/api/svc/a?b=c", seen.uri());
        assertEquals("http", seen.headers().get("X-Forwarded-Proto"));
        assertEquals("alice", seen.headers().get("X-Gozargah-Consumer"));
        assertEquals(r.header("x-gozargah-transaction"), seen.headers().get("X-Gozargah-Transaction"));
        assertEquals(null, seen.headers().get("x-api-key"));

        try (RawHttpClient h1 = new RawHttpClient(gateway.port())) {
            RawHttpClient.Response r1 = h1.send("GET /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY
                    + "\r\n\r\n").read();
            assertEquals(200, r1.status());
        }
    }

    @Test
    void shouldAnswerGatewayErrorsAsProblemsOnTheStream() throws Exception {
        upstream = okUpstream();
        gateway = setup.start();
        H2Client c = client(65535);

        H2Client.Response unknown = c.send(get("/prov/nothing"), null);
        H2Client.Response forbidden = c.send(H2Client.request("GET", "/prov/svc", "x-api-key",
                GatewayFixture.BOB_KEY), null);
        H2Client.Response badPath = c.send(get("/prov/svc/../admin"), null);
        H2Client.Response method = c.send(H2Client.request("DELETE", "/prov/svc", "x-api-key", ALICE_KEY), null);

        assertProblem(unknown, 404, "unknown-service");
        assertProblem(forbidden, 403, "forbidden");
        assertProblem(badPath, 400, "bad-request");
        assertProblem(method, 405, "method-not-allowed");
        assertEquals("GET, HEAD, POST, PUT", method.header("allow"));
        assertEquals(0, upstream.requests());
    }

    static void assertProblem(H2Client.Response r, int status, String code) {
        assertEquals(status, r.status(), r.bodyText());
        assertEquals("application/problem+json", r.header("content-type"));
        String tx = r.header("x-gozargah-transaction");
        assertNotNull(tx);
        assertTrue(r.bodyText().contains("\"type\":\"urn:gozargah:error:" + code + "\""), r.bodyText());
        assertTrue(r.bodyText().contains("\"transaction\":\"" + tx + "\""), r.bodyText());
    }

    /** Sees what a journal or metrics stage would: the facts of each HTTP/2 exchange, and adds a header. */
    static final class FactsStage implements ExchangeStage {
        final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
        final io.netty.util.AsciiString name = io.netty.util.AsciiString.cached("X-Stage");
        final byte[] value = "seen".getBytes(StandardCharsets.US_ASCII);

        @Override
        public void responseHeaders(Exchange x, io.gozargah.engine.exchange.HeaderSink sink) {
            sink.header(name, value, 0, value.length);
        }

        @Override
        public void complete(Exchange x) {
            seen.add(x.protocol() + " " + x.outcome() + " " + x.status() + " "
                    + (x.consumer() == null ? "-" : x.consumer().name()) + " "
                    + (x.service() == null ? "-" : x.service().qualifiedName()) + " " + x.requestBodyBytes() + " "
                    + x.responseBodyBytes() + " " + (x.upstreamStartNanos() != 0));
        }
    }

    @Test
    void shouldPassEveryStreamThroughTheExchangeStagesLikeHttp11() throws Exception {
        upstream = okUpstream();
        FactsStage stage = new FactsStage();
        gateway = setup.start(setup.standardYaml(null, null), List.of(stage));
        H2Client c = client(65535);

        H2Client.Response ok = c.send(H2Client.request("POST", "/prov/svc", "x-api-key", ALICE_KEY),
                "abc".getBytes(StandardCharsets.US_ASCII));
        H2Client.Response refused = c.send(H2Client.request("GET", "/prov/svc", "x-api-key", "gzk_nobody"), null);

        assertEquals("seen", ok.header("x-stage"));
        assertEquals("seen", refused.header("x-stage"));
        Await.until(() -> stage.seen.size() == 2, "two completed exchanges");
        List<String> facts = new ArrayList<>(stage.seen);
        assertEquals("HTTP_2 PROXIED 200 alice prov/svc 3 5 true", facts.get(0));
        int problemBytes = refused.bodyBytes().length;
        assertEquals("HTTP_2 UNAUTHENTICATED 401 - prov/svc 0 " + problemBytes + " false", facts.get(1));
    }

    @Test
    void shouldCarryManyConcurrentStreamsOfOneConnectionToASlowUpstream() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        upstream = setup.provider((ctx, req) -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            ctx.executor().schedule(() -> {
                inFlight.decrementAndGet();
                FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.copiedBuffer(req.uri(), StandardCharsets.US_ASCII));
                resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
                ctx.writeAndFlush(resp);
            }, 200, TimeUnit.MILLISECONDS);
        });
        gateway = setup.start();
        H2Client c = client(65535);

        List<H2Client.Exchange> streams = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            streams.add(c.open(get("/prov/svc/" + i), true));
        }
        for (int i = 0; i < streams.size(); i++) {
            H2Client.Response r = streams.get(i).response.get(10, TimeUnit.SECONDS);
            assertEquals(200, r.status());
            assertEquals("/base/api/svc/" + i, r.bodyText());
        }
        assertEquals(40, upstream.requests());
        // One client connection, many exchanges at the provider at once: the streams were multiplexed.
        assertTrue(maxInFlight.get() >= 20, "at most " + maxInFlight.get() + " requests were in flight together");
    }

    @Test
    void shouldCancelTheUpstreamRequestWhenTheClientResetsMidBody() throws Exception {
        AtomicLong received = new AtomicLong();
        AtomicBoolean upstreamClosed = new AtomicBoolean();
        upstream = setup.provider(TestUpstream.raw(() -> new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                received.addAndGet(((ByteBuf) msg).readableBytes());
                TestUpstream.release(msg);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                upstreamClosed.set(true);
            }
        }));
        Outcomes outcomes = new Outcomes();
        gateway = setup.start(setup.standardYaml(null, null), List.of(outcomes));
        H2Client c = client(65535);

        H2Client.Exchange x = c.open(H2Client.request("POST", "/prov/svc", "x-api-key", ALICE_KEY,
                "content-length", String.valueOf(1 << 20)), false);
        x.data(new byte[32 * 1024], false);
        Await.until(() -> received.get() >= 32 * 1024, "the first 32 KiB upstream");
        x.reset();

        Await.until(upstreamClosed::get, "the upstream connection closed (request cancelled)");
        Await.until(() -> outcomes.seen.contains(Outcome.CLIENT_ABORTED), "the exchange completed as client-aborted");
        // The connection goes on serving other streams.
        assertEquals(404, c.send(get("/prov/none"), null).status());
    }

    @Test
    void shouldStreamLargeBodiesBothWaysThroughSmallWindows() throws Exception {
        upstream = setup.provider((ctx, req) -> {
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    req.content().retainedDuplicate());
            resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
            ctx.writeAndFlush(resp);
        });
        gateway = setup.start(setup.standardYaml(null, null)
                + "http2:\n  initialWindowSize: 4KiB\n");
        byte[] body = new byte[700 * 1024];
        new Random(42).nextBytes(body);
        H2Client c = client(4096);

        H2Client.Exchange x = c.open(H2Client.request("PUT", "/prov/svc", "x-api-key", ALICE_KEY), false);
        for (int off = 0; off < body.length; off += 16 * 1024) {
            byte[] part = java.util.Arrays.copyOfRange(body, off, Math.min(body.length, off + 16 * 1024));
            x.data(part, off + part.length == body.length);
        }
        H2Client.Response r = x.response.get(20, TimeUnit.SECONDS);

        assertEquals(200, r.status());
        assertArrayEquals(body, r.bodyBytes());
        assertArrayEquals(body, upstream.last().body());
    }

    @Test
    void shouldFinishEveryResponseWhoseLastBytesFillTheStream() throws Exception {
        // With a 4 KiB window the stream is above its high-water mark after almost every upstream read. For some
        // of these sizes the read that fills it is the one with the provider's last bytes: the response is then
        // complete only when the stream can take more, with nothing left to come from the provider to say so.
        upstream = setup.provider((ctx, req) -> {
            byte[] body = bodyOf(Integer.parseInt(req.headers().get("x-size")));
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(body));
            resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
            ctx.writeAndFlush(resp);
        });
        gateway = setup.start(setup.standardYaml(null, null)
                + "http2:\n  initialWindowSize: 4KiB\n");
        H2Client c = client(4096);

        for (int size = 100_000; size < 620_000; size += 13_001) {
            H2Client.Exchange x = c.open(H2Client.request("GET", "/prov/svc", "x-api-key", ALICE_KEY,
                    "x-size", Integer.toString(size)), true);
            H2Client.Response r = x.response.get(10, TimeUnit.SECONDS);

            assertEquals(200, r.status());
            assertArrayEquals(bodyOf(size), r.bodyBytes(), "a body of " + size + " bytes");
        }
    }

    private static byte[] bodyOf(int size) {
        byte[] body = new byte[size];
        new Random(size).nextBytes(body);
        return body;
    }

    @Test
    void shouldPassTrailersBothWays() throws Exception {
        AtomicInteger requestTrailer = new AtomicInteger();
        upstream = setup.provider((ctx, req) -> {
            if ("abc".equals(req.trailingHeaders().get("x-checksum"))) {
                requestTrailer.incrementAndGet();
            }
            TestUpstream.writeRaw(ctx, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: grpc-status\r\n\r\n"
                    + "5\r\nhello\r\n0\r\ngrpc-status: 0\r\n\r\n");
        });
        gateway = setup.start();
        H2Client c = client(65535);

        H2Client.Exchange x = c.open(H2Client.request("POST", "/prov/svc", "x-api-key", ALICE_KEY), false);
        x.data("payload".getBytes(StandardCharsets.US_ASCII), false);
        x.trailers(new DefaultHttp2Headers().add("x-checksum", "abc"));
        H2Client.Response r = x.response.get(10, TimeUnit.SECONDS);

        assertEquals(200, r.status());
        assertEquals("hello", r.bodyText());
        assertNotNull(r.trailers, "response trailers");
        assertEquals("0", r.trailers.get("grpc-status").toString());
        assertEquals(1, requestTrailer.get());
        assertArrayEquals("payload".getBytes(StandardCharsets.US_ASCII), upstream.last().body());
    }

    @Test
    void shouldRefuseConnectionSpecificFieldsAsMalformed() throws Exception {
        upstream = okUpstream();
        gateway = setup.start();
        H2Client c = client(65535);

        Http2Headers h = new DefaultHttp2Headers(false).method("GET").path("/prov/svc").scheme("http")
                .authority("gw").add("x-api-key", ALICE_KEY).add("connection", "keep-alive");
        H2Client.Response r = c.send(h, null);

        // RFC 9113 §8.2.2: malformed, a stream error of type PROTOCOL_ERROR.
        assertEquals(Http2Error.PROTOCOL_ERROR.code(), r.resetCode);
        assertEquals(0, upstream.requests());
        assertEquals(200, c.send(get("/prov/svc"), null).status());
    }

    @Test
    void shouldRefuseAValueWithANewlineBeforeItReachesAnHttp11Upstream() throws Exception {
        upstream = okUpstream();
        gateway = setup.start();
        H2Client c = client(65535);

        Http2Headers h = new DefaultHttp2Headers(false).method("GET").path("/prov/svc").scheme("http")
                .authority("gw").add("x-api-key", ALICE_KEY).add("x-note", "a\r\nX-Gozargah-Consumer: bob");
        H2Client.Response r = c.send(h, null);

        assertTrue(r.resetCode == Http2Error.PROTOCOL_ERROR.code() || r.status() == 400,
                "reset " + r.resetCode);
        assertEquals(0, upstream.requests());
    }

    @Test
    void shouldLetOpenStreamsFinishAndSayGoAwayWhenTheGatewayDrains() throws Exception {
        upstream = setup.provider((ctx, req) -> ctx.executor().schedule(() -> {
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer("late", StandardCharsets.US_ASCII));
            resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, 4);
            ctx.writeAndFlush(resp);
        }, 300, TimeUnit.MILLISECONDS));
        gateway = setup.start();
        H2Client c = client(65535);
        H2Client.Exchange x = c.open(get("/prov/svc"), true);
        Await.until(() -> upstream.requests() == 1, "the request upstream");

        java.util.concurrent.CompletableFuture<Void> stopped =
                gateway.gateway().shutdownGracefully(java.time.Duration.ofSeconds(5));

        H2Client.Response r = x.response.get(5, TimeUnit.SECONDS);
        assertEquals(200, r.status());
        assertEquals("late", r.bodyText());
        assertEquals(Http2Error.NO_ERROR.code(), c.goAway().get(5, TimeUnit.SECONDS));
        stopped.get(10, TimeUnit.SECONDS);
    }

}
