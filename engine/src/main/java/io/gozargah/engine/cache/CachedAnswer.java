package io.gozargah.engine.cache;

/**
 * A provider's answer as the cache keeps it: one compact array holding an HTTP/1.1 response head (status line, the
 * fields passed to consumers, the gateway's own {@code Content-Length}, the blank line) and then the body, so that
 * a hit is one copy into a pooled buffer and the same parse the gateway makes of any provider's head. Immutable, so
 * any event loop may serve it while another replaces or evicts it: nothing is reference-counted, nothing released.
 *
 * <p>Times are readings of the cache's clock ({@link InquiryCache}'s ticker, nanoseconds).
 */
public final class CachedAnswer {
    /** What an entry costs beyond its bytes and its key's: the objects around them, and Caffeine's node. */
    static final int OVERHEAD_BYTES = 160;

    private final byte[] bytes;
    private final int headLength;
    private final int status;
    private final long storedNanos;
    private final long freshUntilNanos;
    private final long staleUntilNanos;
    private final long initialAgeSeconds;

    /**
     * @param bytes             the head and then the body
     * @param headLength        the head's bytes, blank line included
     * @param status            the provider's status
     * @param storedNanos       when the answer arrived
     * @param freshUntilNanos   until when it is served fresh
     * @param staleUntilNanos   until when it may be served stale, when the provider fails ({@code freshUntilNanos}
     *                          when never)
     * @param initialAgeSeconds its age as it arrived (the provider's {@code Age})
     */
    public CachedAnswer(byte[] bytes, int headLength, int status, long storedNanos, long freshUntilNanos,
                        long staleUntilNanos, long initialAgeSeconds) {
        this.bytes = bytes;
        this.headLength = headLength;
        this.status = status;
        this.storedNanos = storedNanos;
        this.freshUntilNanos = freshUntilNanos;
        this.staleUntilNanos = Math.max(staleUntilNanos, freshUntilNanos);
        this.initialAgeSeconds = initialAgeSeconds;
    }

    /** The head and the body; never written to. */
    public byte[] bytes() {
        return bytes;
    }

    public int headLength() {
        return headLength;
    }

    public int bodyLength() {
        return bytes.length - headLength;
    }

    public int status() {
        return status;
    }

    public boolean freshAt(long nowNanos) {
        return nowNanos - freshUntilNanos < 0;
    }

    /** Whether it may still be served to stand in for a failed provider at {@code nowNanos}. */
    public boolean staleUsableAt(long nowNanos) {
        return nowNanos - staleUntilNanos < 0;
    }

    public long freshUntilNanos() {
        return freshUntilNanos;
    }

    /** The end of its life in the cache: fresh, then stale-if-error. */
    public long staleUntilNanos() {
        return staleUntilNanos;
    }

    /**
     * Its {@code Age} at {@code nowNanos}: as it arrived, plus the whole seconds it has been kept (RFC 9111
     * §4.2.3).
     */
    public long ageSeconds(long nowNanos) {
        return initialAgeSeconds + Math.max(0, nowNanos - storedNanos) / 1_000_000_000L;
    }

    /** The weight the cache's byte bound counts for it under {@code key}. */
    int weight(CacheKey key) {
        long w = (long) bytes.length + key.length() + OVERHEAD_BYTES;
        return (int) Math.min(Integer.MAX_VALUE, w);
    }
}
