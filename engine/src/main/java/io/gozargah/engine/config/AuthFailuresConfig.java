package io.gozargah.engine.config;

/**
 * {@code server.authFailures}: how fast one client address (an IPv6 client's /64) may fail authentication before
 * its failed requests are answered {@code 429 rate-limited} and their connections closed. Only failures count: a
 * request that authenticates is never held back by it. Read at start (not reloadable, as the rest of
 * {@code server}).
 *
 * @param enabled   false: every failure is answered 401 and journaled on its own, however many come
 * @param perSecond failures per second an address may keep up (GCRA, as a grant's rate)
 * @param burst     failures an address may make at one instant after a quiet spell
 * @param addresses slots of the table that counts them (rounded up to a power of two): addresses that may be short
 *                  of their burst at once; past it a failure from an address not yet counted is refused too
 */
public record AuthFailuresConfig(boolean enabled, double perSecond, int burst, int addresses) {
    /** One bucket of the table (admission.AddressRateLimiter). */
    public static final int MIN_ADDRESSES = 8;
    /** The table's own limit: 2^24 slots, 128 MiB. */
    public static final int MAX_ADDRESSES = 1 << 24;

    /**
     * 10 a second with a burst of 50. An honest client with a wrong or revoked key fails a handful of times (a
     * developer retrying, a service's retries with backoff, a pool opening its connections at once) and stays
     * far below; a flood is past the burst within a second at any rate above 60 a second (50 / (60 - 10)). An
     * address that keeps just under the rate writes at most 10 records of its own a second (110 MB a day of
     * 128-byte records); one that goes past it is journaled as counts, a few summaries a second, not a record per
     * failure. 65,536 addresses take 512 KiB.
     */
    public static AuthFailuresConfig defaults() {
        return new AuthFailuresConfig(true, 10, 50, 65_536);
    }
}
