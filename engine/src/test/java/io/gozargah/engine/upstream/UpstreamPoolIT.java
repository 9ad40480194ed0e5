package io.gozargah.engine.upstream;

import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.RawHttpClient.Response;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-loop upstream pool seen from outside: its connection limit (waiters, then 503 overloaded after the
 * connect timeout) and the single retry of a safe request on a pooled connection the provider had closed.
 */
class UpstreamPoolIT {
    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private GatewayFixture gateway;

    /** One loop, one connection per loop: every exchange shares a single upstream connection. */
    private void startGateway(String connectTimeout) throws Exception {
        String yaml = setup.standardYaml("    maxConnectionsPerLoop: 1\n", null)
                .replace("eventLoops: 2", "eventLoops: 1")
                .replace("connectTimeout: 1s", "connectTimeout: " + connectTimeout);
        gateway = setup.start(yaml);
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: gw.test\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n";
    }

    private static FullHttpResponse text(String body) {
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
        return resp;
    }

    /** A request the upstream received and has not answered yet. */
    private record Held(ChannelHandlerContext ctx, String uri) {
        void answer() {
            ctx.executor().execute(() -> ctx.writeAndFlush(text(uri)));
        }
    }

    /** An upstream that answers nothing until the test takes the request from the queue and answers it. */
    private BlockingQueue<Held> holdingUpstream() throws Exception {
        BlockingQueue<Held> held = new LinkedBlockingQueue<>();
        upstream = setup.provider((ctx, req) -> held.add(new Held(ctx, req.uri())));
        return held;
    }

    @Test
    void shouldQueueSecondClientForTheOnlyConnection() throws Exception {
        BlockingQueue<Held> held = holdingUpstream();
        startGateway("2s");
        try (RawHttpClient first = new RawHttpClient(gateway.port());
             RawHttpClient second = new RawHttpClient(gateway.port())) {
            first.send(get("/prov/svc/first"));
            Held h1 = held.poll(5, TimeUnit.SECONDS);
            assertNotNull(h1, "the first request reached the upstream");
            assertEquals("/base/api/svc/first", h1.uri());

            second.send(get("/prov/svc/second"));
            // The only connection is busy: the second exchange waits in the pool, unanswered.
            second.soTimeout(300);
            assertThrows(SocketTimeoutException.class, second::read);
            assertEquals(1, upstream.requests());

            h1.answer();
            Response r1 = first.read();
            assertEquals(200, r1.status());
            assertEquals("/base/api/svc/first", r1.bodyText());

            Held h2 = held.poll(5, TimeUnit.SECONDS);
            assertNotNull(h2, "the waiting request went out once the connection was released");
            assertEquals("/base/api/svc/second", h2.uri());
            h2.answer();
            second.soTimeout(10_000);
            Response r2 = second.read();
            assertEquals(200, r2.status());
            assertEquals("/base/api/svc/second", r2.bodyText());
        }
        assertEquals(2, upstream.requests());
        assertEquals(1, upstream.connections(), "the second exchange reused the first one's connection");
    }

    @Test
    void shouldAnswerOverloadedAtOnceWhenThePendingQueueIsFull() throws Exception {
        BlockingQueue<Held> held = holdingUpstream();
        gateway = setup.start(setup.standardYaml("    maxConnectionsPerLoop: 1\n    maxPendingAcquisitionsPerLoop: 1\n",
                null).replace("eventLoops: 2", "eventLoops: 1").replace("connectTimeout: 1s", "connectTimeout: 10s"));
        try (RawHttpClient first = new RawHttpClient(gateway.port());
             RawHttpClient second = new RawHttpClient(gateway.port());
             RawHttpClient third = new RawHttpClient(gateway.port())) {
            first.send(get("/prov/svc/first"));
            Held h1 = held.poll(5, TimeUnit.SECONDS);
            assertNotNull(h1);
            second.send(get("/prov/svc/second"));
            second.soTimeout(300);
            assertThrows(SocketTimeoutException.class, second::read, "the second request waits: the queue has room");

            // The queue is full: the third is refused now, not after the 10 s connect timeout.
            third.soTimeout(5_000);
            Response r3 = third.send(get("/prov/svc/third")).read();
            assertEquals(503, r3.status(), r3.bodyText());
            assertTrue(r3.bodyText().contains("urn:gozargah:error:overloaded"), r3.bodyText());
            assertTrue(r3.bodyText().contains("prov"), "the answer names the provider: " + r3.bodyText());

            h1.answer();
            assertEquals(200, first.read().status());
            Held h2 = held.poll(5, TimeUnit.SECONDS);
            assertNotNull(h2, "the waiting request went out once the connection was released");
            h2.answer();
            second.soTimeout(10_000);
            assertEquals(200, second.read().status());
        }
        assertEquals(2, upstream.requests(), "the refused request never reached the provider");
    }

