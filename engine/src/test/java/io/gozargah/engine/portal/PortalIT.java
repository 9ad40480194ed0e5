package io.gozargah.engine.portal;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static io.gozargah.engine.testing.GatewayFixture.BOB_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gozargah.engine.auth.ApiKeys;
import io.gozargah.engine.config.PortalConfig;
import io.gozargah.engine.testing.Await;
import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;

/**
 * The portal in front of a running gateway: the catalogue (escaping, language, search), the OpenAPI documents,
 * signing in and the consumer's own view with its quota going down, the statistics, and the security fields and
 * problem documents of every answer.
 */
class PortalIT {
    /** Markup and quotes in every text the config gives the catalogue: they must show as typed. */
    static final String HOSTILE_TITLE = "<script>alert('x')</script> ثبت";
    static final String HOSTILE_DESCRIPTION = "<img src=x onerror=\"alert(1)\"> & 'quoted'";
    static final String OPENAPI = "openapi: 3.0.3\ninfo: { title: svc, version: '1' }\npaths: {}\n";

    @TempDir
    Path dir;

    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private GatewayFixture gateway;
    private PortalServer portal;

    private void start(PortalConfig config) throws Exception {
        setup.provider(TestUpstream.answering("{}"));
        Files.writeString(dir.resolve("svc.yaml"), OPENAPI);
        String yaml = setup.standardYaml("    title: { fa: \"" + HOSTILE_TITLE.replace("\"", "\\\"")
                        + "\", en: 'Registry \"quoted\" & <b>bold</b>' }\n"
                        + "    owner: { name: \"<i>Owner</i>\", contact: 'a@b.example' }\n"
                        + "    tags: [ registry ]\n", null)
                .replace("        path: /api/svc\n", "        path: /api/svc\n"
                        + "        title: { fa: استعلام آزمایشی, en: Test inquiry }\n"
                        + "        description: \"" + HOSTILE_DESCRIPTION.replace("\"", "\\\"") + "\"\n"
                        + "        docs: svc.yaml\n"
                        + "        tags: [ identity, citizens ]\n"
                        + "        cache: { ttl: 60s }\n")
                .replace("      - service: prov/svc\n", "      - { service: prov/svc, rate: 100, quotaDay: 50 }\n")
                + "journal:\n  dir: journal\n  ringBytes: 64KiB\n";
        Path file = Files.writeString(dir.resolve("gateway.yaml"), yaml);
        gateway = setup.start(file);
        portal = setup.closeAfter(PortalServer.start(config, gateway.gateway()));
    }

