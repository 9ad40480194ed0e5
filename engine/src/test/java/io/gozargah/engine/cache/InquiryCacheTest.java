package io.gozargah.engine.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gozargah.engine.config.CacheConfig;
import io.gozargah.engine.exchange.Outcome;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;

import org.junit.jupiter.api.Test;

/**
 * One service's cache without the gateway around it: its clock moved by hand, its byte bound under a flood of
 * distinct keys, its purges, and the fills that identical misses wait on.
 */
class InquiryCacheTest {
    private static final long SECOND = 1_000_000_000L;

    private long now = 5_000 * SECOND;

    private static CacheConfig config(long maxBytes) {
        return new CacheConfig(Duration.ofSeconds(60), maxBytes, 64 * 1024, true, true, List.of(),
                CacheConfig.Scope.SHARED, Set.of(200, 404), Duration.ofSeconds(30), false);
    }

    private CachedAnswer answer(int bodyBytes, long freshSeconds, long staleSeconds) {
        byte[] head = "HTTP/1.1 200 OK\r\nContent-Length: 0000\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = new byte[head.length + bodyBytes];
        System.arraycopy(head, 0, bytes, 0, head.length);
        return new CachedAnswer(bytes, head.length, 200, now, now + freshSeconds * SECOND,
                now + (freshSeconds + staleSeconds) * SECOND, 0);
    }

    private static CacheKey key(String pathAndQuery, String consumer) {
        return new CacheKey().append(pathAndQuery).endPart().append(consumer).endPart().seal().copy();
    }

    @Test
    void shouldServeAnEntryUntilItsStaleLifeEndsByTheInjectedClock() {
        InquiryCache cache = new InquiryCache("p/s", config(1 << 20), () -> now);
        CacheKey key = key("/p/s/1", "");
        cache.put(key, answer(10, 60, 30));

        CacheKey probe = new CacheKey().append("/p/s/1").endPart().endPart().seal();
        CachedAnswer kept = cache.get(probe);
        assertNotNull(kept, "a probe with the same bytes finds the stored key");
        assertTrue(kept.freshAt(now));

        now += 59 * SECOND;
        assertTrue(cache.get(probe).freshAt(now), "fresh for its 60 s");
        assertEquals(59, cache.get(probe).ageSeconds(now));

        now += 2 * SECOND;
        kept = cache.get(probe);
        assertNotNull(kept, "kept past its freshness while it may stand in for a failed provider");
        assertFalse(kept.freshAt(now));
        assertTrue(kept.staleUsableAt(now));

        now += 30 * SECOND;
        assertNull(cache.get(probe), "gone once stale-if-error is over too");
        assertEquals(0, cache.entries());
    }

    @Test
    void shouldHoldItsByteBoundUnderAFloodOfDistinctKeys() {
        long maxBytes = 256 * 1024;
        InquiryCache cache = new InquiryCache("p/s", config(maxBytes), () -> now);
        for (int i = 0; i < 20_000; i++) {
            cache.put(key("/p/s/" + i, ""), answer(1000, 60, 0));
            if (i % 1000 == 999) {
                assertTrue(cache.weightedBytes() <= maxBytes, "within the bound after " + (i + 1) + " entries: "
                        + cache.weightedBytes());
            }
        }
        long each = 1000 + 41 + key("/p/s/10000", "").length() + CachedAnswer.OVERHEAD_BYTES;
        assertTrue(cache.entries() <= maxBytes / (each - 2), "entries: " + cache.entries());
        assertTrue(cache.entries() > maxBytes / each / 2, "the bound is used, not wasted: " + cache.entries());
        assertTrue(cache.evictions() >= 20_000 - cache.entries(), "evictions: " + cache.evictions());
    }

    @Test
    void shouldPurgeEveryEntryOfAPathAndQueryWhateverItsConsumer() {
        InquiryCache cache = new InquiryCache("p/s", config(1 << 20), () -> now);
        cache.put(key("/p/s/1", "alice"), answer(5, 60, 0));
        cache.put(key("/p/s/1", "carol"), answer(5, 60, 0));
        cache.put(key("/p/s/1?x=2", "alice"), answer(5, 60, 0));
        cache.put(key("/p/s/12", "alice"), answer(5, 60, 0));

        assertEquals(2, cache.purge("/p/s/1"));
        assertNull(cache.get(key("/p/s/1", "alice")));
        assertNull(cache.get(key("/p/s/1", "carol")));
        assertNotNull(cache.get(key("/p/s/1?x=2", "alice")), "another query is another entry");
        assertNotNull(cache.get(key("/p/s/12", "alice")), "a longer path is another entry");

        assertEquals(0, cache.purge("/p/s/nothing"));
        assertEquals(2, cache.purge());
        assertEquals(0, cache.entries());
    }

    /** A waiter that records what it was told, run at once (its "loop" is the caller). */
    private static final class Recorder implements CacheWaiter {
        final List<CacheFill.Kind> told = new ArrayList<>();
        final List<Long> tokens = new ArrayList<>();

        @Override
        public Executor executor() {
            return Runnable::run;
        }

        @Override
        public void filled(CacheFill fill, long token) {
            told.add(fill.kind());
            tokens.add(token);
        }
    }

