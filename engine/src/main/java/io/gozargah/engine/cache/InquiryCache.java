package io.gozargah.engine.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.gozargah.engine.admission.NanoClock;
import io.gozargah.engine.config.CacheConfig;
import io.gozargah.engine.exchange.Outcome;

import io.netty.util.AsciiString;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * One service's kept answers and its upstream calls in flight, shared by every event loop: a Caffeine cache bounded
 * by its entries' bytes ({@link CachedAnswer#weight}), each entry expiring when it can no longer be served even
 * stale, and the {@link CacheFill}s that identical concurrent misses wait on, one per key.
 *
 * <p>Caffeine's maintenance (eviction, expiry) runs on the calling thread ({@code executor(Runnable::run)}), a few
 * microseconds amortized, rather than on the common fork-join pool, which the gateway leaves to nothing else. Its
 * clock is the gateway's {@link NanoClock}, so tests drive expiry without waiting.
 */
public final class InquiryCache {
    private final String service;
    private final CacheConfig config;
    private final NanoClock clock;
    private final Cache<CacheKey, CachedAnswer> answers;
    private final ConcurrentHashMap<CacheKey, CacheFill> fills = new ConcurrentHashMap<>();
    private final LongAdder[] results = new LongAdder[CacheResult.values().length];
    private final LongAdder evictions = new LongAdder();
    private final AsciiString[] varyNames;

    /**
     * @param service the service's qualified name ({@code provider/service}), for logs and metrics
     * @param config  its cache settings
     * @param clock   the cache's clock: entries' times are its readings
     */
    public InquiryCache(String service, CacheConfig config, NanoClock clock) {
        this.service = service;
        this.config = config;
        this.clock = clock;
        this.varyNames = config.varyHeaders().stream().map(AsciiString::cached).toArray(AsciiString[]::new);
        for (int i = 0; i < results.length; i++) {
            results[i] = new LongAdder();
        }
        this.answers = Caffeine.newBuilder()
                .maximumWeight(config.maxBytes())
                .weigher((CacheKey k, CachedAnswer a) -> a.weight(k))
                .expireAfter(new UntilStale())
                .ticker(clock::nanoTime)
                .executor(Runnable::run)
                .evictionListener((CacheKey k, CachedAnswer a, RemovalCause cause) -> {
                    if (cause == RemovalCause.SIZE) {
                        evictions.increment();
                    }
                })
                .build();
    }

    public String service() {
        return service;
    }

    public CacheConfig config() {
        return config;
    }

    /** The request fields (lower case) whose values are part of the key, in the config's order. */
    public AsciiString[] varyNames() {
        return varyNames;
    }

    /** A reading of the cache's clock. */
    public long nanoTime() {
        return clock.nanoTime();
    }

    /** The answer kept under {@code key} (a probe will do), fresh or still usable stale; null when none. */
    public CachedAnswer get(CacheKey key) {
        return answers.getIfPresent(key);
    }

    /** Keeps {@code answer} under {@code key}, a stored key (never a probe), replacing what was there. */
    public void put(CacheKey key, CachedAnswer answer) {
        answers.put(key, answer);
    }

    /**
     * Joins the fill in flight for {@code key} as {@code waiter}, or, when there is none, opens one that the caller
     * leads: returns the fill, led by the caller exactly when {@link CacheFill#ledBy} says so. {@code key} must be a
     * stored key: a new fill keeps it.
     */
    public CacheFill joinOrLead(CacheKey key, CacheWaiter waiter, long token) {
        return fills.compute(key, (k, existing) -> existing != null && existing.join(waiter, token)
                ? existing : new CacheFill(k, waiter, token));
    }

    /** The leader has the provider's answer: kept (when {@code store}), then given to the waiters. */
    public void fillWithAnswer(CacheFill fill, CachedAnswer answer, boolean store, CacheResult waitersResult) {
        if (store) {
            answers.put(fill.key(), answer);
        }
        fills.remove(fill.key(), fill);
        fill.closeWithAnswer(answer, waitersResult);
    }

    /** The leader's call failed and nothing stands in: the waiters answer the same. */
    public void fillWithFailure(CacheFill fill, Outcome outcome, String detail, long retryAfterSeconds) {
        fills.remove(fill.key(), fill);
        fill.closeWithFailure(outcome, detail, retryAfterSeconds);
    }

    /** The fill ends without an answer to share ({@link CacheFill.Kind#RETRY} or {@link CacheFill.Kind#BYPASS}). */
    public void endFill(CacheFill fill, CacheFill.Kind how) {
        fills.remove(fill.key(), fill);
        fill.close(how);
    }

    /**
     * Holds the cache to {@code bytes} instead of its configured maxBytes (never more than that): the gateway's
     * share of the heap for caches, when their settings together ask for more ({@link InquiryCaches}).
     */
    void limit(long bytes) {
        long bound = Math.max(1, Math.min(bytes, config.maxBytes()));
        answers.policy().eviction().ifPresent(e -> e.setMaximum(bound));
    }

    /** The bound in force: maxBytes, or less when the heap cannot hold every cache's. */
    public long maxBytes() {
        return answers.policy().eviction().map(e -> e.getMaximum()).orElse(config.maxBytes());
    }

    /** Counts what the cache did for one exchange. */
    public void count(CacheResult result) {
        results[result.ordinal()].increment();
    }

    /** Exchanges with {@code result} so far. */
    public long counted(CacheResult resultOf) {
        return results[resultOf.ordinal()].sum();
    }

    /** Entries removed to keep within maxBytes. */
    public long evictions() {
        return evictions.sum();
    }

    /** The bytes the entries weigh now (their bytes, their keys', and a fixed cost each). */
    public long weightedBytes() {
        answers.cleanUp();
        return answers.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
    }

    /** Entries kept now. */
    public long entries() {
        answers.cleanUp();
        return answers.estimatedSize();
    }

    /** Drops every entry; returns how many there were. */
    public long purge() {
        long n = answers.estimatedSize();
        answers.invalidateAll();
        answers.cleanUp();
        return n;
    }

    /**
     * Drops the entries whose path and query (the key's first part, as {@code key: [path, query]} makes it) are
     * {@code pathAndQuery}: every consumer's and every vary variant's. Returns how many.
     */
    public long purge(String pathAndQuery) {
        byte[] first = pathAndQuery.getBytes(StandardCharsets.ISO_8859_1);
        long[] n = new long[1];
        answers.asMap().keySet().removeIf(k -> {
            boolean match = k.firstPartEquals(first);
            if (match) {
                n[0]++;
            }
            return match;
        });
        return n[0];
    }

    /** Exchanges waiting on fills now: for tests and the admin's view. */
    public int waiting() {
        int n = 0;
        for (CacheFill f : fills.values()) {
            n += f.waiting();
        }
        return n;
    }

    /** Fills in flight: for tests. */
    public int fillsInFlight() {
        return fills.size();
    }

    /** Entries live until they can no longer be served even stale; reads do not extend them. */
    private static final class UntilStale implements Expiry<CacheKey, CachedAnswer> {
        @Override
        public long expireAfterCreate(CacheKey key, CachedAnswer value, long currentTime) {
            return Math.max(0, value.staleUntilNanos() - currentTime);
        }

        @Override
        public long expireAfterUpdate(CacheKey key, CachedAnswer value, long currentTime, long currentDuration) {
            return Math.max(0, value.staleUntilNanos() - currentTime);
        }

        @Override
        public long expireAfterRead(CacheKey key, CachedAnswer value, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
