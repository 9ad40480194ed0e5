package io.gozargah.engine.admission;

import io.gozargah.engine.calendar.BillingCalendar;
import io.gozargah.engine.server.ConfigReloader;
import io.gozargah.engine.testing.GatewayFixture;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static io.gozargah.engine.testing.GatewayFixture.BOB_KEY;
import static io.gozargah.engine.testing.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Admission over real sockets: the answers consumers see, and what a reload changes. */
class AdmissionIT {
    private final BlockingQueue<ChannelHandlerContext> held = new LinkedBlockingQueue<>();
    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private GatewayFixture gateway;

    @AfterEach
    void stop() {
        ChannelHandlerContext ctx;
        while ((ctx = held.poll()) != null) {
            release(ctx);
        }
    }

    private static void release(ChannelHandlerContext ctx) {
        ctx.executor().execute(() -> ctx.writeAndFlush(ok()));
    }

    private static FullHttpResponse ok() {
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8));
        resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, 2);
        return resp;
    }

    /** The standard fixture with alice's grants given {@code terms}; /slow requests are held until released. */
    private static String yaml(int upstreamPort, String svcTerms, String slowTerms, String rootTerms) {
        return GatewayFixture.standardYaml(upstreamPort, "    maxInFlight: 5\n", null)
                .replace("      - service: prov/svc\n", "      - { service: prov/svc" + svcTerms + " }\n")
                .replace("      - service: prov/slow\n", "      - { service: prov/slow" + slowTerms + " }\n")
                .replace("      - service: prov/root\n", "      - { service: prov/root" + rootTerms + " }\n")
                .replace("        responseTimeout: 300ms\n", "        responseTimeout: 5s\n        maxInFlight: 1\n");
    }

    private void start(String svcTerms, String slowTerms, String rootTerms) throws Exception {
        upstream = setup.provider((ctx, req) -> {
            if (req.uri().startsWith("/base/slow")) {
                held.add(ctx);
            } else {
                ctx.writeAndFlush(ok());
            }
        });
        gateway = setup.start(yaml(upstream.port(), svcTerms, slowTerms, rootTerms));
    }

    private static String get(String path, String key) {
        return "GET " + path + " HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + key + "\r\n\r\n";
    }

    @Test
    void shouldAnswerRateLimitedWithRetryAfterAndRateLimitFieldsAndKeepTheConnection() throws Exception {
        start(", rate: 1/m, burst: 2", "", "");
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            Response first = c.send(get("/prov/svc", ALICE_KEY)).read();
            assertEquals(200, first.status());
            assertEquals("\"grant\";q=1;w=60;x-gozargah-burst=2", first.header("RateLimit-Policy"));
            assertEquals("\"grant\";r=1;t=60", first.header("RateLimit"));
            assertEquals(200, c.send(get("/prov/svc", ALICE_KEY)).read().status());

            Response refused = c.send(get("/prov/svc", ALICE_KEY)).read();
            assertProblem(refused, 429, "rate-limited");
            long retryAfter = Long.parseLong(refused.header("Retry-After"));
            assertTrue(retryAfter >= 59 && retryAfter <= 60, "Retry-After " + retryAfter);
            assertTrue(refused.bodyText().contains("limited to 60 requests per hour with a burst of 2"),
                    refused.bodyText());
            assertEquals("\"grant\";q=1;w=60;x-gozargah-burst=2", refused.header("RateLimit-Policy"));
            assertTrue(refused.header("RateLimit").startsWith("\"grant\";r=0;t="), refused.header("RateLimit"));
            assertEquals(2, upstream.requests(), "the refused request never went upstream");

            Response other = c.send(get("/prov/root", ALICE_KEY)).read();
            assertEquals(200, other.status(), "another grant of the same consumer is not limited");
            assertNull(other.header("RateLimit-Policy"), "a grant without limits gets no RateLimit fields");
            assertNull(other.header("RateLimit"));
        }
    }

    @Test
    void shouldAnswerQuotaExhaustedUntilTheBillingDayEnds() throws Exception {
        start("", "", ", quotaDay: 3, quotaMonth: 1000");
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            for (int i = 0; i < 3; i++) {
                Response r = c.send(get("/prov/root", ALICE_KEY)).read();
                assertEquals(200, r.status());
                assertEquals("\"day\";q=3;w=86400, \"month\";q=1000;w=2592000", r.header("RateLimit-Policy"));
                assertTrue(r.header("RateLimit").startsWith("\"day\";r=" + (2 - i) + ";t="), r.header("RateLimit"));
            }
            long now = System.currentTimeMillis();
            Response refused = c.send(get("/prov/root", ALICE_KEY)).read();
            assertProblem(refused, 429, "quota-exhausted");
            long expected = (BillingCalendar.persian().dayEndMillis(now) - now + 999) / 1000;
            long retryAfter = Long.parseLong(refused.header("Retry-After"));
            assertTrue(Math.abs(retryAfter - expected) <= 2, "Retry-After " + retryAfter + ", day ends in " + expected);
            assertTrue(refused.bodyText().contains("daily quota of 3"), refused.bodyText());
            assertEquals(3, upstream.requests());
        }
    }

    @Test
    void shouldAnswerOverloadedAtOnceWhenTheServiceCapIsReachedAndAdmitAgainWhenItFrees() throws Exception {
        start("", "", "");
        try (RawHttpClient a = new RawHttpClient(gateway.port());
             RawHttpClient b = new RawHttpClient(gateway.port())) {
            a.send(get("/prov/slow", ALICE_KEY));
            ChannelHandlerContext first = held.poll(10, TimeUnit.SECONDS);
            assertNotNull(first, "the first request reached the upstream");

            long start = System.nanoTime();
            Response refused = b.send(get("/prov/slow", ALICE_KEY)).read();
            assertProblem(refused, 503, "overloaded");
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "refused at once, not queued");
            assertNull(refused.header("Retry-After"));
            assertTrue(refused.bodyText().contains("prov/slow already has its maximum of 1 requests in flight"),
                    refused.bodyText());
            assertEquals(200, b.send(get("/prov/svc", ALICE_KEY)).read().status(), "other services are not capped");

            release(first);
            assertEquals(200, a.read().status());
            b.send(get("/prov/slow", ALICE_KEY));
            ChannelHandlerContext second = held.poll(10, TimeUnit.SECONDS);
            assertNotNull(second, "the permit was released when the first exchange completed");
            release(second);
            assertEquals(200, b.read().status());
        }
    }

    @Test
    void shouldCapTheProviderOverAllItsServices() throws Exception {
        start("", "", "");
        // The provider allows 5 in flight; prov/slow only 1: hold 1 there, then fill prov's remaining 4 by
        // reloading with the service cap raised.
        ConfigReloader reloader = new ConfigReloader(gateway.configFile(), gateway.gateway());
        Files.writeString(gateway.configFile(), Files.readString(gateway.configFile())
                .replace("        maxInFlight: 1\n", "        maxInFlight: 10\n"));
        assertTrue(reloader.reload().ok());
        RawHttpClient[] clients = new RawHttpClient[6];
        try {
            for (int i = 0; i < 5; i++) {
                clients[i] = new RawHttpClient(gateway.port());
                clients[i].send(get("/prov/slow", ALICE_KEY));
                assertNotNull(held.poll(10, TimeUnit.SECONDS), "request " + i + " went upstream");
            }
            clients[5] = new RawHttpClient(gateway.port());
            Response refused = clients[5].send(get("/prov/svc", ALICE_KEY)).read();
            assertProblem(refused, 503, "overloaded");
            assertTrue(refused.bodyText().contains("provider prov already has its maximum of 5"), refused.bodyText());
        } finally {
            for (RawHttpClient c : clients) {
                if (c != null) {
                    c.close();
                }
            }
        }
    }

    @Test
    void shouldApplyAReloadOnTheSameConnectionsAndKeepTheCountersOfGrantsThatRemain() throws Exception {
        start(", rate: 1/m, burst: 1", "", ", quotaDay: 2");
        ConfigReloader reloader = new ConfigReloader(gateway.configFile(), gateway.gateway());
        String original = Files.readString(gateway.configFile());
        try (RawHttpClient alice = new RawHttpClient(gateway.port());
             RawHttpClient bob = new RawHttpClient(gateway.port())) {
            assertEquals(200, alice.send(get("/prov/root", ALICE_KEY)).read().status());
            assertEquals(200, alice.send(get("/prov/root", ALICE_KEY)).read().status());
            assertProblem(alice.send(get("/prov/root", ALICE_KEY)).read(), 429, "quota-exhausted");
            assertEquals(200, alice.send(get("/prov/svc", ALICE_KEY)).read().status());
            assertProblem(alice.send(get("/prov/svc", ALICE_KEY)).read(), 429, "rate-limited");
            assertProblem(bob.send(get("/prov/svc", BOB_KEY)).read(), 403, "forbidden");

            // Grants reordered, bob granted prov/svc, alice's rate raised: counters are matched by name. A raised
            // rate leaves alice's spent bucket with one request, then refills at the new rate: at 100000/s the next
            // token is 10 us away, so the later requests do not depend on how long the steps between them take.
            String reordered = original
                    .replace("      - { service: prov/svc, rate: 1/m, burst: 1 }\n", "")
                    .replace("      - { service: prov/root, quotaDay: 2 }\n",
                            "      - { service: prov/root, quotaDay: 2 }\n      - { service: prov/svc, rate: 100000 }\n")
                    .replace("    grants: []\n", "    grants:\n      - { service: prov/svc, quotaDay: 1 }\n");
            Files.writeString(gateway.configFile(), reordered);
            ConfigReloader.Result result = reloader.reload();
            assertTrue(result.ok(), result.message());
            assertProblem(alice.send(get("/prov/root", ALICE_KEY)).read(), 429, "quota-exhausted");
            assertEquals(200, alice.send(get("/prov/svc", ALICE_KEY)).read().status(), "the new rate applies");
            assertEquals(200, bob.send(get("/prov/svc", BOB_KEY)).read().status(), "the new grant applies");
            assertProblem(bob.send(get("/prov/svc", BOB_KEY)).read(), 429, "quota-exhausted");

            // An invalid file is refused with file, line and field; the running configuration stays.
            Files.writeString(gateway.configFile(), reordered.replace("quotaDay: 2", "quotaDay: two"));
            ConfigReloader.Result refused = reloader.reload();
            assertFalse(refused.ok());
            assertTrue(refused.message().startsWith(gateway.configFile() + ":"), refused.message());
            assertTrue(refused.message().contains("consumers.alice.grants[1].quotaDay: expected an integer, got 'two'"),
                    refused.message());
            assertProblem(alice.send(get("/prov/root", ALICE_KEY)).read(), 429, "quota-exhausted");
            assertEquals(200, alice.send(get("/prov/svc", ALICE_KEY)).read().status(), "the running terms still hold");

            // Alice removed: her next request on her open connection is 401; the connection stays open.
            Files.writeString(gateway.configFile(), reordered.substring(0, reordered.indexOf("  alice:"))
                    + reordered.substring(reordered.indexOf("  bob:")));
            assertTrue(reloader.reload().ok());
            assertProblem(alice.send(get("/prov/svc", ALICE_KEY)).read(), 401, "unauthenticated");
            assertFalse(alice.closedByPeer(), "no connection is closed by a reload");
            assertProblem(bob.send(get("/prov/svc", BOB_KEY)).read(), 429, "quota-exhausted");
        }
    }
}
