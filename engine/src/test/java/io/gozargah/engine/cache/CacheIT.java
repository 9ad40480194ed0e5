package io.gozargah.engine.cache;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gozargah.engine.auth.ApiKeys;
import io.gozargah.engine.config.ConfigLoader;
import io.gozargah.engine.journal.JournalContents;
import io.gozargah.engine.route.ServiceRoute;
import io.gozargah.engine.testing.Await;
import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.H2Client;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.TestH2Upstream;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inquiry cache over real sockets on loopback, against a provider that counts what reaches it and answers only
 * when the test lets it: identical concurrent misses over HTTP/1.1 and HTTP/2 folded into one provider call, a
 * waiter that disconnects, a provider that fails under its waiters, the byte bound under a flood of distinct keys,
 * and a reload that keeps the cache of a service whose settings did not change.
 */
class CacheIT {
    private static final int CONCURRENT = 100;

    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    @TempDir
    Path dir;

    /** Requests the provider holds until {@link #release} is completed. */
    private final ConcurrentLinkedQueue<ChannelHandlerContext> held = new ConcurrentLinkedQueue<>();
    private final CompletableFuture<Void> release = new CompletableFuture<>();

    private TestUpstream heldProvider() throws InterruptedException {
        return setup.provider((ctx, req) -> {
            String body = "{\"asked\":\"" + req.uri() + "\"}";
            held.add(ctx);
            release.thenRun(() -> ctx.executor().execute(() -> ctx.writeAndFlush(ok(body))));
        });
    }

    private static FullHttpResponse ok(String body) {
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        return resp;
    }

    private String yaml(int port, String cache) {
        return yaml(port, cache, "");
    }

    /** {@link #yaml(int, String)} with {@code serviceLines} added to the service. */
    private String yaml(int port, String cache, String serviceLines) {
        return ""
                + "server:\n"
                + "  listeners:\n"
                + "    - { name: test, host: 127.0.0.1, port: 0 }\n"
                + "  eventLoops: 2\n"
                + "  transport: " + System.getProperty("gozargah.test.transport", "auto") + "\n"
                + "  shutdownGrace: 2s\n"
                + "providers:\n"
                + "  prov:\n"
                + "    endpoints: [ \"http://127.0.0.1:" + port + "/base\" ]\n"
                + "    responseTimeout: 10s\n"
                + "    services:\n"
                + "      svc:\n"
                + "        path: /api/svc\n"
                + "        methods: [ GET, HEAD ]\n"
                + "        cache: " + cache + "\n"
                + serviceLines
                + "consumers:\n"
                + "  alice:\n"
                + "    apiKeys: [ \"" + ApiKeys.configHash(ALICE_KEY) + "\" ]\n"
                + "    grants: [ { service: prov/svc } ]\n";
    }

    private static InquiryCache cache(GatewayFixture gw) {
        for (ServiceRoute s : gw.gateway().snapshot().services()) {
            if (s.qualifiedName().equals("prov/svc")) {
                return s.cache();
            }
        }
        throw new AssertionError("no service prov/svc");
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: gw.test\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n";
    }

    @Test
    void shouldFoldAHundredConcurrentIdenticalMissesIntoOneProviderCall() throws Exception {
        TestUpstream provider = heldProvider();
        GatewayFixture gw = setup.start(yaml(provider.port(), "{ ttl: 60s }")
                + "journal:\n  dir: " + dir.resolve("journal") + "\n");
        InquiryCache cache = cache(gw);
        java.util.Map<String, String> resultByTx = new java.util.HashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(CONCURRENT);
        try {
            List<RawHttpClient> clients = new ArrayList<>();
            for (int i = 0; i < CONCURRENT; i++) {
                clients.add(setup.closeAfter(new RawHttpClient(gw.port()).soTimeout(20_000)));
            }
            List<Future<RawHttpClient.Response>> answers = new ArrayList<>();
            for (RawHttpClient c : clients) {
                answers.add(pool.submit(() -> c.send(get("/prov/svc/0012345679?full=1")).read()));
            }
            Await.until(() -> cache.waiting() == CONCURRENT - 1, "99 inquiries waiting on the first one's call");
            Await.until(() -> provider.requests() == 1, "the first one's call at the provider");
            release.complete(null);

            Set<String> transactions = new HashSet<>();
            int misses = 0;
            int coalesced = 0;
            for (Future<RawHttpClient.Response> f : answers) {
                RawHttpClient.Response r = f.get(20, TimeUnit.SECONDS);
                assertEquals(200, r.status());
                assertEquals("{\"asked\":\"/base/api/svc/0012345679?full=1\"}", r.bodyText());
                transactions.add(r.header("X-Gozargah-Transaction"));
                String result = r.header("X-Gozargah-Cache");
                resultByTx.put(r.header("X-Gozargah-Transaction"), result);
                if ("miss".equals(result)) {
                    misses++;
                } else if ("coalesced".equals(result)) {
                    coalesced++;
                }
            }
            assertEquals(1, misses);
            assertEquals(CONCURRENT - 1, coalesced);
            assertEquals(CONCURRENT, transactions.size(), "each answer under its own transaction id");
            assertEquals(1, provider.requests());
            assertEquals(1, cache.counted(CacheResult.MISS));
            assertEquals(CONCURRENT - 1, cache.counted(CacheResult.COALESCED));

            RawHttpClient.Response hit = clients.get(0).send(get("/prov/svc/0012345679?full=1")).read();
            assertEquals("hit", hit.header("X-Gozargah-Cache"));
            assertEquals(1, provider.requests());
            resultByTx.put(hit.header("X-Gozargah-Transaction"), "hit");
        } finally {
            pool.shutdownNow();
        }
        gw.close();
        JournalContents journal = JournalContents.read(dir.resolve("journal"));
        for (java.util.Map.Entry<String, String> e : resultByTx.entrySet()) {
            CacheResult recorded = CacheResult.ofCode(journal.find(e.getKey()).flyweight().cacheResult());
            assertEquals(e.getValue(), recorded == null ? null : recorded.headerValue(),
                    "the journal records what the answer said of " + e.getKey());
        }
    }

