package io.gozargah.engine.admin;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gozargah.engine.testing.AdminFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.PrometheusTextParser;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.RawHttpClient.Response;
import io.gozargah.engine.testing.TestUpstream;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator's view of the inquiry cache: {@code DELETE /admin/cache/{provider}/{service}[?key=]} drops kept
 * answers (all, or one request's), refusals for what it cannot purge, and the cache's metrics.
 */
class AdminCacheIT {
    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private AdminFixture fixture;
    private RawHttpClient consumer;

    @BeforeEach
    void start() throws Exception {
        upstream = setup.provider(TestUpstream.answering("{\"v\":1}"));
        String yaml = setup.standardYaml(null, null).replaceFirst(
                "        methods: \\[ GET, HEAD, POST, PUT \\]\n",
                "        methods: [ GET, HEAD, POST, PUT ]\n        cache: { ttl: 60s }\n");
        assertTrue(yaml.contains("cache: { ttl: 60s }"));
        fixture = setup.closeAfter(AdminFixture.start(yaml, Duration.ofSeconds(2)));
        consumer = setup.closeAfter(new RawHttpClient(fixture.gateway().port()).soTimeout(10_000));
    }

    private String cacheOf(String target) throws Exception {
        return consumer.send("GET " + target + " HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n")
                .read().header("X-Gozargah-Cache");
    }

    private static void assertAdminProblem(Response r, int status, String code) {
        assertEquals(status, r.status(), r.bodyText());
        assertEquals("application/problem+json", r.header("Content-Type"));
        assertTrue(r.bodyText().contains("\"type\":\"urn:gozargah:admin:" + code + "\""), r.bodyText());
    }

    @Test
    void shouldPurgeOneRequestsAnswersOrAllOfAService() throws Exception {
        assertEquals("miss", cacheOf("/prov/svc/a?x=1"));
        assertEquals("miss", cacheOf("/prov/svc/b"));
        assertEquals("hit", cacheOf("/prov/svc/a?x=1"));

        Response one = fixture.call("DELETE", "/admin/cache/prov/svc?key=%2Fprov%2Fsvc%2Fa%3Fx%3D1");
        assertEquals(200, one.status(), one.bodyText());
        assertEquals("{\"service\":\"prov/svc\",\"key\":\"/prov/svc/a?x=1\",\"purged\":1}", one.bodyText());
        assertEquals("miss", cacheOf("/prov/svc/a?x=1"), "asked again once purged");
        assertEquals("hit", cacheOf("/prov/svc/b"), "another request's answer stays");

        Response none = fixture.call("DELETE", "/admin/cache/prov/svc?key=/prov/svc/nothing");
        assertEquals("{\"service\":\"prov/svc\",\"key\":\"/prov/svc/nothing\",\"purged\":0}", none.bodyText());

        Response all = fixture.call("DELETE", "/admin/cache/prov/svc");
        assertEquals("{\"service\":\"prov/svc\",\"purged\":2}", all.bodyText());
        assertEquals("miss", cacheOf("/prov/svc/b"));
        assertEquals(4, upstream.requests());
    }

    @Test
    void shouldRefuseWhatItCannotPurge() throws Exception {
        assertAdminProblem(fixture.call("DELETE", "/admin/cache/prov/nope"), 404, "unknown-service");
        assertAdminProblem(fixture.call("DELETE", "/admin/cache/prov/slow"), 404, "not-cached");
        assertAdminProblem(fixture.call("DELETE", "/admin/cache/prov/svc", null), 401, "unauthenticated");
        Response get = fixture.call("GET", "/admin/cache/prov/svc");
        assertAdminProblem(get, 405, "method-not-allowed");
        assertEquals("DELETE", get.header("Allow"));
        assertAdminProblem(fixture.call("DELETE", "/admin/cache/prov/svc?key=%zz"), 400, "bad-request");
        assertAdminProblem(fixture.call("DELETE", "/admin/cache/prov/svc?key="), 400, "bad-request");
        assertAdminProblem(fixture.call("DELETE", "/admin/cache/prov/svc?other=1"), 400, "bad-request");
        assertAdminProblem(fixture.call("DELETE", "/admin/cache/prov/svc?key=%00"), 400, "bad-request");
        assertAdminProblem(fixture.call("DELETE", "/admin/cache/", null), 404, "not-found");
    }

    @Test
    void shouldCountWhatTheCacheDidInTheMetrics() throws Exception {
        assertEquals("miss", cacheOf("/prov/svc/a"));
        assertEquals("hit", cacheOf("/prov/svc/a"));
        assertEquals("hit", cacheOf("/prov/svc/a"));
        String text = fixture.call("GET", "/metrics").bodyText();
        PrometheusTextParser.parse(text);
        assertEquals(2, sample(text, "gozargah_cache_requests_total{service=\"prov/svc\",result=\"hit\"}"));
        assertEquals(1, sample(text, "gozargah_cache_requests_total{service=\"prov/svc\",result=\"miss\"}"));
        assertEquals(0, sample(text, "gozargah_cache_requests_total{service=\"prov/svc\",result=\"coalesced\"}"));
        assertEquals(1, sample(text, "gozargah_cache_entries{service=\"prov/svc\"}"));
        assertTrue(sample(text, "gozargah_cache_bytes{service=\"prov/svc\"}") > 100, text);
        assertEquals(0, sample(text, "gozargah_cache_evictions_total{service=\"prov/svc\"}"));
    }

    private static long sample(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\d+)").matcher(text);
        assertTrue(m.find(), series + " in " + text);
        return Long.parseLong(m.group(1));
    }
}
