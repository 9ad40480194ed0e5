package io.gozargah.engine.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gozargah.codec.http1.Http1Limits;
import io.gozargah.codec.http1.HttpMethod;
import io.gozargah.codec.http1.HttpResponseParser;
import io.gozargah.codec.http1.ParseResult;
import io.gozargah.engine.cache.Freshness.RequestDirective;
import io.gozargah.engine.cache.Freshness.Verdict;
import io.gozargah.engine.config.CacheConfig;
import io.gozargah.engine.subject.HeaderLookup;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreshnessTest {
    private static final long SECOND = 1_000_000_000L;
    private static final CacheConfig CONFIG = config(Duration.ofHours(1));
    /** Sun, 06 Dec 2026 16:00:00 GMT: the time of receipt in these tests. */
    private static final long NOW = Instant.parse("2026-12-06T16:00:00Z").toEpochMilli();
    private static final String DATE = "Date: Sun, 06 Dec 2026 16:00:00 GMT\r\n";

    private static CacheConfig config(Duration staleIfError) {
        return new CacheConfig(Duration.ofMinutes(10), 1 << 20, 1 << 16, true, true, List.of("accept-language"),
                CacheConfig.Scope.SHARED, Set.of(200, 404), staleIfError, false);
    }

    /** The verdict on an answer of {@code status} with {@code fields} (each ending CRLF), parsed by the codec. */
    private static Verdict verdict(int status, String fields, CacheConfig config) {
        HttpResponseParser parser = new HttpResponseParser(Http1Limits.defaults());
        parser.expectResponseTo(HttpMethod.GET);
        ByteBuf in = Unpooled.copiedBuffer("HTTP/1.1 " + status + " X\r\nContent-Length: 0\r\n" + fields + "\r\n",
                StandardCharsets.ISO_8859_1);
        try {
            assertEquals(ParseResult.HEAD, parser.parse(in));
            return Freshness.response(parser.head().headers(), status, config, NOW);
        } finally {
            in.release();
        }
    }

    private static Verdict verdict(String fields) {
        return verdict(200, fields, CONFIG);
    }

    private static void assertFreshFor(long seconds, Verdict v) {
        assertTrue(v.storable(), v.toString());
        assertEquals(seconds * SECOND, v.freshNanos(), v.toString());
    }

    private static void assertFreshFor(long seconds, Verdict v, String message) {
        assertTrue(v.storable(), message);
        assertEquals(seconds * SECOND, v.freshNanos(), message);
    }

    private static void assertNotStorable(Verdict v) {
        assertEquals(Verdict.NOT_STORABLE, v);
        assertFalse(v.storable());
    }

    private static RequestDirective request(Map<String, String> fields, boolean allowConsumerBypass) {
        HeaderLookup lookup = name -> fields.get(name.toString());
        return Freshness.request(lookup, allowConsumerBypass);
    }

    // --- answers: what is never kept

    @Test
    void shouldKeepAnAnswerThatSaysNothingForTheServicesTtl() {
        Verdict v = verdict(DATE);
        assertEquals(new Verdict(true, 600 * SECOND, 0, 3600 * SECOND), v);
    }

    @Test
    void shouldNotKeepNoStoreInAnyCase() {
        assertNotStorable(verdict("Cache-Control: no-store\r\n"));
        assertNotStorable(verdict("Cache-Control: max-age=60, No-Store\r\n"));
    }

    @Test
    void shouldNotKeepPrivateInAnyForm() {
        assertNotStorable(verdict("Cache-Control: private\r\n"));
        assertNotStorable(verdict("Cache-Control: max-age=60, private=\"set-cookie\"\r\n"));
        assertNotStorable(verdict("Cache-Control: PRIVATE=\"Set-Cookie, X-Id\", max-age=60\r\n"));
    }

    @Test
    void shouldNotKeepNoCacheSinceTheCacheDoesNotRevalidate() {
        assertNotStorable(verdict("Cache-Control: no-cache\r\n"));
        assertNotStorable(verdict("Cache-Control: max-age=60, no-cache=\"x-id\"\r\n"));
    }

    @Test
    void shouldNotKeepAnAnswerThatSetsACookie() {
        assertNotStorable(verdict("Cache-Control: public, max-age=60\r\nSet-Cookie: s=1\r\n"));
        assertNotStorable(verdict("set-cookie: s=1\r\n"));
    }

    @Test
    void shouldKeepAnAnswerVaryingOnlyOnListedFields() {
        assertFreshFor(600, verdict("Vary: Accept-Language\r\n"));
        assertFreshFor(600, verdict("Vary: accept-language ,ACCEPT-LANGUAGE\r\n"));
        assertNotStorable(verdict("Vary: Accept-Language, Accept\r\n"));
        assertNotStorable(verdict("Vary: accept-language\r\nVary: Accept-Encoding\r\n"));
        assertNotStorable(verdict("Vary: *\r\n"));
        assertNotStorable(verdict("Vary: Accept-Language, *\r\n"));
    }

    @Test
    void shouldNotKeepStatusesTheServiceDoesNotList() {
        assertTrue(verdict(404, "", CONFIG).storable());
        assertNotStorable(verdict(203, "", CONFIG));
        assertNotStorable(verdict(500, "Cache-Control: max-age=60\r\n", CONFIG));
    }

    // --- answers: how long they are fresh

    @Test
    void shouldTakeMaxAgeWithinTheTtl() {
        assertFreshFor(60, verdict("Cache-Control: max-age=60\r\n"));
        assertFreshFor(600, verdict("Cache-Control: max-age=3600\r\n"));
        assertFreshFor(600, verdict("Cache-Control: max-age=99999999999999999999999\r\n"));
    }

    @Test
    void shouldPreferSMaxAgeToMaxAge() {
        assertFreshFor(30, verdict("Cache-Control: max-age=300, s-maxage=30\r\n"));
        assertFreshFor(300, verdict("Cache-Control: s-maxage=300\r\nCache-Control: max-age=30\r\n"));
    }

    @Test
    void shouldNotKeepAnAnswerWithNoLifetime() {
        assertNotStorable(verdict("Cache-Control: max-age=0\r\n"));
        assertNotStorable(verdict("Cache-Control: s-maxage=0, max-age=60\r\n"));
    }

    @Test
    void shouldCountInvalidOrRepeatedLifetimesAsStale() {
        assertNotStorable(verdict("Cache-Control: max-age=abc\r\n"));
        assertNotStorable(verdict("Cache-Control: max-age=-1\r\n"));
        assertNotStorable(verdict("Cache-Control: max-age=\r\n"));
        assertNotStorable(verdict("Cache-Control: max-age\r\n"));
        assertNotStorable(verdict("Cache-Control: max-age=60 120\r\n"));
        assertNotStorable(verdict("Cache-Control: max-age=60, max-age=60\r\n"));
        assertNotStorable(verdict("Cache-Control: max-age=60\r\nCache-Control: max-age=120\r\n"));
        assertNotStorable(verdict("Cache-Control: s-maxage=1.5, max-age=60\r\n"));
    }

    @Test
    void shouldReadDirectivesTolerantly() {
        assertFreshFor(60, verdict("Cache-Control: max-age=\"60\"\r\n"));
        assertFreshFor(60, verdict("Cache-Control:   ,PUBLIC ,  MAX-AGE = 60 ,\r\n"));
        assertFreshFor(60, verdict("Cache-Control: ext=\"a, no-store, b\", max-age=60, other\r\n"));
        assertFreshFor(60, verdict("Cache-Control: ext=\"a\\\", no-store\", max-age=60\r\n"));
        assertFreshFor(60, verdict("Cache-Control: public\r\nCache-Control: max-age=60\r\n"));
        assertNotStorable(verdict("Cache-Control: max-age=60\r\nCache-Control: no-store\r\n"));
    }

    @Test
    void shouldTakeExpiresLessDate() {
        assertFreshFor(120, verdict(DATE + "Expires: Sun, 06 Dec 2026 16:02:00 GMT\r\n"));
        assertFreshFor(600, verdict(DATE + "Expires: Mon, 07 Dec 2026 16:00:00 GMT\r\n"));
        assertFreshFor(120, verdict("Date: Sun, 06 Dec 2026 15:00:00 GMT\r\n"
                + "Expires: Sun, 06 Dec 2026 15:02:00 GMT\r\n"),
                "the provider's clock is compared with itself, not with the gateway's");
    }

    @Test
    void shouldTakeExpiresFromReceiptWithoutAValidDate() {
        assertFreshFor(90, verdict("Expires: Sun, 06 Dec 2026 16:01:30 GMT\r\n"));
        assertFreshFor(90, verdict("Date: yesterday\r\nExpires: Sun, 06 Dec 2026 16:01:30 GMT\r\n"));
    }

    @Test
    void shouldNotKeepAnAnswerThatHasExpired() {
        assertNotStorable(verdict(DATE + "Expires: Sun, 06 Dec 2026 15:59:59 GMT\r\n"));
        assertNotStorable(verdict(DATE + "Expires: Sun, 06 Dec 2026 16:00:00 GMT\r\n"));
    }

    @Test
    void shouldCountAnInvalidOrRepeatedExpiresAsExpired() {
        assertNotStorable(verdict(DATE + "Expires: 0\r\n"));
        assertNotStorable(verdict(DATE + "Expires: -1\r\n"));
        assertNotStorable(verdict(DATE + "Expires: Sunday, 06-Dec-26 16:05:00 GMT\r\n"));
        assertNotStorable(verdict(DATE + "Expires: Sun, 06 Dec 2026 16:05:00 GMT\r\n"
                + "Expires: Sun, 06 Dec 2026 16:05:00 GMT\r\n"));
    }

    @Test
    void shouldIgnoreExpiresWhenMaxAgeIsGiven() {
        assertFreshFor(60, verdict(DATE + "Expires: 0\r\nCache-Control: max-age=60\r\n"));
        assertFreshFor(60, verdict(DATE + "Expires: Mon, 07 Dec 2026 16:00:00 GMT\r\nCache-Control: s-maxage=60\r\n"));
    }

    @Test
    void shouldSubtractTheProvidersAge() {
        Verdict v = verdict("Cache-Control: max-age=60\r\nAge: 20\r\n");
        assertFreshFor(40, v);
        assertEquals(20, v.ageSeconds());
        assertFreshFor(590, verdict("Age: 10\r\n"));
        assertFreshFor(500, verdict("Cache-Control: max-age=3600\r\nAge: 100\r\n"),
                "the ttl caps the answer's whole age, not only its time here");
        assertNotStorable(verdict("Cache-Control: max-age=60\r\nAge: 60\r\n"));
        assertNotStorable(verdict("Age: 99999999999999999999\r\n"));
    }

    @Test
    void shouldTakeAnInvalidAgeAsZero() {
        Verdict v = verdict("Cache-Control: max-age=60\r\nAge: -5\r\n");
        assertFreshFor(60, v);
        assertEquals(0, v.ageSeconds());
        assertEquals(0, verdict("Age: 1.5\r\n").ageSeconds());
    }

    // --- answers: standing in for a failed provider

    @Test
    void shouldLetTheProviderShortenStaleIfErrorButNotLengthenIt() {
        assertEquals(60 * SECOND, verdict("Cache-Control: max-age=60, stale-if-error=60\r\n").staleIfErrorNanos());
        assertEquals(3600 * SECOND, verdict("Cache-Control: stale-if-error=86400\r\n").staleIfErrorNanos());
        assertEquals(0, verdict(200, "Cache-Control: stale-if-error=60\r\n", config(Duration.ZERO))
                .staleIfErrorNanos());
        assertEquals(0, verdict("Cache-Control: stale-if-error=soon\r\n").staleIfErrorNanos());
    }

    @Test
    void shouldServeNoStaleAnswerThatMustBeRevalidated() {
        Verdict v = verdict("Cache-Control: max-age=60, must-revalidate, stale-if-error=60\r\n");
        assertFreshFor(60, v);
        assertEquals(0, v.staleIfErrorNanos());
        assertEquals(0, verdict("Cache-Control: max-age=60, Proxy-Revalidate\r\n").staleIfErrorNanos());
    }

    @Test
    void shouldServeNoStaleSMaxAgeAnswerUnlessItAllowsStaleIfError() {
        assertEquals(0, verdict("Cache-Control: s-maxage=60\r\n").staleIfErrorNanos());
        assertEquals(30 * SECOND, verdict("Cache-Control: s-maxage=60, stale-if-error=30\r\n").staleIfErrorNanos());
    }

    // --- requests

    @Test
    void shouldAnswerAPlainRequestFromTheCache() {
        assertEquals(RequestDirective.CACHEABLE, request(Map.of(), false));
        assertEquals(RequestDirective.CACHEABLE, request(Map.of("accept", "application/json"), true));
    }

    @Test
    void shouldPassAuthorizedCookiedRangeAndConditionalRequests() {
        for (String name : List.of("authorization", "cookie", "range", "if-match", "if-none-match",
                "if-modified-since", "if-unmodified-since", "if-range")) {
            assertEquals(RequestDirective.PASS, request(Map.of(name, "x"), false), name);
            assertEquals(RequestDirective.PASS, request(Map.of(name, "x", "cache-control", "no-cache"), true), name);
        }
    }

    @Test
    void shouldRefreshOnAConsumersNoCacheOnlyWhenTheServiceAllowsIt() {
        assertEquals(RequestDirective.CACHEABLE, request(Map.of("cache-control", "no-cache"), false));
        assertEquals(RequestDirective.REFRESH, request(Map.of("cache-control", "no-cache"), true));
        assertEquals(RequestDirective.REFRESH, request(Map.of("cache-control", "max-age=5, No-Store"), true));
        assertEquals(RequestDirective.CACHEABLE, request(Map.of("cache-control", "max-age=0"), true));
        assertEquals(RequestDirective.CACHEABLE, request(Map.of("cache-control", "x=\"no-cache\""), true));
    }

    @Test
    void shouldTakePragmaNoCacheOnlyWithoutCacheControl() {
        assertEquals(RequestDirective.REFRESH, request(Map.of("pragma", "no-cache"), true));
        assertEquals(RequestDirective.CACHEABLE, request(Map.of("pragma", "no-cache"), false));
        assertEquals(RequestDirective.CACHEABLE,
                request(Map.of("pragma", "no-cache", "cache-control", "max-age=60"), true));
    }

    /** Whether an answer with {@code fields} (each ending CRLF) may be given to a fill's waiters. */
    private static boolean shareable(String fields) {
        HttpResponseParser parser = new HttpResponseParser(Http1Limits.defaults());
        parser.expectResponseTo(HttpMethod.GET);
        ByteBuf in = Unpooled.copiedBuffer("HTTP/1.1 503 X\r\nContent-Length: 0\r\n" + fields + "\r\n",
                StandardCharsets.ISO_8859_1);
        try {
            assertEquals(ParseResult.HEAD, parser.parse(in));
            return Freshness.shareable(parser.head().headers());
        } finally {
            in.release();
        }
    }

    @Test
    void shouldShareAnErrorWithWaitersUnlessItIsPrivateUnstorableOrSetsACookie() {
        assertTrue(shareable(""));
        assertTrue(shareable("Cache-Control: no-cache, max-age=0\r\n"), "no-cache forbids keeping, not sharing");
        assertTrue(shareable("Cache-Control: foo=\"private\"\r\n"), "a quoted value is not a directive");
        assertFalse(shareable("Cache-Control: Private\r\n"));
        assertFalse(shareable("Cache-Control: max-age=5\r\nCache-Control: no-store\r\n"), "fields accumulate");
        assertFalse(shareable("Set-Cookie: s=1\r\n"));
    }
}