    @Test
    void shouldFoldConcurrentMissesOverHttp2StreamsToo() throws Exception {
        TestUpstream provider = heldProvider();
        GatewayFixture gw = setup.start(yaml(provider.port(), "{ ttl: 60s }"));
        InquiryCache cache = cache(gw);
        List<CompletableFuture<H2Client.Response>> answers = new ArrayList<>();
        H2Client h2 = null;
        for (int c = 0; c < 4; c++) {
            h2 = setup.closeAfter(new H2Client(gw.port()));
            for (int i = 0; i < CONCURRENT / 4; i++) {
                answers.add(h2.open(H2Client.request("GET", "/prov/svc/42", "x-api-key", ALICE_KEY), true).response);
            }
        }
        Await.until(() -> cache.waiting() == CONCURRENT - 1, "99 streams waiting on the first one's call");
        release.complete(null);
        Set<String> transactions = new HashSet<>();
        int coalesced = 0;
        for (CompletableFuture<H2Client.Response> f : answers) {
            H2Client.Response r = f.get(20, TimeUnit.SECONDS);
            assertEquals(200, r.status());
            assertEquals("{\"asked\":\"/base/api/svc/42\"}", r.bodyText());
            transactions.add(r.header("x-gozargah-transaction"));
            coalesced += "coalesced".equals(r.header("x-gozargah-cache")) ? 1 : 0;
        }
        assertEquals(CONCURRENT - 1, coalesced);
        assertEquals(CONCURRENT, transactions.size());
        assertEquals(1, provider.requests());

        H2Client.Response hit = h2.open(H2Client.request("GET", "/prov/svc/42", "x-api-key", ALICE_KEY), true)
                .response.get(10, TimeUnit.SECONDS);
        assertEquals("hit", hit.header("x-gozargah-cache"));
        assertEquals("0", hit.header("age"));
        assertEquals("{\"asked\":\"/base/api/svc/42\"}", hit.bodyText());
        H2Client.Response head = h2.open(H2Client.request("HEAD", "/prov/svc/42", "x-api-key", ALICE_KEY), true)
                .response.get(10, TimeUnit.SECONDS);
        assertEquals("hit", head.header("x-gozargah-cache"));
        assertEquals("", head.bodyText(), "a HEAD's answer from the cache has no body");
        assertEquals(1, provider.requests());
    }

    @Test
    void shouldServeTheWaitersThatStayWhenOneDisconnects() throws Exception {
        TestUpstream provider = heldProvider();
        GatewayFixture gw = setup.start(yaml(provider.port(), "{ ttl: 60s }"));
        InquiryCache cache = cache(gw);
        RawHttpClient leader = setup.closeAfter(new RawHttpClient(gw.port()).soTimeout(10_000));
        RawHttpClient leaving = setup.closeAfter(new RawHttpClient(gw.port()).soTimeout(10_000));
        RawHttpClient staying = setup.closeAfter(new RawHttpClient(gw.port()).soTimeout(10_000));
        leader.send(get("/prov/svc/1"));
        Await.until(() -> provider.requests() == 1, "the leader's call at the provider");
        leaving.send(get("/prov/svc/1"));
        staying.send(get("/prov/svc/1"));
        Await.until(() -> cache.waiting() == 2, "two waiters");
        leaving.close();
        Await.until(() -> cache.waiting() == 1, "the one that left no longer waits");
        release.complete(null);

        assertEquals("miss", leader.read().header("X-Gozargah-Cache"));
        RawHttpClient.Response stayed = staying.read();
        assertEquals(200, stayed.status());
        assertEquals("coalesced", stayed.header("X-Gozargah-Cache"));
        assertEquals(1, provider.requests());
        Await.until(() -> gw.gateway().upstreamPoolStats().stream().allMatch(s -> s.open() == s.idle()),
                "upstream pools back to idle");
    }

