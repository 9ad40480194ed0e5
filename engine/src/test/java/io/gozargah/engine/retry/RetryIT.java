package io.gozargah.engine.retry;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gozargah.engine.auth.ApiKeys;
import io.gozargah.engine.journal.JournalContents;
import io.gozargah.engine.testing.Await;
import io.gozargah.engine.testing.FaultyProvider;
import io.gozargah.engine.testing.FaultyProvider.Action;
import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.RawHttpClient.Response;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Retries seen from outside, against fault-injecting providers on loopback: the keep-alive race with a provider
 * that closes after every few answers without saying so (resent on a fresh connection, bodies replayed only where
 * the service allows it), a provider that resets before answering, an endpoint that is down, and a provider that
 * answers 503 to everything (retries stay within the provider's budget, counted at the provider).
 */
class RetryIT {
    private static final int CLIENTS = 8;

    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    @TempDir
    Path journalDir;

    /**
     * A gateway with two loops before provider {@code prov} at {@code endpoints}, and its services: {@code replay}
     * retries GET and POST, {@code strict} GET only ({@code extra} adds to both services' retry settings).
     */
    private GatewayFixture gateway(List<Integer> ports, String extraRetry) throws Exception {
        return gateway(ports, extraRetry, "");
    }

    /** {@link #gateway(List, String)} with {@code sections} (top-level YAML) added. */
    private GatewayFixture gateway(List<Integer> ports, String extraRetry, String sections) throws Exception {
        return gateway(ports, extraRetry, sections, "");
    }

    /** {@link #gateway(List, String, String)} with {@code providerKeys} (YAML lines of provider prov) added. */
    private GatewayFixture gateway(List<Integer> ports, String extraRetry, String sections, String providerKeys)
            throws Exception {
        StringBuilder endpoints = new StringBuilder();
        for (int port : ports) {
            endpoints.append(endpoints.length() == 0 ? "" : ", ").append("\"http://127.0.0.1:").append(port)
                    .append("/base\"");
        }
        String extra = extraRetry == null ? "" : ", " + extraRetry;
        String yaml = ""
                + "server:\n"
                + "  listeners:\n"
                + "    - { name: test, host: 127.0.0.1, port: 0 }\n"
                + "  eventLoops: 2\n"
                + "  transport: " + System.getProperty("gozargah.test.transport", "auto") + "\n"
                + "  idleTimeout: 30s\n"
                + "  requestHeadTimeout: 5s\n"
                + "  shutdownGrace: 2s\n"
                + "providers:\n"
                + "  prov:\n"
                + "    endpoints: [ " + endpoints + " ]\n"
                + "    connectTimeout: 1s\n"
                + "    responseTimeout: 5s\n"
                + providerKeys
                + "    services:\n"
                + "      replay:\n"
                + "        path: /r\n"
                + "        methods: [ GET, POST ]\n"
                + "        retry: { methods: [ GET, POST ]" + extra + " }\n"
                + "      strict:\n"
                + "        path: /s\n"
                + "        methods: [ GET, POST ]\n"
                + "        retry: { methods: [ GET ]" + extra + " }\n"
                + "consumers:\n"
                + "  alice:\n"
                + "    apiKeys: [ \"" + ApiKeys.configHash(ALICE_KEY) + "\" ]\n"
                + "    grants:\n"
                + "      - service: prov/replay\n"
                + "      - service: prov/strict\n"
                + sections;
        return setup.start(yaml);
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: gw.test\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n";
    }

    private static String post(String path, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: gw.test\r\nX-Api-Key: " + ALICE_KEY + "\r\nContent-Length: "
                + body.getBytes(StandardCharsets.ISO_8859_1).length + "\r\n\r\n" + body;
    }

    private static long metric(GatewayFixture gw, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + labels) + " (\\d+)").matcher(
                gw.gateway().metrics().scrape());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static long retries(GatewayFixture gw, String reason) {
        return metric(gw, "gozargah_upstream_retries_total", "{reason=\"" + reason + "\"}");
    }

    /** Every pool's connections idle again (none busy), so nothing held a connection past its exchange. */
    private static void awaitPoolsIdle(GatewayFixture gw) throws InterruptedException {
        Await.until(() -> gw.gateway().upstreamPoolStats().stream().allMatch(s -> s.open() == s.idle()),
                "upstream pools back to idle");
    }

    /** What the clients got: statuses by method, and the transactions of failed POSTs. */
    private static final class Tally {
        final AtomicInteger getsOk = new AtomicInteger();
        final AtomicInteger getsFailed = new AtomicInteger();
        final AtomicInteger postsOk = new AtomicInteger();
        final AtomicInteger postsFailed = new AtomicInteger();
        final ConcurrentLinkedQueue<String> failedPostTransactions = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    }

    /**
     * {@link #CLIENTS} keep-alive clients sending {@code perClient} requests each to {@code service}, alternating
     * GET and POST (bodies of {@code bodyBytes}, distinct per request; the provider echoes them back).
     */
    private Tally load(GatewayFixture gw, String service, int perClient, int bodyBytes) throws Exception {
        Tally tally = new Tally();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                futures.add(pool.submit(() -> {
                    start.await();
                    RawHttpClient http = new RawHttpClient(gw.port());
                    try {
                        for (int i = 0; i < perClient; i++) {
                            boolean isPost = i % 2 == 1;
                            String body = isPost ? body(client, i, bodyBytes) : "";
                            Response r = http.send(isPost ? post("/prov/" + service + "/x", body)
                                    : get("/prov/" + service + "/x")).read();
                            boolean ok = r.status() == 200 && r.bodyText().equals(body);
                            if (!ok && r.status() == 200) {
                                tally.problems.add("a 200 whose echo was not the body sent: " + r.bodyText());
                            }
                            if (isPost) {
                                (ok ? tally.postsOk : tally.postsFailed).incrementAndGet();
                                if (!ok) {
                                    tally.failedPostTransactions.add(r.header("X-Gozargah-Transaction"));
                                }
                            } else {
                                (ok ? tally.getsOk : tally.getsFailed).incrementAndGet();
                            }
                            if (!ok && r.status() != 502) {
                                tally.problems.add("status " + r.status() + ": " + r.bodyText());
                            }
                            if ("close".equalsIgnoreCase(r.header("Connection"))) {
                                http.close();
                                http = new RawHttpClient(gw.port());
                            }
                        }
                    } finally {
                        http.close();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        return tally;
    }

    private static String body(int client, int i, int bytes) {
        String seed = "c" + client + "-r" + i + "-";
        StringBuilder b = new StringBuilder(bytes);
        while (b.length() < bytes) {
            b.append(seed);
        }
        return b.substring(0, bytes);
    }

    @ParameterizedTest(name = "drop the request after the 5th answer: {0}")
    @ValueSource(booleans = {true, false})
    void shouldLoseNoRequestWhenTheProviderClosesAfterEveryFiveAnswersAndTheServiceAllowsReplay(boolean dropNext)
            throws Exception {
        FaultyProvider provider = setup.closeAfter(FaultyProvider.scripted(FaultyProvider.closingAfter(5, dropNext)));
        GatewayFixture gw = gateway(List.of(provider.port()), null);

        Tally t = load(gw, "replay", 400, 300);

        assertEquals(List.of(), List.copyOf(t.problems));
        assertEquals(CLIENTS * 200, t.getsOk.get(), "0 failed GETs (" + t.getsFailed + " failed)");
        assertEquals(CLIENTS * 200, t.postsOk.get(), "0 failed POSTs (" + t.postsFailed + " failed)");
        long answered = provider.arrivals().stream().filter(a -> a.action() != Action.DROP_AND_CLOSE).count();
        assertEquals(CLIENTS * 400, answered, "the provider answered each request exactly once");
        long resends = retries(gw, "stale-connection");
        if (dropNext) {
            assertTrue(resends > 0, "the race was lost and resent: " + resends);
            assertEquals(provider.arrivals().size() - CLIENTS * 400, resends,
                    "each dropped request was resent once, on a fresh connection that answered it");
        }
        assertEquals(0, retries(gw, "reset"), "a resend on a fresh connection is no retry of the budget's");
        awaitPoolsIdle(gw);
    }

    @Test
    void shouldFailOnlyPostsAndReplayNoBodyWhereTheServiceForbidsIt() throws Exception {
        FaultyProvider provider = setup.closeAfter(FaultyProvider.scripted(FaultyProvider.closingAfter(5, true)));
        GatewayFixture gw = gateway(List.of(provider.port()), null);

        Tally t = load(gw, "strict", 200, 300);

        assertEquals(List.of(), List.copyOf(t.problems));
        assertEquals(CLIENTS * 100, t.getsOk.get(), "GETs are resent (" + t.getsFailed + " failed)");
        assertTrue(t.postsFailed.get() > 0, "some POSTs lost the race, and the service forbids replaying them");
        for (String tx : t.failedPostTransactions) {
            assertEquals(1, provider.arrivalsOf(tx), "a failed POST reached the provider once, never replayed: " + tx);
        }
        long postsReplayed = provider.arrivals().stream()
                .filter(a -> a.method().equals("POST") && provider.arrivalsOf(a.transaction()) > 1).count();
        assertEquals(0, postsReplayed, "no POST body of the strict service was sent twice");
        awaitPoolsIdle(gw);
    }

    @Test
    void shouldReplayAPostWhoseFreshConnectionWasResetOnlyWhereAllowed() throws Exception {
        // Every request's first arrival resets its connection; its second is answered.
        FaultyProvider provider = setup.closeAfter(FaultyProvider.scripted(
                (answered, arrival) -> arrival == 1 ? Action.RESET : Action.ANSWER));
        GatewayFixture gw = gateway(List.of(provider.port()), null, "journal:\n  dir: " + journalDir + "\n");
        String body = "x".repeat(10_000);
        String allowedTx;
        String forbiddenTx;
        try (RawHttpClient c = new RawHttpClient(gw.port())) {
            Response allowed = c.send(post("/prov/replay/a", body)).read();
            assertEquals(200, allowed.status(), allowed.bodyText());
            assertEquals(body, allowed.bodyText(), "the replay carried the whole body");
            allowedTx = allowed.header("X-Gozargah-Transaction");
            assertEquals(2, provider.arrivalsOf(allowedTx));
            assertEquals(1, retries(gw, "reset"));

            Response forbidden = c.send(post("/prov/strict/b", body)).read();
            assertEquals(502, forbidden.status(), forbidden.bodyText());
            forbiddenTx = forbidden.header("X-Gozargah-Transaction");
            assertEquals(1, provider.arrivalsOf(forbiddenTx), "the strict service's POST was not replayed");

            Response getRetried = c.send(get("/prov/strict/c")).read();
            assertEquals(200, getRetried.status(), getRetried.bodyText());
            assertEquals(2, retries(gw, "reset"));
        }
        awaitPoolsIdle(gw);
        gw.close();
        JournalContents journal = JournalContents.read(journalDir);
        assertEquals(2, journal.find(allowedTx).flyweight().attempts(), "the journal counts both sends");
        assertEquals(1, journal.find(forbiddenTx).flyweight().attempts());
    }

    @Test
    void shouldNeverRetryARequestWhoseAnswerHadBegun() throws Exception {
        FaultyProvider provider = setup.closeAfter(FaultyProvider.scripted(
                (answered, arrival) -> Action.CLOSE_MID_BODY));
        GatewayFixture gw = gateway(List.of(provider.port()), "on: [ connect-failure, reset, timeout, 5xx ]");
        try (RawHttpClient c = new RawHttpClient(gw.port())) {
            Response r = c.send(get("/prov/replay/cut")).read();
            assertEquals(200, r.status(), "the provider's head went out before it failed");
            assertEquals("0123456789", r.bodyText(), "10 of the 100 bytes declared: cut where the provider cut it");
            assertTrue(c.closedByPeer(), "the consumer's connection is closed, its framing broken");
        }
        // The client's connection was cut after the exchange ended (aborted): nothing of it is still under way.
        assertEquals(1, provider.arrivals().size(), "a response had begun: the request is never sent again");
        for (String reason : new String[] {"stale-connection", "reset", "timeout", "5xx"}) {
            assertEquals(0, retries(gw, reason), reason);
        }
        awaitPoolsIdle(gw);
    }

    @Test
    void shouldNeverReplayABodyLongerThanTheServiceKeeps() throws Exception {
        FaultyProvider provider = setup.closeAfter(FaultyProvider.scripted(
                (answered, arrival) -> arrival == 1 ? Action.RESET : Action.ANSWER));
        GatewayFixture gw = gateway(List.of(provider.port()), "maxBodyBytes: 4KiB");
        try (RawHttpClient c = new RawHttpClient(gw.port())) {
            Response small = c.send(post("/prov/replay/a", "y".repeat(4096))).read();
            assertEquals(200, small.status(), "a body of maxBodyBytes is kept and replayed");
            Response large = c.send(post("/prov/replay/b", "y".repeat(4097))).read();
            assertEquals(502, large.status(), large.bodyText());
            assertEquals(1, provider.arrivalsOf(large.header("X-Gozargah-Transaction")));
        }
        awaitPoolsIdle(gw);
    }

    @Test
    void shouldRetryAConnectFailureOnTheOtherEndpoint() throws Exception {
        FaultyProvider provider = setup.closeAfter(FaultyProvider.scripted((answered, arrival) -> Action.ANSWER));
        int down = freePort();
        GatewayFixture gw = gateway(List.of(down, provider.port()), null);
        try (RawHttpClient c = new RawHttpClient(gw.port())) {
            for (int i = 0; i < 20; i++) {
                boolean isPost = i % 2 == 0;
                // A POST whose connection never opened never left: safe to send elsewhere even where replay is not.
                Response r = c.send(isPost ? post("/prov/strict/p" + i, "b" + i) : get("/prov/strict/g" + i)).read();
                assertEquals(200, r.status(), r.bodyText());
            }
        }
        assertEquals(20, provider.arrivals().size());
        assertTrue(retries(gw, "connect-failure") >= 1, "some requests went to the dead endpoint first");
        awaitPoolsIdle(gw);
    }

    @Test
    void shouldRetryConnectFailuresOutsideTheBudget() throws Exception {
        // Ejection off, so the dead endpoint keeps drawing first attempts (it never has one outstanding): far more
        // connect-failure retries at once than the budget's floor of 3. The provider never received those requests,
        // so sending them elsewhere adds nothing to its load, and the budget does not hold them back.
        FaultyProvider provider = setup.closeAfter(FaultyProvider.scripted((answered, arrival) -> Action.ANSWER));
        GatewayFixture gw = gateway(List.of(freePort(), provider.port()), null, "",
                "    outlierDetection: { consecutiveFailures: 0 }\n");
        int perClient = 40;
        Tally t = load(gw, "strict", perClient, 64);

        assertEquals(List.of(), List.copyOf(t.problems));
        assertEquals(CLIENTS * perClient / 2, t.getsOk.get(), "every GET answered");
        assertEquals(CLIENTS * perClient / 2, t.postsOk.get(), "every POST answered: none had left the gateway");
        assertEquals(CLIENTS * perClient, provider.arrivals().size(), "each request reached the provider once");
        assertTrue(retries(gw, "connect-failure") > RetryBudget.DEFAULT_MIN_CONCURRENT,
                "the dead endpoint drew first attempts: " + retries(gw, "connect-failure"));
        assertEquals(0, metric(gw, "gozargah_upstream_retry_budget_exhausted_total", ""));
        awaitPoolsIdle(gw);
    }

    @Test
    void shouldAnswerWithRetryAfterWhenEveryEndpointIsDown() throws Exception {
        GatewayFixture gw = gateway(List.of(freePort(), freePort()), null);
        try (RawHttpClient c = new RawHttpClient(gw.port())) {
            Response r = c.send(get("/prov/replay/x")).read();
            assertEquals(502, r.status(), r.bodyText());
            assertEquals("1", r.header("Retry-After"), "retried and failed: the consumer is told when to come back");
        }
        assertEquals(1, retries(gw, "connect-failure"), "maxAttempts 2: one retry");
    }

    @Test
    void shouldRetryAnAttemptPastItsPerTryTimeoutWithinTheServicesResponseTimeout() throws Exception {
        // The first send of each request is never answered; the second is.
        FaultyProvider provider = setup.closeAfter(FaultyProvider.scripted(
                (answered, arrival) -> arrival == 1 ? Action.HOLD : Action.ANSWER));
        GatewayFixture gw = gateway(List.of(provider.port()), "on: [ timeout ], perTryTimeout: 200ms");
        try (RawHttpClient c = new RawHttpClient(gw.port())) {
            Response r = c.send(get("/prov/replay/slow")).read();
            assertEquals(200, r.status(), r.bodyText());
            assertEquals(2, provider.arrivalsOf(r.header("X-Gozargah-Transaction")));
            assertEquals(1, retries(gw, "timeout"));

            // POST is not among the strict service's retry methods: its per-try timeout is its answer.
            Response strict = c.send(post("/prov/strict/slow", "b")).read();
            assertEquals(504, strict.status(), strict.bodyText());
            assertEquals(1, provider.arrivalsOf(strict.header("X-Gozargah-Transaction")));
        }
        awaitPoolsIdle(gw);
    }

    @Test
    void shouldKeepRetriesOfASickProviderWithinItsBudget() throws Exception {
        // Every answer is a 503 after 30 ms: all requests fail, and every one would be retried up to 4 times.
        FaultyProvider provider = setup.closeAfter(FaultyProvider.scripted(
                (answered, arrival) -> Action.ANSWER_503, 30));
        GatewayFixture gw = gateway(List.of(provider.port()), "on: [ 5xx ], maxAttempts: 5, backoff: 5ms");

        int perClient = 20;
        Tally t = load(gw, "strict", perClient, 0); // GETs only count: POSTs are not retried on strict

        int requests = CLIENTS * perClient;
        assertEquals(0, t.getsOk.get() + t.postsOk.get(), "every answer was the provider's 503");
        long retried = provider.retries();
        int gets = requests / 2;
        assertEquals(requests + retried, provider.arrivals().size());
        assertTrue(provider.mostConcurrentRetries() <= RetryBudget.DEFAULT_MIN_CONCURRENT,
                "at most the budget's floor of retries at once with 8 active requests: "
                        + provider.mostConcurrentRetries());
        assertTrue(retried < gets * 4L, "without a budget every GET would have been sent 5 times: " + retried);
        assertTrue(metric(gw, "gozargah_upstream_retry_budget_exhausted_total", "") > 0,
                "the budget refused retries");
        assertEquals(retried, retries(gw, "5xx"), "the gateway's count matches the provider's");
        awaitPoolsIdle(gw);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