    @Test
    void shouldLetTheFirstMissLeadAndTheOthersWaitForItsAnswer() {
        InquiryCache cache = new InquiryCache("p/s", config(1 << 20), () -> now);
        Recorder leader = new Recorder();
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        CacheFill fill = cache.joinOrLead(key("/p/s/1", ""), leader, 1);
        assertTrue(fill.ledBy(leader, 1));
        assertSame(fill, cache.joinOrLead(key("/p/s/1", ""), a, 7));
        assertSame(fill, cache.joinOrLead(key("/p/s/1", ""), b, 8));
        assertFalse(fill.ledBy(a, 7));
        CacheFill other = cache.joinOrLead(key("/p/s/2", ""), a, 9);
        assertNotSame(fill, other, "another key, another fill");
        assertTrue(other.ledBy(a, 9));
        assertEquals(2, fill.waiting());

        fill.leave(a, 7);
        assertEquals(1, fill.waiting(), "a waiter that leaves disturbs no other");

        CachedAnswer answer = answer(3, 60, 0);
        cache.fillWithAnswer(fill, answer, true, CacheResult.COALESCED);
        assertEquals(List.of(CacheFill.Kind.ANSWER), b.told);
        assertEquals(List.of(8L), b.tokens);
        assertEquals(List.of(), a.told);
        assertSame(answer, fill.answer());
        assertEquals(CacheResult.COALESCED, fill.answerResult());
        assertSame(answer, cache.get(key("/p/s/1", "")), "kept for the next inquiry");

        Recorder late = new Recorder();
        CacheFill next = cache.joinOrLead(key("/p/s/1", ""), late, 3);
        assertNotSame(fill, next, "a closed fill takes no more waiters: the late one leads a new one");
        assertTrue(next.ledBy(late, 3));
        assertEquals(2, cache.fillsInFlight());
    }

    @Test
    void shouldFailEveryWaiterWithTheLeadersOutcome() {
        InquiryCache cache = new InquiryCache("p/s", config(1 << 20), () -> now);
        Recorder leader = new Recorder();
        Recorder a = new Recorder();
        CacheFill fill = cache.joinOrLead(key("/p/s/1", ""), leader, 1);
        cache.joinOrLead(key("/p/s/1", ""), a, 2);

        cache.fillWithFailure(fill, Outcome.UPSTREAM_TIMEOUT, "too slow", 1);
        assertEquals(List.of(CacheFill.Kind.FAILURE), a.told);
        assertEquals(Outcome.UPSTREAM_TIMEOUT, fill.outcome());
        assertEquals("too slow", fill.detail());
        assertEquals(1, fill.retryAfterSeconds());
        assertEquals(0, cache.fillsInFlight());
        assertNull(cache.get(key("/p/s/1", "")), "nothing kept of a failure");

        cache.fillWithFailure(fill, Outcome.UPSTREAM_UNAVAILABLE, "again", -1);
        assertEquals(1, a.told.size(), "a fill closes once");
    }

    @Test
    void shouldCountResultsAndDropNothingOnAZeroFreshAnswerShared() {
        InquiryCache cache = new InquiryCache("p/s", config(1 << 20), () -> now);
        cache.count(CacheResult.MISS);
        cache.count(CacheResult.HIT);
        cache.count(CacheResult.HIT);
        assertEquals(1, cache.counted(CacheResult.MISS));
        assertEquals(2, cache.counted(CacheResult.HIT));
        assertEquals(0, cache.counted(CacheResult.STALE));

        Recorder leader = new Recorder();
        Recorder a = new Recorder();
        CacheFill fill = cache.joinOrLead(key("/p/s/1", ""), leader, 1);
        cache.joinOrLead(key("/p/s/1", ""), a, 2);
        cache.fillWithAnswer(fill, answer(3, 0, 0), false, CacheResult.COALESCED);
        assertEquals(List.of(CacheFill.Kind.ANSWER), a.told, "an answer not kept is still shared with the waiters");
        assertNull(cache.get(key("/p/s/1", "")));
    }

    @Test
    void shouldHoldTheCachesToTheirShareOfTheHeapWhenTheirSettingsAskForMore() {
        InquiryCaches caches = new InquiryCaches(() -> now, 10L << 20);
        InquiryCache a = caches.of("p/a", config(1 << 20));
        caches.retain(Set.of("p/a"));
        assertEquals(1 << 20, a.maxBytes(), "within 40% of the heap: as configured");

        InquiryCache b = caches.of("p/b", config(3L << 20));
        InquiryCache c = caches.of("p/c", config(4L << 20));
        caches.retain(Set.of("p/a", "p/b", "p/c"));
        long budget = (long) ((10L << 20) * 0.4);
        assertTrue(a.maxBytes() + b.maxBytes() + c.maxBytes() <= budget, "together within the share");
        assertEquals(3 * a.maxBytes(), b.maxBytes(), 3, "in proportion to their maxBytes");
        for (int i = 0; i < 5000; i++) {
            c.put(key("/p/c/" + i, ""), answer(1000, 60, 0));
        }
        assertTrue(c.weightedBytes() <= c.maxBytes(), "the lowered bound holds: " + c.weightedBytes());

        caches.retain(Set.of("p/a"));
        assertEquals(1 << 20, a.maxBytes(), "back to its own once the others are gone");
        assertSame(a, caches.of("p/a", config(1 << 20)), "same settings, same cache");
    }
}
