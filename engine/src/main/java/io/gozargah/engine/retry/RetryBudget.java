package io.gozargah.engine.retry;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many retries a provider may have in flight at once, shared by every event loop of the gateway: at most
 * {@code ratio} of the provider's active requests, and never fewer than {@code minConcurrent} (so that a quiet
 * provider's single failure can still be retried). A sick provider is thereby never hit by a retry storm: when
 * every request fails, retries add at most that share of load. Lock-free: the counts are atomics and a retry is
 * admitted by compare-and-set.
 *
 * <p>The resend of a request on a fresh connection after its reused one turned out closed is not a retry here, nor
 * is a retry after a connect failure or a refused HTTP/2 stream: the provider never worked on that request.
 */
public final class RetryBudget {
    /** The default share of active requests that may be retries in flight (Envoy's and Finagle's 20%). */
    public static final double DEFAULT_RATIO = 0.2;
    /** The default floor: retries allowed in flight whatever the provider's load. */
    public static final int DEFAULT_MIN_CONCURRENT = 3;

    private final String provider;
    private final double ratio;
    private final int minConcurrent;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger retries = new AtomicInteger();
    private final AtomicLong exhausted = new AtomicLong();

    public RetryBudget(String provider, double ratio, int minConcurrent) {
        if (ratio < 0 || minConcurrent < 0) {
            throw new IllegalArgumentException("a retry budget's ratio and floor are never negative");
        }
        this.provider = provider;
        this.ratio = ratio;
        this.minConcurrent = minConcurrent;
    }

    public String provider() {
        return provider;
    }

    /** A request to the provider started (its first attempt). */
    public void requestStarted() {
        active.incrementAndGet();
    }

    /** A request counted by {@link #requestStarted} ended. */
    public void requestEnded() {
        active.decrementAndGet();
    }

    /**
     * Admits one retry if the budget has room, counting it in flight until {@link #retryEnded}; otherwise counts the
     * refusal ({@link #exhausted()}) and returns false.
     */
    public boolean tryStartRetry() {
        while (true) {
            int r = retries.get();
            if (r >= limit()) {
                exhausted.incrementAndGet();
                return false;
            }
            if (retries.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    /** A retry admitted by {@link #tryStartRetry} ended (answered, failed, or its exchange went away). */
    public void retryEnded() {
        retries.decrementAndGet();
    }

    /** Retries allowed in flight now. */
    public int limit() {
        return Math.max(minConcurrent, (int) (active.get() * ratio));
    }

    public int active() {
        return active.get();
    }

    public int retriesInFlight() {
        return retries.get();
    }

    /** Retries refused for want of budget, over the budget's life. */
    public long exhausted() {
        return exhausted.get();
    }
}
