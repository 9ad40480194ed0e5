package io.gozargah.engine.exchange;

import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.RawHttpClient.Response;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AsciiString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static io.gozargah.engine.testing.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stages see every exchange once, with its facts, whatever became of it. */
class ExchangeStagesIT {
    private static final String BODY = "{\"ok\":true}";

    /** What a stage saw at completion. */
    record Seen(Outcome outcome, int status, String consumer, String service, long requestBytes, long responseBytes,
                boolean admitted, boolean wentUpstream, long startEpochNanos, long txMsb, long txLsb, long durationNanos) {
    }

    static final class RecordingStage implements ExchangeStage {
        final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
        final ByteArrayOutputStream requestContent = new ByteArrayOutputStream();
        final AsciiString header = AsciiString.cached("X-Stage");
        final byte[] value = "seen-by-stage".getBytes(StandardCharsets.US_ASCII);

        @Override
        public void requestContent(Exchange x, ByteBuf buf, int index, int length) {
            byte[] b = new byte[length];
            buf.getBytes(index, b);
            synchronized (requestContent) {
                requestContent.write(b, 0, length);
            }
        }

        @Override
        public void responseHeaders(Exchange x, HeaderSink sink) {
            sink.header(header, value, 0, value.length);
        }

        @Override
        public void complete(Exchange x) {
            seen.add(new Seen(x.outcome(), x.status(), x.consumer() == null ? null : x.consumer().name(),
                    x.service() == null ? null : x.service().qualifiedName(), x.requestBodyBytes(),
                    x.responseBodyBytes(), x.admitted(), x.upstreamStartNanos() != 0, x.startEpochNanos(),
                    x.txMsb(), x.txLsb(), x.endNanos() - x.startNanos()));
        }
    }

    /** Refuses every request as rate-limited, as an admission stage would. */
    static final class RefusingStage implements ExchangeStage {
        @Override
        public Outcome admit(Exchange x) {
            x.retryAfterSeconds(7);
            x.refusalDetail("test refusal for " + x.consumer().name());
            return Outcome.RATE_LIMITED;
        }
    }

    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private GatewayFixture gateway;

    private void start(List<ExchangeStage> stages) throws Exception {
        upstream = setup.provider(TestUpstream.answering(BODY));
        gateway = setup.start(setup.standardYaml(null, null), stages);
    }

    @Test
    void shouldCompleteEachProxiedExchangeOnceWithItsFacts() throws Exception {
        RecordingStage rec = new RecordingStage();
        start(List.of(rec));
        long before = System.currentTimeMillis() * 1_000_000L;
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            for (int i = 0; i < 3; i++) {
                c.send("POST /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY
                        + "\r\nContent-Length: 5\r\n\r\nhello");
                Response r = c.read();
                assertEquals(200, r.status());
                assertEquals("seen-by-stage", r.header("X-Stage"));
                // complete() runs before the response is flushed: it is visible once the client has it
                assertEquals(i + 1, rec.seen.size());
            }
        }
        long after = System.currentTimeMillis() * 1_000_000L;
        List<Seen> all = List.copyOf(rec.seen);
        for (Seen s : all) {
            assertEquals(Outcome.PROXIED, s.outcome());
            assertEquals(200, s.status());
            assertEquals("alice", s.consumer());
            assertEquals("prov/svc", s.service());
            assertEquals(5, s.requestBytes());
            assertEquals(BODY.length(), s.responseBytes());
            assertTrue(s.admitted());
            assertTrue(s.wentUpstream());
            assertTrue(s.durationNanos() > 0);
            assertTrue(s.startEpochNanos() >= before - TimeUnit.MILLISECONDS.toNanos(50)
                    && s.startEpochNanos() <= after + TimeUnit.MILLISECONDS.toNanos(50), "epoch time " + s);
        }
        assertEquals(3, all.stream().map(s -> s.txMsb() + ":" + s.txLsb()).distinct().count(), "distinct ids");
        synchronized (rec.requestContent) {
            assertArrayEquals("hellohellohello".getBytes(StandardCharsets.US_ASCII), rec.requestContent.toByteArray());
        }
    }

    @Test
    void shouldCompleteRefusedExchangesWithTheirOutcome() throws Exception {
        RecordingStage rec = new RecordingStage();
        start(List.of(rec));
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            c.send("GET /prov/svc HTTP/1.1\r\nHost: gw\r\n\r\n");
            Response r = c.read();
            assertProblem(r, 401, "unauthenticated");
            c.send("GET /prov/nothing HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n");
            assertProblem(c.read(), 404, "unknown-service");
        }
        List<Seen> all = List.copyOf(rec.seen);
        assertEquals(2, all.size());
        assertEquals(Outcome.UNAUTHENTICATED, all.get(0).outcome());
        assertEquals(401, all.get(0).status());
        assertNull(all.get(0).consumer());
        assertEquals("prov/svc", all.get(0).service());
        assertFalse(all.get(0).admitted());
        assertFalse(all.get(0).wentUpstream());
        assertEquals(Outcome.UNKNOWN_SERVICE, all.get(1).outcome());
        assertEquals("alice", all.get(1).consumer());
        assertNull(all.get(1).service());
        assertEquals(0, upstream.requests());
    }

    @Test
    void shouldAnswerAStageRefusalWithItsProblemAndRetryAfter() throws Exception {
        RecordingStage rec = new RecordingStage();
        start(List.of(new RefusingStage(), rec));
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            c.send("GET /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n");
            Response r = c.read();
            assertProblem(r, 429, "rate-limited");
            assertEquals("7", r.header("Retry-After"));
            assertTrue(r.bodyText().contains("test refusal for alice"), r.bodyText());
            assertEquals("seen-by-stage", r.header("X-Stage"));
            // the connection stays usable after a refusal
            c.send("GET /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n");
            assertProblem(c.read(), 429, "rate-limited");
        }
        assertEquals(0, upstream.requests());
        List<Seen> all = List.copyOf(rec.seen);
        assertEquals(2, all.size());
        assertEquals(Outcome.RATE_LIMITED, all.get(0).outcome());
        assertFalse(all.get(0).admitted());
    }

    @Test
    void shouldCompleteAnExchangeTheClientAbandons() throws Exception {
        RecordingStage rec = new RecordingStage();
        StringBuffer received = new StringBuffer();
        upstream = setup.provider(TestUpstream.raw(() -> new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                received.append(((ByteBuf) msg).toString(StandardCharsets.ISO_8859_1));
                TestUpstream.release(msg);
            }
        }));
        gateway = setup.start(setup.standardYaml(null, null), List.of(rec));
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            c.send("POST /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY
                    + "\r\nContent-Length: 100\r\n\r\nonly-part");
            awaitTrue(() -> received.indexOf("only-part") >= 0);
        }
        awaitTrue(() -> !rec.seen.isEmpty());
        assertEquals(1, rec.seen.size());
        assertEquals(Outcome.CLIENT_ABORTED, rec.seen.peek().outcome());
        assertEquals(9, rec.seen.peek().requestBytes());
        assertTrue(rec.seen.peek().wentUpstream());
    }

    private static void awaitTrue(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not met within 5 s");
            Thread.onSpinWait();
        }
    }
}