    @Test
    void shouldAnswerOverloadedWhenTheConnectionStaysBusyPastConnectTimeout() throws Exception {
        BlockingQueue<Held> held = holdingUpstream();
        startGateway("300ms");
        try (RawHttpClient first = new RawHttpClient(gateway.port());
             RawHttpClient second = new RawHttpClient(gateway.port())) {
            first.send(get("/prov/svc/first"));
            Held h1 = held.poll(5, TimeUnit.SECONDS);
            assertNotNull(h1);

            long t0 = System.nanoTime();
            Response r2 = second.send(get("/prov/svc/second")).read();
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(503, r2.status(), r2.bodyText());
            assertEquals("application/problem+json", r2.header("Content-Type"));
            assertTrue(r2.bodyText().contains("\"type\":\"urn:gozargah:error:overloaded\""), r2.bodyText());
            assertTrue(waitedMillis >= 250, "waited the 300 ms connect timeout for a connection, not " + waitedMillis);
            assertEquals(1, upstream.requests(), "the refused request never reached the upstream");

            h1.answer();
            Response r1 = first.read();
            assertEquals(200, r1.status());
            assertEquals("/base/api/svc/first", r1.bodyText());
        }
        assertEquals(1, upstream.requests());
        assertEquals(1, upstream.connections());
    }

    @Test
    void shouldOpenFreshConnectionWhenPooledConnectionWasClosedByUpstreamWhileIdle() throws Exception {
        CountDownLatch firstConnectionClosed = new CountDownLatch(1);
        upstream = setup.provider((ctx, req) -> {
            if (req.uri().endsWith("/first")) {
                // A keep-alive answer (no Connection: close), then the provider drops the idle connection.
                ctx.writeAndFlush(text(req.uri())).addListener(ChannelFutureListener.CLOSE);
                ctx.channel().closeFuture().addListener(f -> firstConnectionClosed.countDown());
            } else {
                ctx.writeAndFlush(text(req.uri()));
            }
        });
        startGateway("1s");
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            Response r1 = c.send(get("/prov/svc/first")).read();
            assertEquals(200, r1.status());
            assertTrue(firstConnectionClosed.await(5, TimeUnit.SECONDS));

            Response r2 = c.send(get("/prov/svc/second")).read();
            assertEquals(200, r2.status(), r2.bodyText());
            assertEquals("/base/api/svc/second", r2.bodyText());
        }
        long seconds = upstream.recorded().stream().filter(r -> r.uri().endsWith("/second")).count();
        assertEquals(1, seconds, "the upstream saw the second request exactly once");
        assertEquals(2, upstream.requests());
        assertEquals(2, upstream.connections());
    }

    /**
     * The keep-alive race made deterministic: the provider's first connection takes the next request's bytes
     * and closes without answering or passing them to its HTTP layer, as a provider closing an idle
     * connection at the moment the request arrives does.
     */
    private static final class StaleAfterFirstResponse extends ChannelInboundHandlerAdapter {
        private final boolean stale;
        private final AtomicInteger dropped;
        private boolean firstDone;

        StaleAfterFirstResponse(boolean stale, AtomicInteger dropped) {
            this.stale = stale;
            this.dropped = dropped;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!stale || !firstDone) {
                firstDone |= msg instanceof io.netty.handler.codec.http.LastHttpContent;
                ctx.fireChannelRead(msg);
                return;
            }
            io.netty.util.ReferenceCountUtil.release(msg);
            if (ctx.channel().isOpen()) {
                dropped.incrementAndGet();
                ctx.close();
            }
        }
    }

    private final List<String> seen = new CopyOnWriteArrayList<>();

    /** An upstream whose first connection goes stale after one exchange; it records each request its HTTP layer sees. */
    private AtomicInteger staleUpstream() throws Exception {
        AtomicInteger dropped = new AtomicInteger();
        AtomicInteger connectionIndex = new AtomicInteger();
        upstream = setup.provider(TestUpstream.raw(() -> new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpServerCodec(),
                        new StaleAfterFirstResponse(connectionIndex.getAndIncrement() == 0, dropped),
                        new HttpObjectAggregator(1 << 20),
                        new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                FullHttpRequest req = (FullHttpRequest) msg;
                                try {
                                    seen.add(req.method() + " " + req.uri());
                                    ctx.writeAndFlush(text(req.uri()));
                                } finally {
                                    req.release();
                                }
                            }
                        });
            }
        }));
        return dropped;
    }

    @Test
    void shouldRetrySafeRequestOnceOnFreshConnectionWhenReusedConnectionDies() throws Exception {
        AtomicInteger dropped = staleUpstream();
        startGateway("1s");
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            assertEquals(200, c.send(get("/prov/svc/first")).read().status());
            Response r2 = c.send(get("/prov/svc/second")).read();
            assertEquals(200, r2.status(), r2.bodyText());
            assertEquals("/base/api/svc/second", r2.bodyText());
        }
        assertEquals(1, dropped.get(), "the second request went out on the reused connection first");
        assertEquals(List.of("GET /base/api/svc/first", "GET /base/api/svc/second"), seen,
                "retried once on a fresh connection; the provider processed it exactly once");
        assertEquals(2, upstream.connections());
    }

    @Test
    void shouldNotRetryRequestWithBodyWhenReusedConnectionDies() throws Exception {
        AtomicInteger dropped = staleUpstream();
        startGateway("1s");
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            assertEquals(200, c.send(get("/prov/svc/first")).read().status());
            Response r2 = c.send("POST /prov/svc/second HTTP/1.1\r\nHost: gw.test\r\nX-Api-Key: " + ALICE_KEY
                    + "\r\nContent-Length: 2\r\n\r\nhi").read();
            assertEquals(502, r2.status(), r2.bodyText());
            assertTrue(r2.bodyText().contains("\"type\":\"urn:gozargah:error:upstream-unavailable\""), r2.bodyText());
        }
        assertEquals(1, dropped.get());
        assertEquals(List.of("GET /base/api/svc/first"), seen, "a POST is never repeated on the gateway's own account");
        assertEquals(1, upstream.connections());
    }
}