    private void start() throws Exception {
        start(new PortalConfig("127.0.0.1", 0));
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + portal.address().getPort() + path);
    }

    private HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String form, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded");
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void assertSecurityFields(HttpResponse<?> r) {
        String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp.contains("default-src 'none'") && csp.contains("script-src 'self'")
                && !csp.contains("unsafe-inline") && !csp.contains("http"), csp);
        assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(null), r.uri().toString());
        assertEquals("no-referrer", r.headers().firstValue("Referrer-Policy").orElse(null), r.uri().toString());
    }

    private int call(String key) throws IOException {
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            c.send("GET /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + key + "\r\n\r\n");
            return c.read().status();
        }
    }

    @Test
    void shouldServeTheCatalogueInPersianFirstWithEverythingEscaped() throws Exception {
        start();

        HttpResponse<String> page = get("/");

        assertEquals(200, page.statusCode());
        assertSecurityFields(page);
        assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElse(null));
        String html = page.body();
        assertTrue(html.contains("<html lang=\"fa\" dir=\"rtl\">"), "Persian, right to left, first");
        assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; ثبت"), "the title as typed");
        assertTrue(html.contains("&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &#39;quoted&#39;"));
        assertTrue(html.contains("&lt;i&gt;Owner&lt;/i&gt;"));
        assertFalse(html.contains("<script>alert") || html.contains("<img") || html.contains("<i>Owner"),
                "no markup from the config reaches the page");
        assertFalse(html.contains("<script>") || html.contains("style=\""),
                "no inline script or style: the policy would block them");
        assertTrue(html.contains("استعلام آزمایشی") && html.contains("prov/svc"));
        assertTrue(html.contains("curl -H &#39;X-Api-Key: YOUR_KEY&#39; http://127.0.0.1:" + gateway.port()
                + "/prov/svc"),
                "an example call to the gateway as bound");
        assertTrue(html.contains("href=\"/docs/prov/svc\""), "the OpenAPI link");
        assertTrue(html.contains("<script src=\"/assets/portal.js\"></script>"));
        String timing = page.headers().firstValue("Server-Timing").orElse("");
        assertTrue(timing.startsWith("render;dur="), timing);
    }

    @Test
    void shouldSwitchToEnglishByQueryAndKeepItInACookie() throws Exception {
        start();

        HttpResponse<String> english = get("/?lang=en");
        assertTrue(english.body().contains("<html lang=\"en\" dir=\"ltr\">"));
        assertTrue(english.body().contains("Registry &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;"));
        assertTrue(english.body().contains("Test inquiry"));
        String cookie = english.headers().firstValue("Set-Cookie").orElse("");
        assertTrue(cookie.startsWith("lang=en;"), cookie);

        assertTrue(get("/statistics", "Cookie", "lang=en").body().contains("<html lang=\"en\" dir=\"ltr\">"),
                "the cookie keeps the choice on the next pages");
        assertTrue(get("/", "Cookie", "lang=xx").body().contains("dir=\"rtl\""), "an unknown one: Persian");
    }

    @Test
    void shouldNarrowTheCatalogueByTextTagAndAgencyWithoutScript() throws Exception {
        start();

        assertTrue(get("/").body().contains("<span id=\"shown\">3</span> / 3"));
        String byText = get("/?q=test+INQUIRY").body();
        assertTrue(byText.contains("<span id=\"shown\">1</span> / 3"), "words in any case, all of them");
        assertTrue(byText.contains("id=\"prov--svc\" data-agency=\"prov\" data-tags=\"identity citizens registry\""
                + " data-search=\"prov/svc"), "the match shown");
        assertTrue(byText.contains("id=\"prov--slow\" data-agency=\"prov\" data-tags=\"registry\" data-search=\"")
                && byText.contains("\" hidden>\n<h3>slow"), "the rest hidden (for the script to show again)");
        assertTrue(get("/?tag=citizens").body().contains("<span id=\"shown\">1</span>"));
        assertTrue(get("/?tag=registry").body().contains("<span id=\"shown\">3</span>"), "a provider's tag");
        assertTrue(get("/?agency=nobody").body().contains("<span id=\"shown\">0</span>"));
        assertTrue(get("/?q=%3Cscript%3E").body().contains("value=\"&lt;script&gt;\""), "the query echoed escaped");

        HttpResponse<String> json = get("/api/services?tag=citizens");
        assertEquals("application/json", json.headers().firstValue("Content-Type").orElse(null));
        assertSecurityFields(json);
        assertTrue(json.body().contains("\"service\":\"svc\",\"path\":\"/prov/svc\","
                + "\"title\":{\"fa\":\"استعلام آزمایشی\",\"en\":\"Test inquiry\"}"), json.body());
        assertTrue(json.body().contains("\"docs\":\"/docs/prov/svc\""));
        assertFalse(json.body().contains("\"service\":\"slow\""));
    }

    @Test
    void shouldServeTheOpenApiDocumentAsItIsAndProblemsForTheRest() throws Exception {
        start();

        HttpResponse<String> docs = get("/docs/prov/svc");
        assertEquals(200, docs.statusCode());
        assertEquals(OPENAPI, docs.body());
        assertEquals("application/yaml; charset=utf-8", docs.headers().firstValue("Content-Type").orElse(null));
        assertSecurityFields(docs);

        for (String path : new String[] {"/docs/prov/slow", "/docs/prov/svc/../../gateway.yaml", "/docs/x",
                "/nothing"}) {
            HttpResponse<String> r = get(path);
            assertEquals(404, r.statusCode(), path);
            assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(null));
            assertTrue(r.body().contains("\"type\":\"urn:gozargah:portal:not-found\""), r.body());
            assertSecurityFields(r);
        }
        HttpResponse<String> wrong = post("/", "");
        assertEquals(405, wrong.statusCode());
        assertEquals("GET, HEAD", wrong.headers().firstValue("Allow").orElse(null));
        assertEquals(405, get("/me/sign-in").statusCode());
    }

    @Test
    void shouldServeAssetsWithETags() throws Exception {
        start();

        for (String path : new String[] {"/assets/portal.js", "/assets/portal.css", "/assets/uplot/uPlot.iife.min.js",
                "/assets/uplot/uPlot.min.css"}) {
            HttpResponse<String> asset = get(path);
            assertEquals(200, asset.statusCode(), path);
            String etag = asset.headers().firstValue("ETag").orElse(null);
            assertNotNull(etag, path);
            assertSecurityFields(asset);
            HttpResponse<String> again = get(path, "If-None-Match", etag);
            assertEquals(304, again.statusCode(), path);
            assertEquals("", again.body());
        }
        assertTrue(get("/assets/uplot/uPlot.iife.min.js").body().contains("uPlot"));
    }

    @Test
    void shouldSignInWithAKeyAndShowOnlyTheConsumersOwnGrantsUsageAndTransactions() throws Exception {
        start();
        assertTrue(get("/me").body().contains("id=\"sign-in\""), "a form until signed in");
        assertEquals(401, get("/api/me").statusCode());

        HttpResponse<String> wrong = post("/me/sign-in", "key=gzk_not_a_key", "Origin",
                "http://127.0.0.1:" + portal.address().getPort());
        assertEquals(401, wrong.statusCode());
        assertTrue(wrong.body().contains("id=\"sign-in-error\""));
        assertFalse(wrong.body().contains("gzk_not_a_key"), "the key is never echoed");

        HttpResponse<String> in = post("/me/sign-in", "key=" + ALICE_KEY, "Origin",
                "http://127.0.0.1:" + portal.address().getPort(), "Sec-Fetch-Site", "same-origin");
        assertEquals(303, in.statusCode());
        assertEquals("/me", in.headers().firstValue("Location").orElse(null));
        String setCookie = in.headers().firstValue("Set-Cookie").orElse("");
        assertTrue(setCookie.matches("gz_session=[A-Za-z0-9_-]{22}; Path=/; Max-Age=3600; HttpOnly; SameSite=Strict"),
                "a 128-bit random id, HttpOnly, SameSite=Strict, expiring, no Secure over plain HTTP: " + setCookie);
        assertFalse(setCookie.contains(ALICE_KEY) || setCookie.contains(hashHex(ALICE_KEY)));
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));

        assertEquals(200, call(ALICE_KEY));
        assertEquals(200, call(ALICE_KEY));
        assertEquals(403, call(BOB_KEY));
        Await.until(() -> json(cookie).contains("\"transaction\""), "alice's transactions journaled");
        String me = json(cookie);
        assertTrue(me.contains("\"consumer\":\"alice\""));
        assertTrue(me.contains("\"service\":\"prov/svc\",\"ratePerSecond\":100.0,\"burst\":100,\"usedToday\":2,"
                + "\"quotaDay\":50,\"leftToday\":48"), me);
        assertFalse(me.contains("bob") || me.contains(ALICE_KEY) || me.contains(hashHex(ALICE_KEY))
                || me.contains(hashHex(BOB_KEY)), "nobody else's data, no key, no hash: " + me);

        String page = get("/me", "Cookie", cookie).body();
        assertTrue(page.contains("<strong id=\"consumer\">alice</strong>"));
        assertTrue(page.contains("<td class=\"num left-today\"><span dir=\"ltr\">48 / 50</span></td>"), page);
        assertTrue(page.contains("<table id=\"transactions\">"));

        assertEquals(200, call(ALICE_KEY));
        assertTrue(get("/me", "Cookie", cookie).body()
                        .contains("<td class=\"num left-today\"><span dir=\"ltr\">47 / 50</span></td>"),
                "quota left goes down by one per inquiry");

        HttpResponse<String> out = post("/me/sign-out", "", "Cookie", cookie, "Sec-Fetch-Site", "same-origin");
        assertEquals(303, out.statusCode());
        assertTrue(out.headers().firstValue("Set-Cookie").orElse("").startsWith("gz_session=; Path=/; Max-Age=0"));
        assertEquals(401, get("/api/me", "Cookie", cookie).statusCode(), "the session is gone on the server");
        assertEquals(200, get("/api/me", "X-Api-Key", ALICE_KEY).statusCode(), "a script may send its key");
    }

    private String json(String cookie) {
        try {
            return get("/api/me", "Cookie", cookie).body();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hashHex(String key) {
        return HexFormat.of().formatHex(ApiKeys.sha256(key));
    }

    @Test
    void shouldRefuseSignInFormsPostedFromAnotherSite() throws Exception {
        start();

        HttpResponse<String> foreign = post("/me/sign-in", "key=" + ALICE_KEY, "Origin", "http://evil.example");
        assertEquals(403, foreign.statusCode());
        assertEquals("application/problem+json", foreign.headers().firstValue("Content-Type").orElse(null));
        assertTrue(foreign.body().contains("urn:gozargah:portal:cross-site"));
        assertFalse(foreign.headers().firstValue("Set-Cookie").isPresent());
        assertEquals(403, post("/me/sign-in", "key=" + ALICE_KEY, "Sec-Fetch-Site", "cross-site").statusCode());
        assertEquals(403, post("/me/sign-out", "", "Sec-Fetch-Site", "same-site").statusCode());
        assertEquals(403, post("/me/sign-in", "key=" + ALICE_KEY, "Origin", "null").statusCode(),
                "an opaque origin alone proves nothing");
        assertEquals(403, post("/me/sign-in", "key=" + ALICE_KEY, "Origin", "http://127.0.0.1:"
                + portal.address().getPort(), "Sec-Fetch-Site", "cross-site").statusCode(), "Sec-Fetch-Site decides");
        assertEquals(303, post("/me/sign-in", "key=" + ALICE_KEY, "Sec-Fetch-Site", "same-origin").statusCode());
        assertEquals(303, post("/me/sign-in", "key=" + ALICE_KEY, "Origin", "null", "Sec-Fetch-Site", "same-origin")
                .statusCode(), "what a browser sends for the portal's own form under no-referrer");
    }

    @Test
    void shouldLimitSignInAttemptsPerAddress() throws Exception {
        start(new PortalConfig("127.0.0.1", 0, Duration.ofHours(1), 100, 1.0 / 3600, 2, Duration.ofMinutes(10),
                20, 64));

        assertEquals(401, post("/me/sign-in", "key=gzk_guess_1").statusCode());
        assertEquals(401, post("/me/sign-in", "key=gzk_guess_2").statusCode());
        HttpResponse<String> third = post("/me/sign-in", "key=" + ALICE_KEY);
        assertEquals(429, third.statusCode(), "past the burst even the right key waits");
        assertTrue(third.body().contains("urn:gozargah:portal:rate-limited"));
        long retry = Long.parseLong(third.headers().firstValue("Retry-After").orElse("0"));
        assertTrue(retry > 0, "Retry-After " + retry);
        assertEquals(429, get("/api/me", "X-Api-Key", ALICE_KEY).statusCode(), "keys sent by scripts count too");
    }

    @Test
    void shouldRefuseALargeBodyAndMalformedRequestsWithProblems() throws Exception {
        start();

        HttpResponse<String> big = post("/me/sign-in", "key=" + "x".repeat(5000));
        assertEquals(413, big.statusCode());
        assertTrue(big.body().contains("urn:gozargah:portal:payload-too-large"));
        try (RawHttpClient c = new RawHttpClient(portal.address().getPort())) {
            c.send("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");
            RawHttpClient.Response r = c.read();
            assertEquals(400, r.status());
            assertEquals("application/problem+json", r.header("Content-Type"));
            assertEquals("nosniff", r.header("X-Content-Type-Options"));
        }
    }

    @Test
    void shouldShowTheJournalsMonthlyStatisticsComputedInTheBackground() throws Exception {
        start();
        Await.until(portal::statisticsReady, "the statistics computed at start");
        assertEquals(200, call(ALICE_KEY));
        assertEquals(200, call(ALICE_KEY)); // from the service's cache
        assertEquals(403, call(BOB_KEY));

        Await.until(() -> {
            portal.refreshStatistics();
            return statistics().contains("\"transactions\":3,");
        }, "the statistics count the three transactions");
        String json = statistics();
        assertTrue(json.contains("\"calendar\":\"persian\""), json);
        assertTrue(json.matches("(?s).*\"months\":\\[\\{\"month\":\"14\\d\\d-\\d\\d\",.*"), json);
        assertTrue(json.contains("\"consumers\":[{\"name\":\"alice\",\"transactions\":2"), json);
        assertTrue(json.matches("(?s).*\"cache\":\\[\\{\"service\":\"prov/svc\","
                + "\"month\":\"14\\d\\d-\\d\\d\",\"label\":\"[^\"]+\","
                + "\"miss\":1,\"cached\":1,\"coalesced\":0,\"stale\":0,\"hitRatio\":0.5}].*"), json);

        String page = get("/statistics").body();
        assertTrue(page.contains("<table id=\"months\">"));
        assertTrue(page.contains("<figure id=\"chart\""));
        assertTrue(page.contains("<script src=\"/assets/uplot/uPlot.iife.min.js\"></script>"));
        assertTrue(page.contains("<link rel=\"stylesheet\" href=\"/assets/uplot/uPlot.min.css\">"));
        assertTrue(page.contains("<code>prov/svc</code>") && page.contains("<code>alice</code>"));
        assertTrue(page.contains("<table id=\"cache\">") && page.contains("<td class=\"num\">50.0%</td>"), page);
    }

    private String statistics() {
        try {
            return get("/api/statistics").body();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
