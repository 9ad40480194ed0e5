package io.gozargah.engine.cache;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static io.gozargah.engine.testing.GatewayFixture.BOB_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gozargah.engine.admission.Admission;
import io.gozargah.engine.auth.ApiKeys;
import io.gozargah.engine.config.ConfigLoader;
import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.deadline.DeadlineWheel;
import io.gozargah.engine.exchange.Exchange;
import io.gozargah.engine.exchange.ExchangeStage;
import io.gozargah.engine.exchange.ExchangeStages;
import io.gozargah.engine.exchange.Outcome;
import io.gozargah.engine.http1.Http1Connection;
import io.gozargah.engine.server.ServerContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inquiry cache in the exchange driver, on embedded channels with the gateway's clock moved by hand: hits and
 * misses counted at the provider (every request it gets is read from its connections), expiry by the service's ttl
 * and by the provider's {@code max-age}, {@code no-store} and {@code private}, scope, grants, stale answers standing
 * in for a failing provider, and misses folded into one call with each consumer's own transaction id.
 */
class CacheExchangeTest {
    private static final long SECOND = 1_000_000_000L;
    private static final String CAROL_KEY = "gzk_test_carol_00112233445566";
    private static final Pattern TX = Pattern.compile("X-Gozargah-Transaction: ([0-9a-z-]+)\r\n");

    @TempDir
    Path dir;

    private long now = 1_000 * SECOND;
    private final List<EmbeddedChannel> upstreams = new ArrayList<>();
    private final List<EmbeddedChannel> clients = new ArrayList<>();
    private final List<Exchange> completed = new ArrayList<>();
    private final List<String> results = new ArrayList<>();
    private Admission admission;
    private ServerContext server;

