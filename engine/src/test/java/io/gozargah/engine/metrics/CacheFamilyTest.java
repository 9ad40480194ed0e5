package io.gozargah.engine.metrics;

import io.gozargah.engine.cache.CacheKey;
import io.gozargah.engine.cache.CacheResult;
import io.gozargah.engine.cache.CachedAnswer;
import io.gozargah.engine.cache.InquiryCache;
import io.gozargah.engine.cache.InquiryCaches;
import io.gozargah.engine.config.CacheConfig;
import io.gozargah.engine.testing.PrometheusTextParser;
import io.gozargah.engine.testing.PrometheusTextParser.Exposition;
import io.gozargah.engine.testing.Promtool;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cache families as a scrape writes them from the registry of caches, without a gateway: every result of every
 * cached service, the evictions a small byte bound forces, and nothing at all while no service is cached.
 */
class CacheFamilyTest {
    private static final long SECOND = 1_000_000_000L;

    private final long now = 7_000 * SECOND;

    private static CacheConfig config(long maxBytes) {
        return new CacheConfig(Duration.ofSeconds(60), maxBytes, 64 * 1024, true, true, List.of(),
                CacheConfig.Scope.SHARED, Set.of(200, 404), Duration.ofSeconds(30), false);
    }

    private CachedAnswer answer(int bodyBytes) {
        byte[] head = "HTTP/1.1 200 OK\r\nContent-Length: 0000\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = new byte[head.length + bodyBytes];
        System.arraycopy(head, 0, bytes, 0, head.length);
        return new CachedAnswer(bytes, head.length, 200, now, now + 60 * SECOND, now + 60 * SECOND, 0);
    }

    private static CacheKey key(String pathAndQuery) {
        return new CacheKey().append(pathAndQuery).endPart().endPart().seal().copy();
    }

    private static String scrape(InquiryCaches caches) {
        StringBuilder sb = new StringBuilder();
        new CacheFamily(caches).write(new PrometheusText(sb));
        return sb.toString();
    }

    @Test
    void shouldWriteEveryResultOfEveryCachedServiceAndTheEvictionsOfItsBound() throws Exception {
        InquiryCaches caches = new InquiryCaches(() -> now, 64L << 20);
        InquiryCache small = caches.of("prov/small", config(64 * 1024));
        InquiryCache roomy = caches.of("prov/roomy", config(1 << 20));
        for (int i = 0; i < 200; i++) {
            small.put(key("/prov/small/" + i), answer(1000));
        }
        roomy.put(key("/prov/roomy/1"), answer(10));
        small.count(CacheResult.MISS);
        small.count(CacheResult.HIT);
        small.count(CacheResult.HIT);
        small.count(CacheResult.COALESCED);
        small.count(CacheResult.STALE);
        small.count(CacheResult.STALE);
        small.count(CacheResult.STALE);

        String text = scrape(caches);
        Exposition e = PrometheusTextParser.parse(text);
        assertEquals(8, e.find("gozargah_cache_requests_total").size(), "4 results of 2 services: " + text);
        assertEquals(1, sample(text, "gozargah_cache_requests_total{service=\"prov/small\",result=\"miss\"}"));
        assertEquals(2, sample(text, "gozargah_cache_requests_total{service=\"prov/small\",result=\"hit\"}"));
        assertEquals(1, sample(text, "gozargah_cache_requests_total{service=\"prov/small\",result=\"coalesced\"}"));
        assertEquals(3, sample(text, "gozargah_cache_requests_total{service=\"prov/small\",result=\"stale\"}"));
        assertEquals(0, sample(text, "gozargah_cache_requests_total{service=\"prov/roomy\",result=\"hit\"}"));

        long evicted = sample(text, "gozargah_cache_evictions_total{service=\"prov/small\"}");
        assertTrue(evicted > 0, "a 64 KiB bound cannot keep 200 answers of 1000 bytes: " + text);
        assertEquals(small.evictions(), evicted);
        assertEquals(200 - evicted, sample(text, "gozargah_cache_entries{service=\"prov/small\"}"));
        long bytes = sample(text, "gozargah_cache_bytes{service=\"prov/small\"}");
        assertTrue(bytes > 0 && bytes <= 64 * 1024, "within maxBytes: " + bytes);
        assertEquals(0, sample(text, "gozargah_cache_evictions_total{service=\"prov/roomy\"}"));
        assertEquals(1, sample(text, "gozargah_cache_entries{service=\"prov/roomy\"}"));
        assertTrue(text.indexOf("service=\"prov/roomy\"") < text.indexOf("service=\"prov/small\""),
                "services in name order, so scrapes compare line by line");

        Path promtool = Promtool.find();
        if (promtool != null) {
            Promtool.checkMetrics(promtool, text);
        }
    }

    @Test
    void shouldWriteNothingWhileNoServiceIsCachedAndStopShowingADroppedCache() {
        InquiryCaches caches = new InquiryCaches(() -> now, 64L << 20);
        assertEquals("", scrape(caches));

        caches.of("prov/svc", config(1 << 20)).count(CacheResult.HIT);
        assertTrue(scrape(caches).contains("gozargah_cache_requests_total{service=\"prov/svc\",result=\"hit\"} 1"));

        caches.retain(Set.of());
        assertEquals("", scrape(caches), "a reload that drops the service's cache drops its series");
    }

    private static long sample(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\d+)").matcher(text);
        assertTrue(m.find(), series + " in " + text);
        return Long.parseLong(m.group(1));
    }
}
