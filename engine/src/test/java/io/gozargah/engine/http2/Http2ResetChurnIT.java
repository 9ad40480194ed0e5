package io.gozargah.engine.http2;

import io.gozargah.engine.testing.Await;
import io.gozargah.engine.exchange.Exchange;
import io.gozargah.engine.exchange.ExchangeStage;
import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.H2Client;
import io.gozargah.engine.testing.RawH2Client;
import io.gozargah.engine.testing.TestUpstream;
import io.gozargah.engine.upstream.UpstreamPoolStats;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Error;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static io.gozargah.engine.testing.GatewayFixture.BOB_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streams reset in bulk, by the client (Rapid Reset) or by the gateway because the client made it (MadeYouReset):
 * the gateway answers a client's stream error with the error's own code, ends a connection that provokes too
 * many resets with GOAWAY ENHANCE_YOUR_CALM, never lets a stream reset before it went upstream take an upstream
 * connection, keeps the connection of one reset after it went upstream, and keeps bounded what the attacker's
 * consumer is charged. Meanwhile another consumer, on its own connection, is served.
 */
class Http2ResetChurnIT {
    private static final int MAX_RST = 50;
    private static final int MAX_PROVOKED = 20;
    private static final int DRAIN_BYTES = 4096;
    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private GatewayFixture gateway;
    private final AdmittedCount admitted = new AdmittedCount();

    /** Exchanges of alice (the attacker) that passed admission: what her rates and quotas were charged. */
    static final class AdmittedCount implements ExchangeStage {
        final AtomicInteger alice = new AtomicInteger();

        @Override
        public void complete(Exchange x) {
            if (x.admitted() && x.consumer() != null && "alice".equals(x.consumer().name())) {
                alice.incrementAndGet();
            }
        }
    }

    private void start(TestUpstream.Responder responder) throws Exception {
        upstream = setup.provider(responder);
        String yaml = setup.standardYaml(null, null)
                .replace("    grants: []\n", "    grants:\n      - service: prov/svc\n")
                + "http2:\n  maxRstFramesPerWindow: " + MAX_RST + "\n  maxProvokedRstFramesPerWindow: "
                + MAX_PROVOKED + "\n  maxDrainedResponseBytes: " + DRAIN_BYTES + "\n";
        gateway = setup.start(yaml, List.of(admitted));
    }

