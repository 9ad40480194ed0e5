package io.gozargah.engine.http1;

import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.TestUpstream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Consumer-side deadlines: idle keep-alive connections and slowly sent heads are closed. */
class ConnectionTimeoutIT {
    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private GatewayFixture gateway;

    @BeforeEach
    void start() throws Exception {
        upstream = setup.provider((ctx, req) -> {
            // answer /prov/svc/late only after 600 ms, longer than the idle timeout
            long delay = req.uri().endsWith("/late") ? 600 : 0;
            ctx.executor().schedule(() -> TestUpstream.writeRaw(ctx, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
                    delay, TimeUnit.MILLISECONDS);
        });
        String yaml = setup.standardYaml(null, null)
                .replace("idleTimeout: 30s", "idleTimeout: 300ms")
                .replace("requestHeadTimeout: 5s", "requestHeadTimeout: 400ms");
        gateway = setup.start(yaml);
    }

    @Test
    void shouldCloseIdleKeepAliveConnection() throws Exception {
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            assertEquals(200, c.send("GET /prov/svc HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n")
                    .read().status());
            long t0 = System.nanoTime();
            assertTrue(c.closedByPeer(), "closed after the idle timeout");
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(waited >= 250, "not before the idle timeout: " + waited + " ms");
        }
    }

    @Test
    void shouldCloseAConnectionThatNeverSendsAByte() throws Exception {
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            long t0 = System.nanoTime();
            assertTrue(c.closedByPeer(), "closed after the idle timeout");
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(waited >= 250, "not before the idle timeout: " + waited + " ms");
        }
    }

    @Test
    void shouldCloseConnectionWhoseHeadArrivesTooSlowly() throws Exception {
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            c.send("GET /prov/svc HTTP/1.1\r\nHost: x\r\n");
            long t0 = System.nanoTime();
            assertTrue(c.closedByPeer(), "closed after the request head timeout");
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(waited >= 350, "not before the head timeout: " + waited + " ms");
        }
        assertEquals(0, upstream.requests());
    }

    @Test
    void shouldNotCloseConnectionWhileAnExchangeIsInFlight() throws Exception {
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            RawHttpClient.Response r = c.send("GET /prov/svc/late HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + ALICE_KEY
                    + "\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("ok", r.bodyText());
        }
    }
}
