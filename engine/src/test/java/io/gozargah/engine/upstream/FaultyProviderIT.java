package io.gozargah.engine.upstream;

import io.gozargah.engine.config.ConfigLoader;
import io.gozargah.engine.testing.Await;
import io.gozargah.engine.testing.FaultyUpstream;
import io.gozargah.engine.testing.FaultyUpstream.Mode;
import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.TestH2Upstream;
import io.netty.handler.codec.http2.Http2Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A provider with two endpoints, one of them at fault (refusing connections, never answering, answering 503,
 * answering slowly, failing its health checks), seen from a consumer: what it gets, how soon the other endpoint
 * takes everything, that the faulty one is tried again and takes traffic once it is well, and that the pools end
 * idle. Ejections here last two seconds, so that a test sees one end without a long wait.
 */
class FaultyProviderIT {
    private static final String OUTLIER = "    outlierDetection: { consecutiveFailures: 3, baseEjectionTime: 2s,"
            + " maxEjectionTime: 4s, maxEjectedPercent: 50 }\n";

    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private GatewayFixture gateway;

    @AfterEach
    void poolsEndIdle() throws InterruptedException {
        if (gateway == null) {
            return;
        }
        Await.until(() -> gateway.gateway().upstreamPoolStats().stream()
                        .allMatch(p -> p.outstanding() == 0 && p.open() == p.idle()),
                "every upstream pool back to idle: " + gateway.gateway().upstreamPoolStats());
    }

    private FaultyUpstream up(String name) throws InterruptedException {
        return setup.closeAfter(FaultyUpstream.start(name));
    }

    /**
     * The standard config with {@code endpoints} (YAML list items) and {@code extra} provider keys. Service svc
     * retries nothing ({@code retry: { on: [] }}), so that each failed attempt is one consumer's answer and these
     * tests count ejections one failure at a time (retries on top of ejection are RetryIT's).
     */
    private static String yaml(String endpoints, String extra, int loops) {
        return GatewayFixture.standardYaml(0, extra, null)
                .replace("        methods: [ GET, HEAD, POST, PUT ]\n",
                        "        methods: [ GET, HEAD, POST, PUT ]\n        retry: { on: [] }\n")
                .replace("    endpoints: [ \"http://127.0.0.1:0/base\" ]\n", "    endpoints:\n" + endpoints)
                .replace("eventLoops: 2", "eventLoops: " + loops);
    }

    private static String item(FaultyUpstream u) {
        return "      - " + u.url() + "\n";
    }

    private GatewayFixture start(String yaml) throws Exception {
        gateway = setup.start(yaml);
        return gateway;
    }

    private RawHttpClient client() throws Exception {
        return setup.closeAfter(new RawHttpClient(gateway.port()));
    }

    private static RawHttpClient.Response get(RawHttpClient c, String path) throws Exception {
        c.send("GET " + path + " HTTP/1.1\r\nHost: gw.test\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n");
        return c.read();
    }

