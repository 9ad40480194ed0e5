package io.gozargah.engine.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gozargah.codec.http1.HttpMethod;
import io.gozargah.engine.config.RetryConfig;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private static final long MS = 1_000_000L;

    @Test
    void shouldRetryOnlyIdempotentMethodsOnProvenFailuresByDefault() {
        RetryPolicy p = RetryPolicy.defaults("p");
        for (HttpMethod m : new HttpMethod[] {HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.PUT,
                HttpMethod.DELETE}) {
            assertTrue(p.allows(m), m.name());
        }
        assertFalse(p.allows(HttpMethod.POST));
        assertFalse(p.allows(HttpMethod.PATCH));
        assertTrue(p.on(RetryConfig.On.CONNECT_FAILURE));
        assertTrue(p.on(RetryConfig.On.RESET));
        assertTrue(p.on(RetryConfig.On.REFUSED_STREAM));
        assertFalse(p.on(RetryConfig.On.TIMEOUT));
        assertFalse(p.on(RetryConfig.On.GATEWAY_ERROR));
        assertEquals(2, p.maxAttempts());
        assertEquals(0, p.perTryTimeoutNanos());
    }

    @Test
    void shouldReadTheServiceSettings() {
        RetryPolicy p = new RetryPolicy(new RetryConfig(Set.of(RetryConfig.On.GATEWAY_ERROR), Set.of("POST"), 4,
                Duration.ofMillis(300), Duration.ofMillis(10), 1024), new RetryBudget("p", 0.2, 3));
        assertTrue(p.allows(HttpMethod.POST));
        assertFalse(p.allows(HttpMethod.GET));
        assertTrue(p.on(RetryConfig.On.GATEWAY_ERROR));
        assertFalse(p.on(RetryConfig.On.RESET));
        assertEquals(300 * MS, p.perTryTimeoutNanos());
        assertEquals(1024, p.maxBodyBytes());
    }

    @Test
    void shouldJitterTheBackoffBetweenHalfAndWholeAndDoubleItPerRetry() {
        RetryPolicy p = new RetryPolicy(new RetryConfig(RetryConfig.DEFAULT_ON, RetryConfig.DEFAULT_METHODS, 10, null,
                Duration.ofMillis(20), 0), new RetryBudget("p", 0.2, 3));
        assertEquals(10 * MS, p.backoffNanos(1, 0), "the least jitter: half the base");
        assertEquals(20 * MS, p.backoffNanos(1, (int) (10 * MS)), "the most: the whole base");
        assertEquals(20 * MS, p.backoffNanos(2, 0), "the second retry waits twice as long");
        assertEquals(40 * MS, p.backoffNanos(2, (int) (20 * MS)));
        assertEquals(640 * MS, p.backoffNanos(10, 0), "capped at 64 times the base");
        for (int r : new int[] {-1, Integer.MIN_VALUE, Integer.MAX_VALUE, 12345}) {
            long d = p.backoffNanos(1, r);
            assertTrue(d >= 10 * MS && d <= 20 * MS, d + " for " + r);
        }
    }
}