    @Test
    void shouldFailEveryWaiterWithTheSameProblemWhenTheProviderFails() throws Exception {
        TestUpstream provider = setup.provider(TestUpstream.raw(() -> new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                TestUpstream.release(msg);
                held.add(ctx);
                release.thenRun(() -> ctx.executor().execute(ctx::close)); // closes without an answer
            }
        }));
        GatewayFixture gw = setup.start(yaml(provider.port(), "{ ttl: 60s }", "        retry: { maxAttempts: 1 }\n"));
        InquiryCache cache = cache(gw);
        List<RawHttpClient> clients = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RawHttpClient c = setup.closeAfter(new RawHttpClient(gw.port()).soTimeout(10_000));
            clients.add(c);
            c.send(get("/prov/svc/7"));
            if (i == 0) {
                Await.until(() -> held.size() == 1, "the leader's call at the provider");
            }
        }
        Await.until(() -> cache.waiting() == 4, "four waiters");
        release.complete(null);
        Set<String> transactions = new HashSet<>();
        for (RawHttpClient c : clients) {
            RawHttpClient.Response r = c.read();
            assertEquals(502, r.status());
            assertTrue(r.bodyText().contains("urn:gozargah:error:upstream-unavailable"), r.bodyText());
            transactions.add(r.header("X-Gozargah-Transaction"));
        }
        assertEquals(5, transactions.size());
        assertEquals(1, held.size(), "one call reached the provider");
    }

    @Test
    void shouldHoldTheByteBoundUnderAFloodOfDistinctKeys() throws Exception {
        TestUpstream provider = setup.provider((ctx, req) -> ctx.writeAndFlush(ok("x".repeat(1000))));
        GatewayFixture gw = setup.start(yaml(provider.port(), "{ ttl: 60s, maxBytes: 64KiB }"));
        InquiryCache cache = cache(gw);
        RawHttpClient c = setup.closeAfter(new RawHttpClient(gw.port()).soTimeout(10_000));
        for (int i = 0; i < 600; i++) {
            RawHttpClient.Response r = c.send(get("/prov/svc/" + i)).read();
            assertEquals("miss", r.header("X-Gozargah-Cache"));
        }
        assertTrue(cache.weightedBytes() <= 64 * 1024, "within maxBytes: " + cache.weightedBytes());
        assertTrue(cache.evictions() > 500, "evicted to stay within: " + cache.evictions());
        // Which entries stay is Caffeine's admission policy's choice (a new key may lose to the ones it would evict).
        assertTrue(cache.weightedBytes() > 32 * 1024, "the bound is used: " + cache.weightedBytes());
    }

    @Test
    void shouldKeepTheCacheAcrossAReloadThatLeavesItsSettings() throws Exception {
        TestUpstream provider = setup.provider(TestUpstream.answering("kept"));
        GatewayFixture gw = setup.start(yaml(provider.port(), "{ ttl: 60s }"));
        RawHttpClient c = setup.closeAfter(new RawHttpClient(gw.port()).soTimeout(10_000));
        assertEquals("miss", c.send(get("/prov/svc/1")).read().header("X-Gozargah-Cache"));

        Path same = dir.resolve("same.yaml");
        Files.writeString(same, yaml(provider.port(), "{ ttl: 60s }"));
        gw.gateway().reload(ConfigLoader.load(same));
        assertEquals("hit", c.send(get("/prov/svc/1")).read().header("X-Gozargah-Cache"), "same settings, same cache");

        Path changed = dir.resolve("changed.yaml");
        Files.writeString(changed, yaml(provider.port(), "{ ttl: 30s }"));
        gw.gateway().reload(ConfigLoader.load(changed));
        assertEquals("miss", c.send(get("/prov/svc/1")).read().header("X-Gozargah-Cache"), "new settings, new cache");
        assertEquals(2, provider.requests());
    }

    @Test
    void shouldFoldAndKeepAnHttp2ProvidersAnswersAsAnHttp11Ones() throws Exception {
        ConcurrentLinkedQueue<TestH2Upstream.Request> asked = new ConcurrentLinkedQueue<>();
        TestH2Upstream provider = setup.provider(TestH2Upstream.h2c(
                io.netty.handler.codec.http2.Http2Settings.defaultSettings().maxConcurrentStreams(100), asked::add));
        GatewayFixture gw = setup.start(yaml(provider.port(), "{ ttl: 60s }").replace(
                "    responseTimeout: 10s\n", "    responseTimeout: 10s\n    protocol: h2c\n"));
        InquiryCache cache = cache(gw);
        List<RawHttpClient> clients = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            RawHttpClient c = setup.closeAfter(new RawHttpClient(gw.port()).soTimeout(10_000));
            clients.add(c);
            c.send(get("/prov/svc/h2"));
        }
        Await.until(() -> cache.waiting() == 9 && asked.size() == 1, "nine waiting on one HTTP/2 call");
        asked.peek().respond(200, "from h2");
        for (RawHttpClient c : clients) {
            RawHttpClient.Response r = c.read();
            assertEquals(200, r.status());
            assertEquals("from h2", r.bodyText());
        }
        RawHttpClient.Response hit = clients.get(0).send(get("/prov/svc/h2")).read();
        assertEquals("hit", hit.header("X-Gozargah-Cache"));
        assertEquals("from h2", hit.bodyText());
        assertEquals("text/plain", hit.header("Content-Type"));
        assertEquals(1, asked.size());
    }
}
