package io.gozargah.engine.accept;

import io.gozargah.engine.testing.Await;
import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.PrometheusTextParser;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The consumer side's connection caps over real sockets: one address past its cap is closed at once while
 * other addresses are served; at server.maxConnections and at a listener's own cap the listener stops
 * accepting (the next connection waits in the backlog) and resumes when one closes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionLimitsIT {
    private static final String GET = "GET /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n";

    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private GatewayFixture gateway;
    private final List<RawHttpClient> clients = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (RawHttpClient c : clients) {
            c.close();
        }
    }

    private void start(String serverLines, String listeners) throws Exception {
        upstream = setup.provider((ctx, req) ->
                TestUpstream.writeRaw(ctx, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        String yaml = setup.standardYaml(null, null)
                .replace("  shutdownGrace: 2s\n", "  shutdownGrace: 2s\n" + serverLines);
        if (listeners != null) {
            yaml = yaml.replace("    - { name: test, host: 127.0.0.1, port: 0 }\n", listeners);
        }
        gateway = setup.start(yaml);
    }

    /** A connection from {@code local} that has been served one exchange, kept open. */
    private RawHttpClient served(String local, int port) throws IOException {
        RawHttpClient c = open(local, port);
        assertEquals(200, c.send(GET).read().status());
        return c;
    }

    private RawHttpClient open(String local, int port) throws IOException {
        RawHttpClient c = new RawHttpClient(local, port);
        clients.add(c);
        return c;
    }

    private double metric(String name, String... labels) {
        return PrometheusTextParser.parse(gateway.gateway().metrics().scrape()).value(name, labels);
    }

    @Test
    void shouldCloseConnectionsPastThePerAddressCapAndServeOtherAddresses() throws Exception {
        start("  maxConnectionsPerAddress: 2\n", null);
        int port = gateway.port();
        RawHttpClient first = served("127.0.0.1", port);
        served("127.0.0.1", port);

        RawHttpClient third = open("127.0.0.1", port).soTimeout(5000);
        assertTrue(third.closedByPeer(), "the third connection from one address is closed at once");
        assertEquals(200, served("127.0.0.2", port).send(GET).read().status(), "another address is served");
        assertEquals(1, metric("gozargah_connections_refused_total", "listener", "test", "reason", "address"));
        assertEquals(2, metric("gozargah_consumer_addresses"));

        first.close();
        Await.until(() -> metric("gozargah_consumer_connections") == 2, "the gateway has seen the close");
        served("127.0.0.1", port);
    }

    @Test
    void shouldStopAcceptingAtMaxConnectionsAndResumeWhenOneCloses() throws Exception {
        start("  maxConnections: 3\n  maxConnectionsPerAddress: 10\n", null);
        int port = gateway.port();
        RawHttpClient first = served("127.0.0.1", port);
        served("127.0.0.2", port);
        served("127.0.0.3", port);
        Await.until(() -> metric("gozargah_accepting", "listener", "test") == 0, "the listener stopped accepting");

        // The kernel completes the handshake; the gateway does not take the connection off the backlog.
        RawHttpClient waiting = open("127.0.0.4", port).soTimeout(300);
        waiting.send(GET);
        assertThrows(SocketTimeoutException.class, waiting::read, "not served while at the cap");
        assertEquals(1, metric("gozargah_accept_paused_total", "listener", "test", "reason", "limit"));
        assertEquals(0, metric("gozargah_connections_refused_total", "listener", "test", "reason", "limit"));

        first.close();
        waiting.soTimeout(10_000);
        assertEquals(200, waiting.read().status(), "taken from the backlog once a connection closed");
        assertEquals(3, metric("gozargah_consumer_connections"));
    }

    @Test
    void shouldStopOnlyTheListenerAtItsOwnCap() throws Exception {
        start("  maxConnectionsPerAddress: 10\n", ""
                + "    - { name: capped, host: 127.0.0.1, port: 0, maxConnections: 1 }\n"
                + "    - { name: open, host: 127.0.0.1, port: 0 }\n");
        int capped = gateway.gateway().boundAddresses().get(0).getPort();
        int other = gateway.gateway().boundAddresses().get(1).getPort();
        RawHttpClient first = served("127.0.0.1", capped);
        Await.until(() -> metric("gozargah_accepting", "listener", "capped") == 0, "the capped listener stopped");

        RawHttpClient waiting = open("127.0.0.1", capped).soTimeout(300);
        waiting.send(GET);
        assertThrows(SocketTimeoutException.class, waiting::read, "not served while its listener is at its cap");
        served("127.0.0.1", other);
        served("127.0.0.1", other);
        assertEquals(1, metric("gozargah_accepting", "listener", "open"));

        first.close();
        waiting.soTimeout(10_000);
        assertEquals(200, waiting.read().status());
    }
}