    /**
     * Statuses of {@code n} GETs of {@code path} in a row on one connection. The balancer draws the failing endpoint
     * about half the time until it is ejected, so a test that waits for its third failure sends 30: fewer than three
     * draws in 30 has a chance of 1 in 2.4 million.
     */
    private static List<Integer> statuses(RawHttpClient c, String path, int n) throws Exception {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(get(c, path).status());
        }
        return out;
    }

    private EndpointState state(FaultyUpstream u) {
        return gateway.gateway().endpointStates().stream().filter(s -> s.endpoint().equals(u.url())).findFirst()
                .orElseThrow();
    }

    /** Asserts {@code statuses} are {@code failures} times {@code failed}, then only 200s. */
    private static void assertFailuresThenOk(List<Integer> statuses, int failed, int failures) {
        assertEquals(failures, Collections.frequency(statuses, failed), statuses.toString());
        int last = statuses.lastIndexOf(failed);
        assertTrue(statuses.subList(last + 1, statuses.size()).stream().allMatch(s -> s == 200), statuses.toString());
    }

    /**
     * Requests on {@code c} until {@code u} has served one more, every answer a 200: the endpoint is back. Bounded by
     * the await's deadline.
     */
    private static void awaitServing(RawHttpClient c, FaultyUpstream u, String path) throws Exception {
        int before = u.requests();
        Await.until(() -> {
            try {
                int status = get(c, path).status();
                assertEquals(200, status);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            return u.requests() > before;
        }, u.name() + " serves again", Duration.ofSeconds(10));
    }

    @Test
    void shouldEjectAnEndpointThatRefusesConnectionsAndTakeItBackWhenItListensAgain() throws Exception {
        FaultyUpstream a = setup.closeAfter(FaultyUpstream.down("a"));
        FaultyUpstream b = up("b");
        start(yaml(item(a) + item(b), OUTLIER, 2));
        RawHttpClient c = client();

        List<Integer> s = statuses(c, "/prov/svc", 30);

        // Each refused connection is one consumer's 502 (upstream-unavailable); the third in a row ejects it.
        assertFailuresThenOk(s, 502, 3);
        assertEquals(27, b.requests());
        EndpointState ejected = state(a);
        assertTrue(ejected.ejectedForMillis() > 0 && !ejected.usable(), ejected.toString());
        assertEquals(1, ejected.ejections());
        assertEquals(3, ejected.failures());

        a.restart();
        awaitServing(c, a, "/prov/svc");
        assertEquals(0, state(a).ejectedForMillis());
    }

    @Test
    void shouldHideARefusingEndpointFromConsumersByRetryingElsewhereWhileItIsEjected() throws Exception {
        FaultyUpstream a = setup.closeAfter(FaultyUpstream.down("a"));
        FaultyUpstream b = up("b");
        // The service's default retry settings: a connect failure goes to the other endpoint.
        start(GatewayFixture.standardYaml(0, OUTLIER, null)
                .replace("    endpoints: [ \"http://127.0.0.1:0/base\" ]\n", "    endpoints:\n" + item(a) + item(b)));
        RawHttpClient c = client();

        assertEquals(Collections.nCopies(20, 200), statuses(c, "/prov/svc", 20),
                "each refused connection was retried on b: no consumer saw it");
        assertEquals(20, b.requests());
        EndpointState ejected = state(a);
        assertTrue(ejected.ejectedForMillis() > 0 && !ejected.usable(), "the failures still count: " + ejected);
        assertEquals(3, ejected.failures());
    }

    @Test
    void shouldEjectAnEndpointThatNeverAnswers() throws Exception {
        FaultyUpstream a = up("a");
        a.mode(Mode.SILENT);
        FaultyUpstream b = up("b");
        start(yaml(item(a) + item(b), OUTLIER, 2));
        RawHttpClient c = client();

        // The slow service's responseTimeout is 300 ms: each request to the silent endpoint is a 504.
        List<Integer> s = statuses(c, "/prov/slow", 30);

        assertFailuresThenOk(s, 504, 3);
        assertEquals(3, a.requests());
        assertTrue(state(a).ejectedForMillis() > 0);
        a.mode(Mode.OK);
        awaitServing(c, a, "/prov/slow");
    }

    @Test
    void shouldEjectAnEndpointAnswering503AndTakeItBackWhenItRecovers() throws Exception {
        FaultyUpstream a = up("a");
        a.mode(Mode.UNAVAILABLE);
        FaultyUpstream b = up("b");
        start(yaml(item(a) + item(b), OUTLIER, 2));
        RawHttpClient c = client();

        List<Integer> s = statuses(c, "/prov/svc", 30);

        // The provider's own 503 passes through as it is, three times; then the other endpoint answers.
        assertFailuresThenOk(s, 503, 3);
        assertEquals(3, a.requests());
        a.mode(Mode.OK);
        awaitServing(c, a, "/prov/svc");
        EndpointState back = state(a);
        assertTrue(back.usable());
        assertTrue(back.successRate() > 0 && back.successRate() < 1, back.toString());
    }

    @Test
    void shouldNotEjectOnStatusesThePolicyDoesNotCount() throws Exception {
        FaultyUpstream a = up("a");
        a.mode(Mode.UNAVAILABLE);
        FaultyUpstream b = up("b");
        start(yaml(item(a) + item(b), OUTLIER.replace("maxEjectedPercent: 50", "maxEjectedPercent: 50,"
                + " on: [ connect, reset, timeout ]"), 2));
        RawHttpClient c = client();

        List<Integer> s = statuses(c, "/prov/svc", 40);

        assertEquals(a.requests(), Collections.frequency(s, 503), "every request to a is answered 503");
        assertTrue(a.requests() > 5, "a keeps its share: " + a.requests());
        assertEquals(0, state(a).ejections());
    }

    @Test
    void shouldSendFewerRequestsToASlowEndpoint() throws Exception {
        FaultyUpstream a = up("a");
        a.mode(Mode.SLOW);
        a.slowMillis(150);
        FaultyUpstream b = up("b");
        // One loop, so that all the clients' requests are balanced on the same outstanding counts.
        start(yaml(item(a) + item(b), OUTLIER, 1));
        int clients = 4;
        int each = 25;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<List<Integer>>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                RawHttpClient c = client();
                results.add(pool.submit(() -> statuses(c, "/prov/svc", each)));
            }
            for (Future<List<Integer>> f : results) {
                assertTrue(f.get().stream().allMatch(x -> x == 200), "slow is not failed");
            }
        } finally {
            pool.shutdownNow();
        }
        int total = clients * each;
        assertEquals(total, a.requests() + b.requests());
        // Round robin would send it half; least outstanding sends it a request only when it has none in flight
        // and the fast endpoint has as many.
        assertTrue(a.requests() * 4 < total, "the slow endpoint took " + a.requests() + " of " + total);
        assertEquals(0, state(a).ejections());
    }

    @Test
    void shouldSpreadRequestsByWeight() throws Exception {
        FaultyUpstream a = up("a");
        FaultyUpstream b = up("b");
        start(yaml("      - { url: \"" + a.url() + "\", weight: 3 }\n" + item(b), OUTLIER, 2));
        RawHttpClient c = client();

        List<Integer> s = statuses(c, "/prov/svc", 400);

        assertEquals(400, Collections.frequency(s, 200));
        // Expected 300 and 100; the binomial's standard deviation is under 9, so 60 is over six of them.
        assertEquals(300, a.requests(), 60);
        assertEquals(100, b.requests(), 60);
    }

    @Test
    void shouldUseTheBackupOnlyOnceThePrimaryIsGone() throws Exception {
        FaultyUpstream a = setup.closeAfter(FaultyUpstream.down("a"));
        FaultyUpstream b = up("b");
        start(yaml(item(a) + "      - { url: \"" + b.url() + "\", backup: true }\n", OUTLIER, 2));
        RawHttpClient c = client();

        List<Integer> first = statuses(c, "/prov/svc", 3);
        assertEquals(List.of(502, 502, 502), first);
        assertEquals(0, b.requests(), "the backup takes nothing while the primary is usable");

        assertEquals(Collections.nCopies(10, 200), statuses(c, "/prov/svc", 10));
        assertEquals(10, b.requests());

        a.restart();
        awaitServing(c, a, "/prov/svc");
        int backupBefore = b.requests();
        assertEquals(Collections.nCopies(10, 200), statuses(c, "/prov/svc", 10));
        assertEquals(backupBefore, b.requests(), "the primary is back: the backup takes nothing again");
    }

    private static final String HEALTH = "    healthCheck: { path: " + FaultyUpstream.HEALTH_PATH
            + ", interval: 100ms, timeout: 50ms, healthy: 2, unhealthy: 2 }\n";

    @Test
    void shouldStopSendingToAnEndpointFailingItsHealthChecksAndTakeItBackOnceItPasses() throws Exception {
        FaultyUpstream a = up("a");
        a.healthMode(Mode.UNAVAILABLE);
        FaultyUpstream b = up("b");
        start(yaml(item(a) + item(b), HEALTH + "    outlierDetection: { consecutiveFailures: 0 }\n", 2));
        RawHttpClient c = client();

        // Two failed checks, 100 ms (plus jitter) apart.
        Await.until(() -> !state(a).healthy(), "a found unhealthy", Duration.ofSeconds(2));
        int before = a.requests();
        assertEquals(Collections.nCopies(30, 200), statuses(c, "/prov/svc", 30));
        assertEquals(before, a.requests(), "nothing goes to an endpoint failing its checks");
        assertTrue(a.healthChecks() >= 2);
        assertTrue(b.healthChecks() >= 1, "every endpoint is checked");
        assertTrue(state(b).healthy());

        a.healthMode(Mode.OK);
        Await.until(() -> state(a).healthy(), "a healthy after two passed checks", Duration.ofSeconds(2));
        awaitServing(c, a, "/prov/svc");
    }

    @Test
    void shouldCheckAnHttp2ProviderOverHttp2() throws Exception {
        AtomicInteger status = new AtomicInteger(503);
        List<String> paths = new CopyOnWriteArrayList<>();
        TestH2Upstream a = setup.closeAfter(TestH2Upstream.h2c(Http2Settings.defaultSettings().maxConcurrentStreams(10),
                r -> {
                    paths.add(r.path());
                    r.respond(r.path().endsWith(FaultyUpstream.HEALTH_PATH) ? status.get() : 200, "a");
                }));
        TestH2Upstream b = setup.closeAfter(TestH2Upstream.h2c(Http2Settings.defaultSettings().maxConcurrentStreams(10),
                r -> r.respond(200, "b")));
        String aUrl = "http://127.0.0.1:" + a.port() + "/base";
        start(yaml("      - " + aUrl + "\n      - http://127.0.0.1:" + b.port() + "\n",
                "    protocol: h2c\n" + HEALTH, 2));

        Await.until(() -> gateway.gateway().endpointStates().stream()
                .anyMatch(e -> e.endpoint().equals(aUrl) && !e.healthy()), "a unhealthy by its checks over h2c");
        assertEquals("/base" + FaultyUpstream.HEALTH_PATH, paths.get(0), "the check's path follows the prefix");
        assertEquals(1, a.connections().size(), "the checks share one HTTP/2 connection");
        status.set(204);
        Await.until(() -> gateway.gateway().endpointStates().stream()
                .anyMatch(e -> e.endpoint().equals(aUrl) && e.healthy()), "a healthy again");
    }

    @Test
    void shouldRunOneHealthCheckAtATimeAndCloseItsConnectionsOnReload() throws Exception {
        FaultyUpstream a = up("a");
        a.healthMode(Mode.SILENT);
        FaultyUpstream b = up("b");
        String yaml = yaml(item(a) + item(b), HEALTH, 2);
        start(yaml);

        Await.until(() -> a.healthChecks() >= 5, "five checks of the silent endpoint");
        assertEquals(1, a.maxHealthInFlight(), "a check that times out is abandoned before the next one starts");
        Await.until(() -> !state(a).healthy(), "a unhealthy after checks timing out");
        assertEquals(2, gateway.gateway().healthChecks().running());

        Files.writeString(gateway.configFile(), yaml.replace(HEALTH, ""));
        gateway.gateway().reload(ConfigLoader.load(gateway.configFile()));

        assertEquals(0, gateway.gateway().healthChecks().running());
        Await.until(() -> a.openConnections() == 0 && b.openConnections() == 0,
                "the checks' connections closed: " + a.openConnections() + ", " + b.openConnections());
    }

    @Test
    void shouldCloseHealthCheckConnectionsOnShutdown() throws Exception {
        FaultyUpstream a = up("a");
        FaultyUpstream b = up("b");
        start(yaml(item(a) + item(b), HEALTH, 2));
        Await.until(() -> a.healthChecks() >= 2 && b.healthChecks() >= 2, "checks of both endpoints");
        assertTrue(a.openConnections() > 0, "a passing check's connection is kept for the next one");

        gateway.close();
        gateway = null;

        Await.until(() -> a.openConnections() == 0 && b.openConnections() == 0, "the checks' connections closed");
    }

    @Test
    void shouldKeepAnEjectionAcrossAReloadThatKeepsTheEndpoint() throws Exception {
        FaultyUpstream a = setup.closeAfter(FaultyUpstream.down("a"));
        FaultyUpstream b = up("b");
        String yaml = yaml(item(a) + item(b), OUTLIER.replace("baseEjectionTime: 2s", "baseEjectionTime: 4s"), 2);
        start(yaml);
        RawHttpClient c = client();
        assertFailuresThenOk(statuses(c, "/prov/svc", 30), 502, 3);

        Files.writeString(gateway.configFile(), yaml.replace("responseTimeout: 2s", "responseTimeout: 3s"));
        gateway.gateway().reload(ConfigLoader.load(gateway.configFile()));

        assertTrue(state(a).ejectedForMillis() > 0, "still ejected after the reload");
        assertEquals(1, state(a).ejections());
        assertEquals(Collections.nCopies(10, 200), statuses(c, "/prov/svc", 10));
        assertEquals(37, b.requests(), "after the reload every request went to b: the ejection held");
    }
}
