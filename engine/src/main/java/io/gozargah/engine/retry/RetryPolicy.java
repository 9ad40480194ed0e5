package io.gozargah.engine.retry;

import io.gozargah.codec.http1.HttpMethod;
import io.gozargah.engine.config.RetryConfig;

/**
 * A service's retry settings as the hot path reads them: masks instead of sets, nanoseconds instead of durations,
 * and its provider's {@link RetryBudget}. Immutable; shared by every loop through the routing snapshot.
 */
public final class RetryPolicy {
    private final int methodMask;
    private final int onMask;
    private final int maxAttempts;
    private final long perTryTimeoutNanos;
    private final long backoffNanos;
    private final long maxBodyBytes;
    private final RetryBudget budget;

    public RetryPolicy(RetryConfig config, RetryBudget budget) {
        int methods = 0;
        for (String m : config.methods()) {
            methods |= 1 << HttpMethod.valueOf(m).ordinal();
        }
        int on = 0;
        for (RetryConfig.On o : config.on()) {
            on |= 1 << o.ordinal();
        }
        this.methodMask = methods;
        this.onMask = on;
        this.maxAttempts = config.maxAttempts();
        this.perTryTimeoutNanos = config.perTryTimeout() == null ? 0 : config.perTryTimeout().toNanos();
        this.backoffNanos = config.backoff().toNanos();
        this.maxBodyBytes = config.maxBodyBytes();
        this.budget = budget;
    }

    /** The defaults of {@link RetryConfig#DEFAULT} over a budget of the default share. */
    public static RetryPolicy defaults(String provider) {
        return new RetryPolicy(RetryConfig.DEFAULT,
                new RetryBudget(provider, RetryBudget.DEFAULT_RATIO, RetryBudget.DEFAULT_MIN_CONCURRENT));
    }

    /** Whether a request with {@code method} may be sent again at all (when the provider may have seen it). */
    public boolean allows(HttpMethod method) {
        return (methodMask & (1 << method.ordinal())) != 0;
    }

    /** Whether {@code failure} sends a request again. */
    public boolean on(RetryConfig.On failure) {
        return (onMask & (1 << failure.ordinal())) != 0;
    }

    /** Sends of one request in all, the first included. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** How long one attempt waits for its response head; 0 for the service's responseTimeout alone. */
    public long perTryTimeoutNanos() {
        return perTryTimeoutNanos;
    }

    /** The largest request body kept for a replay. */
    public long maxBodyBytes() {
        return maxBodyBytes;
    }

    public RetryBudget budget() {
        return budget;
    }

    /**
     * The delay before retry number {@code retry} (1 for the first): the base backoff doubled for each retry before
     * it, capped at 64 times the base, and jittered to between half of that and the whole by {@code random} (any
     * int: full jitter spreads the retries of many requests that failed together).
     */
    public long backoffNanos(int retry, int random) {
        long span = backoffNanos << Math.min(6, Math.max(0, retry - 1));
        long half = span >>> 1;
        return half + Integer.toUnsignedLong(random) % (span - half + 1);
    }
}