    /** Answers 200 "ok" through Netty's encoder (raw writes below it stall a connection after 128 requests). */
    private void startAnsweringOk() throws Exception {
        start((ctx, req) -> {
            FullHttpResponse ok = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII));
            ok.headers().set(HttpHeaderNames.CONTENT_LENGTH, 2);
            ctx.writeAndFlush(ok);
        });
    }

    @Test
    void shouldResetAZeroWindowIncrementAsAProtocolErrorAndCalmAConnectionThatRepeatsIt() throws Exception {
        startAnsweringOk();
        try (Bystander bob = new Bystander(gateway.port())) {
            bob.awaitServed(1);
            long created = created();
            try (RawH2Client attacker = new RawH2Client(gateway.port())) {
                // MadeYouReset: a whole request, then a frame that is a stream error (RFC 9113 §6.9).
                byte[] block = RawH2Client.get("/prov/svc", ALICE_KEY);
                StreamFrames madeYouReset = stream -> {
                    attacker.frame(RawH2Client.HEADERS, RawH2Client.END_STREAM | RawH2Client.END_HEADERS, stream,
                            block);
                    attacker.windowUpdate(stream, 0);
                };
                // The first stream alone, its answer read before the flood: once the gateway hangs up on the flood,
                // a TCP reset may discard what it sent before.
                madeYouReset.write(1);
                attacker.flush();
                RawH2Client.Frame first = attacker.awaitReset(1, 10);
                assertNotNull(first, "the first stream is reset");
                assertEquals(Http2Error.PROTOCOL_ERROR.code(), first.rstCode(), "a zero increment is a PROTOCOL_ERROR");

                int sent = 1 + flood(attacker, 3, madeYouReset);
                assertCalmedDown(attacker, sent);
            }
            assertTrue(admitted.alice.get() <= MAX_PROVOKED + 1, admitted.alice.get()
                    + " of the attack's exchanges were charged to its consumer");
            assertTrue(created() - created <= 1, (created() - created) + " upstream connections opened");
            assertTrue(aliceRequestsUpstream() <= 5, aliceRequestsUpstream() + " requests reached the provider");
            bob.awaitServedMore(3);
        }
    }

    @Test
    void shouldCalmAConnectionWhoseMalformedRequestsKeepTheirStreamsOpen() throws Exception {
        startAnsweringOk();
        try (Bystander bob = new Bystander(gateway.port())) {
            bob.awaitServed(1);
            try (RawH2Client attacker = new RawH2Client(gateway.port())) {
                // A body longer than its content-length is malformed (RFC 9113 §8.1.1); Netty's decoder finds it
                // and the stream is reset with its code.
                attacker.frame(RawH2Client.HEADERS, RawH2Client.END_HEADERS, 1, RawH2Client.block(":method", "POST",
                        ":scheme", "http", ":path", "/prov/svc", ":authority", "gw", "x-api-key", ALICE_KEY,
                        "content-length", "1"));
                attacker.frame(RawH2Client.DATA, 0, 1, new byte[]{'a', 'b'});
                attacker.flush();
                RawH2Client.Frame belied = attacker.awaitReset(1, 10);
                assertNotNull(belied);
                assertEquals(Http2Error.PROTOCOL_ERROR.code(), belied.rstCode());

                // A request the gateway finds malformed while its body is still to come gets its 400 and a
                // PROTOCOL_ERROR reset for the rest, which counts as provoked.
                byte[] block = RawH2Client.block(":method", "POST", ":scheme", "http", ":path", "/prov/svc/a|b",
                        ":authority", "gw", "x-api-key", ALICE_KEY);
                int sent = flood(attacker, stream -> attacker.frame(RawH2Client.HEADERS, RawH2Client.END_HEADERS,
                        stream + 2, block));
                RawH2Client.Frame answer = attacker.awaitHeaders(3, 10);
                assertNotNull(answer);
                assertEquals(400, answer.status());
                RawH2Client.Frame reset = attacker.awaitReset(3, 10);
                assertNotNull(reset);
                assertEquals(Http2Error.PROTOCOL_ERROR.code(), reset.rstCode());
                assertCalmedDown(attacker, sent);
            }
            assertEquals(0, aliceRequestsUpstream(), "no malformed request reaches the provider");
            bob.awaitServedMore(3);
        }
    }

    @Test
    void shouldNotTouchAnUpstreamConnectionForStreamsResetInTheSameRead() throws Exception {
        startAnsweringOk();
        try (Bystander bob = new Bystander(gateway.port())) {
            bob.awaitServed(1);
            long created = created();
            try (RawH2Client attacker = new RawH2Client(gateway.port())) {
                byte[] block = RawH2Client.get("/prov/svc", ALICE_KEY);
                int sent = flood(attacker, stream -> {
                    attacker.frame(RawH2Client.HEADERS, RawH2Client.END_STREAM | RawH2Client.END_HEADERS, stream,
                            block);
                    attacker.rst(stream, (int) Http2Error.CANCEL.code());
                });
                RawH2Client.Frame goAway = attacker.awaitGoAway(10);
                assertNotNull(goAway, "a GOAWAY after " + sent + " HEADERS+RST_STREAM pairs");
                assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.goAwayCode());
                assertTrue(attacker.awaitClosed(10));
            }
            assertTrue(admitted.alice.get() <= MAX_RST + 1, admitted.alice.get()
                    + " of the attack's exchanges were charged to its consumer");
            // A pair split over two reads goes upstream before its reset; its connection is kept, not replaced.
            assertTrue(created() - created <= 1, (created() - created) + " upstream connections opened");
            assertTrue(aliceRequestsUpstream() <= 5, aliceRequestsUpstream() + " requests reached the provider");
            bob.awaitServedMore(3);
        }
    }

    @Test
    void shouldKeepTheUpstreamConnectionOfAStreamResetAfterItsRequestWentUpstream() throws Exception {
        // The provider answers a moment later, so that each reset arrives while its answer is pending.
        start((ctx, req) -> {
            String body = req.uri().endsWith("/big") ? "x".repeat(4 * DRAIN_BYTES) : "ok";
            ctx.executor().schedule(() -> TestUpstream.writeRaw(ctx, "HTTP/1.1 200 OK\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body), 50, TimeUnit.MILLISECONDS);
        });
        try (RawH2Client client = new RawH2Client(gateway.port())) {
            byte[] block = RawH2Client.get("/prov/svc", ALICE_KEY);
            for (int i = 0; i < 10; i++) {
                int stream = 1 + 2 * i;
                client.frame(RawH2Client.HEADERS, RawH2Client.END_STREAM | RawH2Client.END_HEADERS, stream, block);
                client.flush();
                int n = i + 1;
                Await.until(() -> upstream.requests() == n, "request " + n + " reaches the provider");
                client.rst(stream, (int) Http2Error.CANCEL.code());
                client.flush();
                // The answer is read and dropped, and the connection goes back to the pool.
                Await.until(() -> pool().idle() == 1, "the connection of stream " + stream + " is idle again");
            }
            assertEquals(1, pool().created(), "ten resets after the request went upstream cost no connection");

            // An answer longer than the drain allows closes its connection instead.
            int big = 21;
            client.frame(RawH2Client.HEADERS, RawH2Client.END_STREAM | RawH2Client.END_HEADERS, big,
                    RawH2Client.get("/prov/svc/big", ALICE_KEY));
            client.flush();
            Await.until(() -> upstream.requests() == 11, "the big request reaches the provider");
            client.rst(big, (int) Http2Error.CANCEL.code());
            client.flush();
            Await.until(() -> pool().open() == 0, "the connection of an answer past the drain limit is closed");

            // The connection is still the client's: a request on it is answered.
            client.frame(RawH2Client.HEADERS, RawH2Client.END_STREAM | RawH2Client.END_HEADERS, 23, block);
            client.flush();
            RawH2Client.Frame answer = client.awaitHeaders(23, 10);
            assertNotNull(answer);
            assertEquals(200, answer.status());
        }
    }

    @Test
    void shouldCloseTheUpstreamConnectionOfAResetStreamWhoseAnswerNeverComes() throws Exception {
        start((ctx, req) -> {
            // never answers
        });
        try (RawH2Client client = new RawH2Client(gateway.port())) {
            client.frame(RawH2Client.HEADERS, RawH2Client.END_STREAM | RawH2Client.END_HEADERS, 1,
                    RawH2Client.get("/prov/slow", ALICE_KEY));
            client.flush();
            Await.until(() -> upstream.requests() == 1, "the request reaches the provider");
            client.rst(1, (int) Http2Error.CANCEL.code());
            client.flush();
            // Within the service's response timeout (300 ms), not the provider's idle timeout.
            Await.until(() -> pool().open() == 0, "the drained connection is closed when the answer does not come");
        }
    }

    /** Sends {@code frames} for streams 1, 3, 5... until the gateway says GOAWAY or hangs up; returns the count. */
    private static int flood(RawH2Client attacker, StreamFrames frames) throws Exception {
        return flood(attacker, 1, frames);
    }

    /** Writes {@code frames} for up to 2,000 streams from {@code firstStream} on, until the gateway says GOAWAY. */
    private static int flood(RawH2Client attacker, int firstStream, StreamFrames frames) throws Exception {
        int sent = 0;
        try {
            for (int i = 0; i < 2000; i++) {
                frames.write(firstStream + 2 * i);
                sent++;
                if (i % 10 == 9) {
                    attacker.flush();
                    if (attacker.count(RawH2Client.GOAWAY) > 0) {
                        break; // stop writing, or a TCP reset could discard what the server sent
                    }
                }
            }
            attacker.flush();
        } catch (IOException closed) {
            // the gateway hung up mid-attack
        }
        return sent;
    }

    @FunctionalInterface
    private interface StreamFrames {
        void write(int stream) throws IOException;
    }

    /** GOAWAY ENHANCE_YOUR_CALM within a bounded number of streams, then the close. */
    private static void assertCalmedDown(RawH2Client attacker, int sent) throws Exception {
        RawH2Client.Frame goAway = attacker.awaitGoAway(10);
        assertNotNull(goAway, "a GOAWAY after " + sent + " streams");
        assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.goAwayCode());
        assertTrue(attacker.count(RawH2Client.RST_STREAM) <= MAX_PROVOKED + 1,
                attacker.count(RawH2Client.RST_STREAM) + " resets sent");
        assertTrue(attacker.awaitClosed(10), "the connection is closed");
    }

    private long aliceRequestsUpstream() {
        return upstream.recorded().stream().filter(r -> "alice".equals(r.headers().get("X-Gozargah-Consumer")))
                .count();
    }

    private long created() {
        return gateway.gateway().upstreamPoolStats().stream().mapToLong(UpstreamPoolStats::created).sum();
    }

    private UpstreamPoolStats pool() {
        List<UpstreamPoolStats> stats = gateway.gateway().upstreamPoolStats();
        return stats.isEmpty() ? new UpstreamPoolStats("none", 0, 0, 0, 0, 0, 0) : stats.get(0);
    }

    /** Another consumer (bob) on its own connection, sending one request after another while a test runs. */
    private static final class Bystander implements AutoCloseable {
        private final H2Client client;
        private final Thread thread;
        private final AtomicInteger served = new AtomicInteger();
        private final AtomicInteger failed = new AtomicInteger();
        private volatile boolean stop;
        private volatile String failure;

        Bystander(int port) throws InterruptedException {
            client = new H2Client(port);
            thread = new Thread(this::run, "bystander");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            while (!stop) {
                try {
                    H2Client.Response r = client.send(H2Client.request("GET", "/prov/svc", "x-api-key", BOB_KEY), null);
                    if (r.headers != null && r.status() == 200) {
                        served.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        failure = r.headers == null ? "reset " + r.resetCode : "status " + r.status();
                    }
                } catch (Exception e) {
                    failed.incrementAndGet();
                    failure = e.toString();
                }
            }
        }

        void awaitServed(int n) throws InterruptedException {
            Await.until(() -> served.get() >= n || failed.get() > 0, "the bystander is served " + n + " times");
            assertEquals(0, failed.get(), "the bystander failed: " + failure);
        }

        /** The bystander is served {@code n} more times from now, and never failed. */
        void awaitServedMore(int n) throws InterruptedException {
            awaitServed(served.get() + n);
        }

        @Override
        public void close() throws Exception {
            stop = true;
            thread.join(TimeUnit.SECONDS.toMillis(10));
            client.close();
        }
    }
}
