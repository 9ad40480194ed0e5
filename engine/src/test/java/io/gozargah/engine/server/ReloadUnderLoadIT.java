package io.gozargah.engine.server;

import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.RawHttpClient.Response;
import io.gozargah.engine.testing.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 32 keep-alive connections busy while the configuration is reloaded 20 times: no connection is closed or
 * fails, and every response is a well-formed answer under one configuration or the other.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReloadUnderLoadIT {
    private static final int CONNECTIONS = 32;
    private static final int RELOADS = 20;

    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private GatewayFixture gateway;

    private static String yaml(int upstreamPort, int burst) {
        return GatewayFixture.standardYaml(upstreamPort, null, null)
                .replace("      - service: prov/svc\n",
                        "      - { service: prov/svc, rate: 1000000, burst: " + burst + ", quotaMonth: 1000000000 }\n");
    }

    @Test
    void shouldServeEveryRequestWellFormedWhileReloading() throws Exception {
        upstream = setup.provider(TestUpstream.answering("{\"ok\":true}"));
        gateway = setup.start(yaml(upstream.port(), 100_000));
        Path file = gateway.configFile();
        ConfigReloader reloader = new ConfigReloader(file, gateway.gateway());

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong responses = new AtomicLong();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch connected = new CountDownLatch(CONNECTIONS);
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            Thread t = new Thread(() -> {
                try (RawHttpClient c = new RawHttpClient(gateway.port())) {
                    connected.countDown();
                    while (running.get()) {
                        Response r = c.send("GET /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY
                                + "\r\n\r\n").read();
                        String policy = r.header("RateLimit-Policy");
                        if (r.status() != 200 || !"{\"ok\":true}".equals(r.bodyText())
                                || r.header("X-Gozargah-Transaction") == null || r.header("Connection") != null
                                || policy == null || !policy.startsWith("\"grant\";q=") || r.header("RateLimit") == null) {
                            failures.add(r.statusLine() + " " + r.headers().stream().map(h -> h[0] + ": " + h[1])
                                    .toList() + " " + r.bodyText());
                            return;
                        }
                        responses.incrementAndGet();
                    }
                    if (c.soTimeout(100).closedByPeer()) {
                        failures.add("connection closed by the gateway");
                    }
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }, "client-" + i);
            t.start();
            clients.add(t);
        }
        assertTrue(connected.await(30, TimeUnit.SECONDS));
        for (int i = 0; i < RELOADS && failures.isEmpty(); i++) {
            long before = responses.get();
            Files.writeString(file, yaml(upstream.port(), i % 2 == 0 ? 200_000 : 100_000));
            ConfigReloader.Result result = reloader.reload();
            assertTrue(result.ok(), result.message());
            // let traffic flow on the new snapshot before the next reload
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (responses.get() < before + CONNECTIONS * 4L && System.nanoTime() < deadline && failures.isEmpty()) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        int open = gateway.gateway().openConnections();
        running.set(false);
        for (Thread t : clients) {
            t.join(30_000);
        }
        assertEquals(List.of(), List.copyOf(failures));
        assertTrue(responses.get() >= RELOADS * CONNECTIONS * 4L, "responses: " + responses.get());
        assertEquals(CONNECTIONS, open, "no connection was closed by a reload");
    }
}
