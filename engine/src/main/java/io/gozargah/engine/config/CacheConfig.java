package io.gozargah.engine.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A service's {@code cache}: whether and how the gateway keeps its provider's answers and folds identical concurrent
 * inquiries into one upstream call. A service without the key has no cache (null in {@link ServiceConfig#cache()}).
 * Only GET and HEAD are ever answered from it; what the provider says of caching (RFC 9111: {@code no-store},
 * {@code private}, {@code max-age}, {@code s-maxage}, {@code Expires}) is obeyed, with {@code ttl} as the longest an
 * answer is fresh.
 *
 * @param ttl                 the longest an answer is served fresh: the lifetime of one the provider says nothing
 *                            about, and the cap on {@code max-age}/{@code s-maxage}/{@code Expires}
 * @param maxBytes            the most the service's cache holds, counted as its entries' bytes plus a fixed cost each
 * @param maxEntryBytes       the largest single answer kept (head and body); a longer one passes through uncached
 * @param keyPath             whether the request's path is part of the cache key
 * @param keyQuery            whether the request's query is part of the cache key
 * @param varyHeaders         request header fields (lower case) whose values are part of the key; an answer whose
 *                            {@code Vary} names a field not listed here (or {@code *}) is not kept
 * @param scope               {@code SHARED}: an answer is served to any consumer granted the service;
 *                            {@code CONSUMER}: each consumer has its own entries
 * @param statuses            the provider statuses kept
 * @param staleIfError        how long past its freshness an answer may still be served when the provider fails
 *                            (RFC 5861 {@code stale-if-error}); zero: never
 * @param allowConsumerBypass whether a consumer's {@code Cache-Control: no-cache} (or {@code no-store}) sends its
 *                            request to the provider instead of the cache; otherwise the consumer's
 *                            {@code Cache-Control} is ignored
 */
public record CacheConfig(Duration ttl, long maxBytes, long maxEntryBytes, boolean keyPath, boolean keyQuery,
                          List<String> varyHeaders, Scope scope, Set<Integer> statuses, Duration staleIfError,
                          boolean allowConsumerBypass) {

    public static final Duration DEFAULT_TTL = Duration.ofMinutes(10);
    public static final long DEFAULT_MAX_BYTES = 256L * 1024 * 1024;
    public static final long DEFAULT_MAX_ENTRY_BYTES = 1024L * 1024;
    public static final Set<Integer> DEFAULT_STATUSES = Set.of(200, 404);
    /** An entry is one array: far below Java's limit on one, and far above any inquiry's answer. */
    public static final long MAX_ENTRY_BYTES = 1L << 30;
    /**
     * The statuses a cache may keep on its own judgement (RFC 9110 §15.1, "heuristically cacheable"), less 206: the
     * cache builds no partial answers. Any other needs the provider's say on each answer, which a service's
     * {@code statuses} cannot promise.
     */
    public static final Set<Integer> CACHEABLE_STATUSES = Collections.unmodifiableSet(new LinkedHashSet<>(
            List.of(200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501)));

    /** Who may be served an answer kept for another consumer's inquiry. */
    public enum Scope {
        /** Any consumer holding a grant for the service: the answer is about the subject, not the asker. */
        SHARED("shared"),
        /** Only the consumer whose inquiry was answered. */
        CONSUMER("consumer");

        private final String configName;

        Scope(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }
    }

    /** Whether an answer of {@code status} may be kept. */
    public boolean keepsStatus(int status) {
        return statuses.contains(status);
    }
}
