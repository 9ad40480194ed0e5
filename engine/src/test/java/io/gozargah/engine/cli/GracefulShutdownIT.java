package io.gozargah.engine.cli;

import io.gozargah.engine.testing.ChildGateway;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.RawHttpClient.Response;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static io.gozargah.engine.testing.GatewayFixture.BOB_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real daemon ({@code gozargah run}) in a child JVM, as an operator runs it: SIGTERM stops new
 * connections, lets the in-flight exchange finish, and exits 0; an exchange outliving shutdownGrace is cut
 * and the process still exits 0 once the grace is over.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GracefulShutdownIT {
    @TempDir
    Path dir;

    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private final BlockingQueue<ChannelHandlerContext> held = new LinkedBlockingQueue<>();
    private ChildGateway child;

    private static FullHttpResponse text(String body) {
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
        return resp;
    }

    private static void release(ChannelHandlerContext ctx, String body) {
        ctx.executor().execute(() -> ctx.writeAndFlush(text(body)));
    }

    /** Starts {@code gozargah run} on {@code port} and returns once its listener is up (its log line says so). */
    private void startChild(int port, String grace, String responseTimeout) throws Exception {
        upstream = setup.provider((ctx, req) -> held.add(ctx));
        String yaml = setup.standardYaml(null, null)
                .replace("port: 0", "port: " + port)
                .replace("shutdownGrace: 2s", "shutdownGrace: " + grace)
                .replace("responseTimeout: 2s", "responseTimeout: " + responseTimeout);
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, yaml);
        child = setup.closeAfter(ChildGateway.start(config));
        child.awaitLog(l -> l.contains("listening: test on 127.0.0.1:" + port), 30);
    }

    /**
     * SIGTERM through the process handle: {@code Process.destroy()} sends the same signal but also closes
     * our end of the child's stderr, and the drain's log lines are what the test reads next.
     */
    private void sigterm() {
        assertTrue(child.process().toHandle().destroy(), "SIGTERM sent");
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: gw.test\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n";
    }

    private static void assertRefused(int port) {
        assertThrows(ConnectException.class, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            }
        }, "the listener is closed once draining starts");
    }

    @Test
    void shouldFinishInFlightRequestAndExitZeroOnSigterm() throws Exception {
        int port = ChildGateway.freePort();
        startChild(port, "10s", "20s");
        try (RawHttpClient c = new RawHttpClient(port)) {
            c.send(get("/prov/svc/inflight"));
            ChannelHandlerContext request = held.poll(10, TimeUnit.SECONDS);
            assertNotNull(request, "the request reached the upstream");

            long t0 = System.nanoTime();
            sigterm();
            child.awaitLog(l -> l.startsWith("Gateway: draining"), 10); // logged once the listener is closed
            assertRefused(port);
            assertTrue(child.process().isAlive(), "the drain waits for the exchange in flight");

            release(request, "finished");
            Response r = c.read();
            assertEquals(200, r.status());
            assertEquals("finished", r.bodyText());
            assertEquals("close", r.header("Connection"), "a draining gateway closes after the response");
            assertTrue(c.closedByPeer());

            assertTrue(child.process().waitFor(10, TimeUnit.SECONDS), "the child exits once drained");
            assertEquals(0, child.process().exitValue());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10),
                    "exited when the last exchange ended, not at the end of the 10 s grace");
        }
    }

    @Test
    void shouldExitZeroAfterGraceWhenResponseIsHeldLonger() throws Exception {
        int port = ChildGateway.freePort();
        startChild(port, "1s", "30s");
        try (RawHttpClient c = new RawHttpClient(port)) {
            c.send(get("/prov/svc/stuck"));
            ChannelHandlerContext request = held.poll(10, TimeUnit.SECONDS);
            assertNotNull(request, "the request reached the upstream");

            long t0 = System.nanoTime();
            sigterm();
            child.awaitLog(l -> l.startsWith("Gateway: draining"), 10); // logged once the listener is closed
            assertRefused(port);

            assertTrue(child.process().waitFor(1 + GatewayProcess.STUCK_MARGIN.toSeconds(), TimeUnit.SECONDS),
                    "the child exits once the grace is over; it said:\n" + child.log());
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(0, child.process().exitValue(), child.log());
            assertTrue(tookMillis >= 900, "waited out the 1 s grace first, took " + tookMillis + " ms");
            // The exchange was cut: the client sees the connection end without a response.
            assertTrue(c.closedByPeer());
            assertTrue(request.channel().closeFuture().await(5, TimeUnit.SECONDS),
                    "the upstream connection was closed too");
        }
    }

    @Test
    void shouldReloadTheConfigOnSighupAndKeepItWhenTheFileIsBad() throws Exception {
        int port = ChildGateway.freePort();
        startChild(port, "2s", "5s");
        Path config = dir.resolve("gateway.yaml");
        try (RawHttpClient c = new RawHttpClient(port)) {
            c.send(get("/prov/svc").replace(ALICE_KEY, BOB_KEY));
            assertEquals(403, c.read().status(), "bob has no grant yet");

            Files.writeString(config, Files.readString(config).replace("    grants: []\n",
                    "    grants:\n      - service: prov/svc\n"));
            sighup();
            child.awaitLog(l -> l.startsWith("Gateway: configuration reloaded"), 10);
            c.send(get("/prov/svc").replace(ALICE_KEY, BOB_KEY));
            ChannelHandlerContext request = held.poll(10, TimeUnit.SECONDS);
            assertNotNull(request, "bob's request now goes upstream");
            release(request, "granted");
            assertEquals(200, c.read().status());

            Files.writeString(config, Files.readString(config) + "nonsense: 1\n");
            sighup();
            child.awaitLog(l -> l.startsWith("ConfigReloader: reload refused, keeping the running configuration: "
                    + config + ":"), 10);
            assertTrue(child.process().isAlive());
            c.send(get("/prov/svc").replace(ALICE_KEY, BOB_KEY));
            release(held.poll(10, TimeUnit.SECONDS), "still granted");
            assertEquals(200, c.read().status());
        }
        sigterm();
        assertTrue(child.process().waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, child.process().exitValue(), child.log());
    }

    private void sighup() throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(child.process().pid())).start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, kill.exitValue());
    }
}
