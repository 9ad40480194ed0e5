package io.gozargah.engine.admin;

import io.gozargah.engine.config.AdminConfig;
import io.gozargah.engine.testing.AdminFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.PrometheusTextParser;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.RawHttpClient.Response;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.channel.ChannelHandlerContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The admin listener's own limits: a connection that sends nothing, or sends its request too slowly, is
 * closed; past admin.maxConnections a connection is closed at once; no deadline runs while an answer is made.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminConnectionLimitsIT {
    private final BlockingQueue<ChannelHandlerContext> held = new LinkedBlockingQueue<>();
    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private AdminFixture fixture;

    private void start(int maxConnections, Duration idle, Duration head) throws Exception {
        upstream = setup.provider((ctx, req) -> held.add(ctx));
        fixture = setup.closeAfter(AdminFixture.start(setup.standardYaml(null, null), Duration.ofSeconds(10),
                new AdminConfig("127.0.0.1", 0, AdminFixture.TOKEN, maxConnections, idle, head)));
    }

    private double metric(String name, String... labels) throws IOException {
        return PrometheusTextParser.parse(fixture.call("GET", "/metrics").bodyText()).value(name, labels);
    }

    @Test
    void shouldCloseAConnectionThatSendsNothing() throws Exception {
        start(64, Duration.ofMillis(300), Duration.ofSeconds(5));
        try (RawHttpClient c = new RawHttpClient(fixture.adminPort())) {
            long t0 = System.nanoTime();
            assertTrue(c.closedByPeer(), "closed after admin.idleTimeout");
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(waited >= 250, "not before the idle timeout: " + waited + " ms");
        }
        assertEquals(1, metric("gozargah_admin_connections_timed_out_total", "timeout", "idle"));
    }

    @Test
    void shouldCloseARequestThatTricklesInPastTheHeadTimeout() throws Exception {
        start(64, Duration.ofMillis(300), Duration.ofMillis(600));
        try (RawHttpClient c = new RawHttpClient(fixture.adminPort())) {
            c.send("GET /health HTTP/1.1\r\nHost: admin\r\n");
            long t0 = System.nanoTime();
            // A byte every 100 ms: never idle for the 300 ms idle timeout, never finished either.
            while (true) {
                try {
                    c.send("X");
                } catch (IOException closed) {
                    break;
                }
                if (c.soTimeout(100).closedByPeer()) {
                    break;
                }
                if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(10)) {
                    fail("still open after 10 s of a request that never ends");
                }
            }
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(waited >= 500, "not before the head timeout: " + waited + " ms");
        }
        assertEquals(1, metric("gozargah_admin_connections_timed_out_total", "timeout", "head"));
    }

    @Test
    void shouldCloseConnectionsPastTheCapAndAnswerAgainWhenOneCloses() throws Exception {
        start(2, Duration.ofSeconds(20), Duration.ofSeconds(20));
        int port = fixture.adminPort();
        try (RawHttpClient first = new RawHttpClient(port); RawHttpClient second = new RawHttpClient(port)) {
            first.send("GET /health HTTP/1.1\r\n"); // both held open, their requests unfinished
            second.send("GET /health HTTP/1.1\r\n");
            try (RawHttpClient third = new RawHttpClient(port)) {
                assertTrue(third.soTimeout(5000).closedByPeer(), "the third is closed at once");
            }
            first.send("Host: admin\r\n\r\n");
            assertEquals(200, first.read().status(), "the held ones are served");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Response health = null;
        while (health == null) {
            try {
                health = fixture.call("GET", "/health", null);
            } catch (IOException refused) {
                if (System.nanoTime() > deadline) {
                    throw refused;
                }
            }
        }
        assertEquals(200, health.status());
        assertTrue(metric("gozargah_admin_connections_refused_total") >= 1);
    }

    @Test
    void shouldWaitForADrainLongerThanTheIdleTimeout() throws Exception {
        start(64, Duration.ofMillis(200), Duration.ofMillis(200));
        try (RawHttpClient inFlight = new RawHttpClient(fixture.gateway().port())) {
            inFlight.send("GET /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n");
            ChannelHandlerContext upstreamSide = held.poll(10, TimeUnit.SECONDS);
            assertNotNull(upstreamSide, "the request reached the provider");
            CompletableFuture<Response> drain = CompletableFuture.supplyAsync(() -> {
                try {
                    return fixture.call("POST", "/admin/drain");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            // The drain waits on the exchange; its admin connection waits on the drain, not on its client.
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(800);
            while (System.nanoTime() < until) {
                assertFalse(drain.isDone(), "the drain answers when the exchange is over, and is not cut before");
                Thread.sleep(50);
            }
            TestUpstream.writeRaw(upstreamSide, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            assertEquals(200, inFlight.read().status());
            Response drained = drain.get(10, TimeUnit.SECONDS);
            assertEquals(200, drained.status(), new String(drained.body(), StandardCharsets.UTF_8));
        }
    }
}