    @BeforeEach
    void start() throws Exception {
        String yaml = ""
                + "server:\n"
                + "  listeners:\n"
                + "    - { name: test, host: 127.0.0.1, port: 0 }\n"
                + "  idleTimeout: 300s\n"
                + "providers:\n"
                + "  prov:\n"
                + "    endpoints: [ \"http://127.0.0.1:9/base\" ]\n"
                + "    responseTimeout: 5s\n"
                + "    services:\n"
                + "      shared:\n"
                + "        path: /s\n"
                + "        methods: [ GET, HEAD, POST ]\n"
                + "        cache: { ttl: 60s, staleIfError: 30s }\n"
                + "      mine:\n"
                + "        path: /m\n"
                + "        methods: [ GET ]\n"
                + "        cache: { ttl: 60s, scope: consumer }\n"
                + "      plain:\n"
                + "        path: /p\n"
                + "        methods: [ GET ]\n"
                + "        cache: { ttl: 60s, allowConsumerBypass: true }\n"
                + "consumers:\n"
                + "  alice:\n"
                + "    apiKeys: [ \"" + ApiKeys.configHash(ALICE_KEY) + "\" ]\n"
                + "    grants: [ { service: prov/shared }, { service: prov/mine }, { service: prov/plain } ]\n"
                + "  carol:\n"
                + "    apiKeys: [ \"" + ApiKeys.configHash(CAROL_KEY) + "\" ]\n"
                + "    grants: [ { service: prov/shared }, { service: prov/mine } ]\n"
                + "  bob:\n"
                + "    apiKeys: [ \"" + ApiKeys.configHash(BOB_KEY) + "\" ]\n"
                + "    grants: [ { service: prov/mine } ]\n";
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, yaml);
        GatewayConfig config = ConfigLoader.load(file);
        admission = Admission.open(config.admission(), () -> now);
        ExchangeStage recorder = new ExchangeStage() {
            @Override
            public void complete(Exchange x) {
                results.add(x.outcome() + "/" + (x.cacheResult() == null ? "-" : x.cacheResult().headerValue()));
            }
        };
        server = new ServerContext(config, () -> {
            EmbeddedChannel upstream = new EmbeddedChannel(DefaultChannelId.newInstance(), false, false);
            upstreams.add(upstream);
            return upstream;
        }, new ExchangeStages(List.of(recorder)), admission, null, () -> now);
    }

    @AfterEach
    void stop() throws Exception {
        for (EmbeddedChannel upstream : upstreams) {
            upstream.finishAndReleaseAll();
        }
        for (EmbeddedChannel client : clients) {
            client.finishAndReleaseAll();
        }
        admission.close();
    }

    // ---------------------------------------------------------------------------------------------
    // Hits, misses, freshness
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldAskTheProviderOnceAndServeTheSameAnswerFromTheCacheWithItsOwnTransaction() {
        EmbeddedChannel alice = client();
        String first = exchange(alice, get("/prov/shared/123", ALICE_KEY),
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + "Content-Length: 12\r\n\r\n{\"name\":\"x\"}");
        assertTrue(first.startsWith("HTTP/1.1 200 OK\r\n"), first);
        assertEquals("miss", header(first, "X-Gozargah-Cache"), first);
        assertNull(header(first, "Age"), "a provider's answer has no Age the gateway made");

        now += 7 * SECOND;
        String second = send(alice, get("/prov/shared/123", ALICE_KEY));
        assertEquals(1, providerRequests(), "the second inquiry never reached the provider");
        assertTrue(second.startsWith("HTTP/1.1 200 OK\r\n"), second);
        assertEquals("hit", header(second, "X-Gozargah-Cache"));
        assertEquals("7", header(second, "Age"));
        assertEquals("application/json", header(second, "Content-Type"));
        assertEquals("12", header(second, "Content-Length"));
        assertTrue(second.endsWith("\r\n\r\n{\"name\":\"x\"}"), second);
        assertNotEquals(tx(first), tx(second), "each answer has its own transaction id");
        assertEquals(List.of("PROXIED/miss", "PROXIED/hit"), results);

        String other = exchange(alice, get("/prov/shared/124", ALICE_KEY),
                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb");
        assertEquals("miss", header(other, "X-Gozargah-Cache"), "another path is another key");
        String query = exchange(alice, get("/prov/shared/123?x=1", ALICE_KEY),
                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nc");
        assertEquals("miss", header(query, "X-Gozargah-Cache"), "another query is another key");
        assertEquals(3, providerRequests());
    }

    @Test
    void shouldAnswerAHeadFromAKeptGetWithoutItsBody() {
        EmbeddedChannel alice = client();
        exchange(alice, get("/prov/shared/1", ALICE_KEY), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
        String head = send(alice, "HEAD /prov/shared/1 HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n");
        assertEquals(1, providerRequests());
        assertEquals("hit", header(head, "X-Gozargah-Cache"));
        assertEquals("5", header(head, "Content-Length"));
        assertTrue(head.endsWith("\r\n\r\n"), "no body: " + head);
    }

    @Test
    void shouldAskAgainOnceTheServicesTtlHasPassed() {
        EmbeddedChannel alice = client();
        exchange(alice, get("/prov/shared/1", ALICE_KEY), "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");
        now += 59 * SECOND;
        assertEquals("hit", header(send(alice, get("/prov/shared/1", ALICE_KEY)), "X-Gozargah-Cache"));
        now += 2 * SECOND;
        String again = exchange(alice, get("/prov/shared/1", ALICE_KEY),
                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb");
        assertEquals("miss", header(again, "X-Gozargah-Cache"));
        assertTrue(again.endsWith("b"));
        assertEquals(2, providerRequests());
        assertTrue(send(alice, get("/prov/shared/1", ALICE_KEY)).endsWith("b"), "the new answer is kept");
    }

    @Test
    void shouldKeepAnAnswerForItsMaxAgeWhenShorterThanTheTtl() {
        EmbeddedChannel alice = client();
        exchange(alice, get("/prov/shared/1", ALICE_KEY),
                "HTTP/1.1 200 OK\r\nCache-Control: max-age=5\r\nContent-Length: 1\r\n\r\na");
        now += 4 * SECOND;
        assertEquals("hit", header(send(alice, get("/prov/shared/1", ALICE_KEY)), "X-Gozargah-Cache"));
        now += 2 * SECOND;
        exchange(alice, get("/prov/shared/1", ALICE_KEY), "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb");
        assertEquals(2, providerRequests(), "asked again after max-age=5");
    }

    @Test
    void shouldCapAMaxAgeLongerThanTheTtl() {
        EmbeddedChannel alice = client();
        exchange(alice, get("/prov/shared/1", ALICE_KEY),
                "HTTP/1.1 200 OK\r\nCache-Control: max-age=3600\r\nContent-Length: 1\r\n\r\na");
        now += 59 * SECOND;
        assertEquals("hit", header(send(alice, get("/prov/shared/1", ALICE_KEY)), "X-Gozargah-Cache"));
        now += 2 * SECOND;
        exchange(alice, get("/prov/shared/1", ALICE_KEY), "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb");
        assertEquals(2, providerRequests(), "asked again after the service's ttl of 60 s, whatever max-age said");
    }

    @Test
    void shouldNeverKeepNoStorePrivateOrCookieSettingAnswers() {
        EmbeddedChannel alice = client();
        String[] refusals = {"Cache-Control: no-store\r\n", "Cache-Control: private, max-age=60\r\n",
                "Set-Cookie: session=1\r\n"};
        int expected = 0;
        for (String refusal : refusals) {
            String path = "/prov/shared/" + expected;
            exchange(alice, get(path, ALICE_KEY), "HTTP/1.1 200 OK\r\n" + refusal + "Content-Length: 1\r\n\r\na");
            String again = exchange(alice, get(path, ALICE_KEY), "HTTP/1.1 200 OK\r\n" + refusal
                    + "Content-Length: 1\r\n\r\nb");
            expected += 2;
            assertEquals(expected, providerRequests(), "asked again after " + refusal.trim());
            assertEquals("miss", header(again, "X-Gozargah-Cache"));
        }
    }

    @Test
    void shouldNotKeepStatusesTheServiceDoesNotName() {
        EmbeddedChannel alice = client();
        exchange(alice, get("/prov/shared/1", ALICE_KEY), "HTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\na");
        exchange(alice, get("/prov/shared/1", ALICE_KEY), "HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\nn");
        String kept = send(alice, get("/prov/shared/1", ALICE_KEY));
        assertEquals(2, providerRequests(), "201 is not kept; 404 is (the default statuses)");
        assertTrue(kept.startsWith("HTTP/1.1 404 "), kept);
        assertEquals("hit", header(kept, "X-Gozargah-Cache"));
    }

    @Test
    void shouldPassAuthorizedAndRangeRequestsAndBodiesByTheCache() {
        EmbeddedChannel alice = client();
        exchange(alice, get("/prov/shared/1", ALICE_KEY), "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");
        String authorized = exchange(alice, "GET /prov/shared/1 HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY
                + "\r\nAuthorization: Bearer x\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz");
        assertNull(header(authorized, "X-Gozargah-Cache"), "the cache has no part in an authorized request");
        String post = exchange(alice, "POST /prov/shared/1 HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY
                + "\r\nContent-Length: 1\r\n\r\nq", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\np");
        assertNull(header(post, "X-Gozargah-Cache"));
        assertEquals(3, providerRequests());
        assertTrue(send(alice, get("/prov/shared/1", ALICE_KEY)).endsWith("a"), "neither replaced the kept answer");
    }

    @Test
    void shouldAskTheProviderForAConsumerThatAsksNotToBeServedFromTheCacheOnlyWhereAllowed() {
        EmbeddedChannel alice = client();
        exchange(alice, get("/prov/plain/1", ALICE_KEY), "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");
        String bypass = exchange(alice, "GET /prov/plain/1 HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY
                + "\r\nCache-Control: no-cache\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb");
        assertEquals("miss", header(bypass, "X-Gozargah-Cache"));
        assertTrue(send(alice, get("/prov/plain/1", ALICE_KEY)).endsWith("b"),
                "the fresh answer replaced the kept one");

        exchange(alice, get("/prov/shared/1", ALICE_KEY), "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");
        String ignored = send(alice, "GET /prov/shared/1 HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY
                + "\r\nCache-Control: no-cache\r\n\r\n");
        assertEquals("hit", header(ignored, "X-Gozargah-Cache"), "a service without allowConsumerBypass ignores it");
        assertEquals(3, providerRequests());
    }

    // ---------------------------------------------------------------------------------------------
    // Who is served what
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldServeASharedAnswerToAnotherGrantedConsumerButNotAConsumerScopedOne() {
        EmbeddedChannel alice = client();
        EmbeddedChannel carol = client();
        exchange(alice, get("/prov/shared/1", ALICE_KEY), "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");
        assertEquals("hit", header(send(carol, get("/prov/shared/1", CAROL_KEY)), "X-Gozargah-Cache"));
        assertEquals(1, providerRequests());

        exchange(alice, get("/prov/mine/1", ALICE_KEY), "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA");
        String carols = exchange(carol, get("/prov/mine/1", CAROL_KEY),
                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nC");
        assertEquals("miss", header(carols, "X-Gozargah-Cache"), "scope consumer: alice's answer is hers");
        assertTrue(carols.endsWith("C"));
        assertTrue(send(alice, get("/prov/mine/1", ALICE_KEY)).endsWith("A"));
        assertTrue(send(carol, get("/prov/mine/1", CAROL_KEY)).endsWith("C"));
        assertEquals(3, providerRequests());
    }

    @Test
    void shouldNeverServeAConsumerWithoutAGrantFromTheCache() {
        EmbeddedChannel alice = client();
        EmbeddedChannel bob = client();
        exchange(alice, get("/prov/shared/1", ALICE_KEY), "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecret");
        String refused = send(bob, get("/prov/shared/1", BOB_KEY));
        assertTrue(refused.startsWith("HTTP/1.1 403 "), refused);
        assertFalse(refused.contains("secret"));
        assertNull(header(refused, "X-Gozargah-Cache"));
        String nobody = send(bob, get("/prov/shared/1", "gzk_nobody_0000000000000000"));
        assertTrue(nobody.startsWith("HTTP/1.1 401 "), nobody);
        assertEquals(List.of("PROXIED/miss", "FORBIDDEN/-", "UNAUTHENTICATED/-"), results);
    }

    // ---------------------------------------------------------------------------------------------
    // A failing provider
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldServeAStaleAnswerWhenTheProviderFailsWithinStaleIfError() {
        EmbeddedChannel alice = client();
        exchange(alice, get("/prov/shared/1", ALICE_KEY), "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");
        now += 70 * SECOND;
        String stale = exchange(alice, get("/prov/shared/1", ALICE_KEY),
                "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\ndown");
        assertTrue(stale.startsWith("HTTP/1.1 200 OK\r\n"), stale);
        assertEquals("stale", header(stale, "X-Gozargah-Cache"));
        assertEquals("70", header(stale, "Age"));
        assertTrue(stale.endsWith("\r\n\r\na"));
        assertEquals(2, providerRequests());

        now += 30 * SECOND;
        String failed = exchange(alice, get("/prov/shared/1", ALICE_KEY),
                "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\ndown");
        assertTrue(failed.startsWith("HTTP/1.1 503 "), "past staleIfError the provider's answer passes: " + failed);
        assertEquals("miss", header(failed, "X-Gozargah-Cache"));
    }

    @Test
    void shouldPassTheProvidersFailureWithoutStaleIfError() {
        EmbeddedChannel alice = client();
        exchange(alice, get("/prov/mine/1", ALICE_KEY), "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");
        now += 61 * SECOND;
        String failed = exchange(alice, get("/prov/mine/1", ALICE_KEY),
                "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 4\r\n\r\ndown");
        assertTrue(failed.startsWith("HTTP/1.1 502 "), failed);
        assertTrue(failed.endsWith("down"));
    }

    @Test
    void shouldServeStaleWhenTheProviderDoesNotAnswerInTime() {
        EmbeddedChannel alice = client();
        exchange(alice, get("/prov/shared/1", ALICE_KEY), "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");
        now += 61 * SECOND;
        send(alice, get("/prov/shared/1", ALICE_KEY));
        assertEquals(2, providerRequests());
        String stale = advance(alice, 5 * SECOND + wheel(alice).tickNanos() * 2);
        assertTrue(stale.startsWith("HTTP/1.1 200 OK\r\n"), stale);
        assertEquals("stale", header(stale, "X-Gozargah-Cache"));
    }

    // ---------------------------------------------------------------------------------------------
    // Coalescing
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldFoldConcurrentMissesIntoOneProviderCallEachWithItsOwnTransaction() {
        EmbeddedChannel leader = client();
        List<EmbeddedChannel> waiters = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            waiters.add(client());
        }
        assertEquals("", send(leader, get("/prov/shared/9", ALICE_KEY)));
        for (EmbeddedChannel w : waiters) {
            assertEquals("", send(w, get("/prov/shared/9", CAROL_KEY)), "waits: nothing answered yet");
        }
        assertEquals(1, providerRequests(), "one call for six identical inquiries");

        String led = respond(leader, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
        assertEquals("miss", header(led, "X-Gozargah-Cache"));
        List<String> txs = new ArrayList<>(List.of(tx(led)));
        for (EmbeddedChannel w : waiters) {
            w.runPendingTasks();
            String got = readText(w);
            assertTrue(got.startsWith("HTTP/1.1 200 OK\r\n") && got.endsWith("\r\n\r\nabc"), got);
            assertEquals("coalesced", header(got, "X-Gozargah-Cache"));
            assertFalse(txs.contains(tx(got)), "its own transaction id");
            txs.add(tx(got));
        }
        assertEquals(1, providerRequests());
        assertEquals(1, results.stream().filter(r -> r.equals("PROXIED/miss")).count());
        assertEquals(5, results.stream().filter(r -> r.equals("PROXIED/coalesced")).count());
    }

    @Test
    void shouldLetTheOtherWaitersOnWhenOneDisconnectsOrTimesOut() {
        EmbeddedChannel leader = client();
        EmbeddedChannel leaving = client();
        EmbeddedChannel staying = client();
        send(leader, get("/prov/shared/9", ALICE_KEY));
        send(leaving, get("/prov/shared/9", ALICE_KEY));
        send(staying, get("/prov/shared/9", CAROL_KEY));
        leaving.close();
        leaving.runPendingTasks();

        respond(leader, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx");
        staying.runPendingTasks();
        assertEquals("coalesced", header(readText(staying), "X-Gozargah-Cache"));
        assertTrue(results.contains("CLIENT_ABORTED/-"), results.toString());
        assertEquals(1, providerRequests());
    }

    @Test
    void shouldTimeAWaiterOutWithoutDisturbingTheLeader() {
        EmbeddedChannel leader = client();
        EmbeddedChannel waiter = client();
        send(leader, get("/prov/shared/9", ALICE_KEY));
        send(waiter, get("/prov/shared/9", ALICE_KEY));
        // The provider's head comes in time, its body slowly: the leader streams it, the waiter waits for all of it.
        String begun = respond(leader, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab");
        assertTrue(begun.startsWith("HTTP/1.1 200 OK"), begun);
        String timedOut = advance(waiter, 5 * SECOND + wheel(waiter).tickNanos() * 2);
        assertTrue(timedOut.startsWith("HTTP/1.1 504 "), timedOut);
        assertEquals("coalesced", header(timedOut, "X-Gozargah-Cache"));

        String rest = respond(leader, "cd");
        assertEquals("cd", rest, "the leader's answer goes on to its end");
        assertEquals("hit", header(send(waiter, get("/prov/shared/9", ALICE_KEY)), "X-Gozargah-Cache"),
                "and is kept");
        assertEquals(1, providerRequests());
    }

    @Test
    void shouldLetAWaiterLeadWhenTheLeadersClientLeaves() {
        EmbeddedChannel leader = client();
        EmbeddedChannel waiter = client();
        send(leader, get("/prov/shared/9", ALICE_KEY));
        send(waiter, get("/prov/shared/9", CAROL_KEY));
        leader.close();
        leader.runPendingTasks();
        waiter.runPendingTasks();
        assertEquals(2, providerRequests(), "the waiter asked itself once the leader was gone");

        String got = respond(waiter, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\ny");
        assertEquals("miss", header(got, "X-Gozargah-Cache"));
        assertTrue(got.endsWith("y"));
    }

    @Test
    void shouldFailEveryWaiterWithTheLeadersProblemWhenTheProviderFails() {
        EmbeddedChannel leader = client();
        EmbeddedChannel waiter = client();
        send(leader, get("/prov/mine/9", ALICE_KEY));
        send(waiter, get("/prov/mine/9", ALICE_KEY));
        String led = advance(leader, 5 * SECOND + wheel(leader).tickNanos() * 2);
        assertTrue(led.startsWith("HTTP/1.1 504 "), led);
        waiter.runPendingTasks();
        String got = readText(waiter);
        assertTrue(got.startsWith("HTTP/1.1 504 "), got);
        assertEquals("coalesced", header(got, "X-Gozargah-Cache"));
        assertTrue(got.contains("did not answer within 5000 ms"), got);
        assertNotEquals(tx(led), tx(got));
        assertEquals(1, providerRequests());
    }

    @Test
    void shouldShareAProvidersErrorWithTheWaitersWithoutKeepingIt() {
        EmbeddedChannel leader = client();
        EmbeddedChannel waiter = client();
        send(leader, get("/prov/mine/9", ALICE_KEY));
        send(waiter, get("/prov/mine/9", ALICE_KEY));
        String led = respond(leader, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\ndown");
        assertTrue(led.startsWith("HTTP/1.1 503 "), led);
        waiter.runPendingTasks();
        String got = readText(waiter);
        assertTrue(got.startsWith("HTTP/1.1 503 ") && got.endsWith("\r\n\r\ndown"), got);
        assertEquals("coalesced", header(got, "X-Gozargah-Cache"));
        assertEquals(1, providerRequests(), "the waiter did not ask a failing provider again");

        String next = exchange(leader, get("/prov/mine/9", ALICE_KEY), "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nu");
        assertEquals("miss", header(next, "X-Gozargah-Cache"), "the error was not kept");
    }

    @Test
    void shouldSendWaitersUpstreamThemselvesWhenTheAnswerIsPrivate() {
        EmbeddedChannel leader = client();
        EmbeddedChannel waiter = client();
        send(leader, get("/prov/shared/9", ALICE_KEY));
        send(waiter, get("/prov/shared/9", CAROL_KEY));
        respond(leader, "HTTP/1.1 200 OK\r\nCache-Control: private\r\nContent-Length: 5\r\n\r\nalice");
        waiter.runPendingTasks();
        assertEquals(2, providerRequests(), "a private answer is not carol's: she asks herself");
        String got = respond(waiter, "HTTP/1.1 200 OK\r\nCache-Control: private\r\nContent-Length: 5\r\n\r\ncarol");
        assertTrue(got.endsWith("carol"), got);
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------

    private EmbeddedChannel client() {
        EmbeddedChannel c = new EmbeddedChannel(new Http1Connection(server));
        clients.add(c);
        return c;
    }

    private DeadlineWheel wheel(EmbeddedChannel client) {
        return server.loop(client.eventLoop()).deadlines();
    }

    private static String get(String path, String key) {
        return "GET " + path + " HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + key + "\r\n\r\n";
    }

    /** Sends a request and returns what the client got back at once. */
    private String send(EmbeddedChannel client, String text) {
        client.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
        client.runPendingTasks();
        return readText(client);
    }

    /** Sends a request that goes to the provider, answers it there with {@code response}, returns the answer. */
    private String exchange(EmbeddedChannel client, String request, String response) {
        int before = providerRequests();
        assertEquals("", send(client, request), "nothing answered before the provider");
        assertEquals(before + 1, providerRequests(), "the request reached the provider");
        return respond(client, response);
    }

    /** Answers the request the provider got last with {@code response}; returns what the client got. */
    private String respond(EmbeddedChannel client, String response) {
        providerRequests();
        EmbeddedChannel upstream = lastAsked;
        upstream.writeInbound(Unpooled.copiedBuffer(response, StandardCharsets.ISO_8859_1));
        client.runPendingTasks();
        upstream.runPendingTasks();
        return readText(client);
    }

    private String advance(EmbeddedChannel client, long nanos) {
        now += nanos;
        wheel(client).tick();
        client.runPendingTasks();
        return readText(client);
    }

    private EmbeddedChannel lastAsked;
    private int requestsSeen;

    /** Requests that reached the provider so far (each connection's bytes are read as they come). */
    private int providerRequests() {
        for (EmbeddedChannel upstream : upstreams) {
            upstream.runPendingTasks();
            String text = readText(upstream);
            int n = 0;
            for (int i = text.indexOf("HTTP/1.1\r\n"); i >= 0; i = text.indexOf("HTTP/1.1\r\n", i + 1)) {
                n++;
            }
            if (n > 0) {
                lastAsked = upstream;
                requestsSeen += n;
            }
        }
        return requestsSeen;
    }

    private static String header(String response, String name) {
        int end = response.indexOf("\r\n\r\n");
        String head = end < 0 ? response : response.substring(0, end + 2);
        Matcher m = Pattern.compile("(?im)^" + Pattern.quote(name) + ": ([^\r\n]*)\r\n").matcher(head);
        return m.find() ? m.group(1) : null;
    }

    private static String tx(String response) {
        Matcher m = TX.matcher(response);
        assertTrue(m.find(), "a transaction id in " + response);
        return m.group(1);
    }

    private static String readText(EmbeddedChannel ch) {
        StringBuilder text = new StringBuilder();
        ByteBuf buf;
        while ((buf = ch.readOutbound()) != null) {
            text.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return text.toString();
    }
}
