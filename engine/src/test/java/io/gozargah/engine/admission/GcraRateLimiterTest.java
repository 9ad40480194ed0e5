package io.gozargah.engine.admission;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GcraRateLimiterTest {

    private static final long SECOND = 1_000_000_000L;

    /** 10 per second (T = 100 ms), burst 5. */
    private static GcraRateLimiter tenPerSecondBurstFive(long start) {
        return new GcraRateLimiter(10, 5, 4, () -> start);
    }

    @Test
    void shouldAdmitExactlyTheBurstAtOneInstantThenRejectWithTheWaitForOneInterval() {
        long t0 = 1_000 * SECOND;
        GcraRateLimiter limiter = tenPerSecondBurstFive(t0);
        for (int i = 4; i >= 0; i--) {
            assertEquals(i, limiter.tryAcquire(0, t0), "remaining after admission " + (5 - i));
        }
        long rejected = limiter.tryAcquire(0, t0);
        assertFalse(GcraRateLimiter.isAdmitted(rejected));
        assertEquals(100_000_000L, GcraRateLimiter.waitNanos(rejected));
        assertEquals(1, GcraRateLimiter.retryAfterSeconds(GcraRateLimiter.waitNanos(rejected)));
        assertEquals(1, GcraRateLimiter.waitNanos(limiter.tryAcquire(0, t0 + 100_000_000L - 1)), "1 ns early");
        assertEquals(0, limiter.tryAcquire(0, t0 + 100_000_000L));
    }

    @Test
    void shouldRejectWithoutConsumingCapacity() {
        long t0 = 0;
        GcraRateLimiter limiter = tenPerSecondBurstFive(t0);
        for (int i = 0; i < 5; i++) {
            limiter.tryAcquire(0, t0);
        }
        for (int i = 0; i < 1000; i++) {
            assertTrue(limiter.tryAcquire(0, t0 + 50_000_000L) < 0);
        }
        assertEquals(0, limiter.tryAcquire(0, t0 + 100_000_000L));
    }

    @Test
    void shouldAdmitExactlyOnePerIntervalAtTheSteadyRate() {
        long t0 = 7;
        GcraRateLimiter limiter = new GcraRateLimiter(10, 1, 1, () -> t0);
        long t = 100_000_000L;
        int admitted = 0;
        // Probe every 10 ms for 10 s: exactly one admission per 100 ms.
        for (long now = t0; now < t0 + 10 * SECOND; now += 10_000_000L) {
            if (limiter.tryAcquire(0, now) >= 0) {
                admitted++;
                assertEquals(0, (now - t0) % t, "admitted off the interval at " + now);
            }
        }
        assertEquals(100, admitted);
    }

    @Test
    void shouldRefillOnlyUpToTheBurstAfterALongIdle() {
        long t0 = 0;
        GcraRateLimiter limiter = tenPerSecondBurstFive(t0);
        for (int i = 0; i < 5; i++) {
            limiter.tryAcquire(0, t0);
        }
        long later = t0 + 3_600 * SECOND;
        assertEquals(0, limiter.resetSeconds(0, later));
        int admitted = 0;
        while (limiter.tryAcquire(0, later) >= 0) {
            admitted++;
        }
        assertEquals(5, admitted);
    }

    @Test
    void shouldRefillPartiallyInProportionToTheElapsedTime() {
        long t0 = 0;
        GcraRateLimiter limiter = tenPerSecondBurstFive(t0);
        for (int i = 0; i < 5; i++) {
            limiter.tryAcquire(0, t0);
        }
        long now = t0 + 250_000_000L; // 2.5 intervals: 2 requests' worth
        assertEquals(1, limiter.tryAcquire(0, now));
        assertEquals(0, limiter.tryAcquire(0, now));
        assertEquals(50_000_000L, GcraRateLimiter.waitNanos(limiter.tryAcquire(0, now)));
    }

    @Test
    void shouldHonourAFractionalRate() {
        long t0 = -5 * SECOND;
        GcraRateLimiter limiter = new GcraRateLimiter(0.5, 2, 1, () -> t0);
        assertEquals(2 * SECOND, limiter.emissionIntervalNanos());
        assertEquals(1, limiter.tryAcquire(0, t0));
        assertEquals(0, limiter.tryAcquire(0, t0));
        long rejected = limiter.tryAcquire(0, t0 + SECOND / 2);
        assertEquals(1_500_000_000L, GcraRateLimiter.waitNanos(rejected));
        assertEquals(2, GcraRateLimiter.retryAfterSeconds(GcraRateLimiter.waitNanos(rejected)));
        assertEquals(0, limiter.tryAcquire(0, t0 + 2 * SECOND));
        assertTrue(limiter.tryAcquire(0, t0 + 4 * SECOND - 1) < 0);
        assertEquals(0, limiter.tryAcquire(0, t0 + 4 * SECOND));
    }

    @Test
    void shouldRoundTheIntervalUpSoRoundingNeverAdmitsMore() {
        GcraRateLimiter limiter = new GcraRateLimiter(3, 1, 1, () -> 0);
        assertEquals(333_333_334L, limiter.emissionIntervalNanos());
        int admitted = 0;
        for (long now = 0; now <= SECOND; now += 1_000_000L) {
            if (limiter.tryAcquire(0, now) >= 0) {
                admitted++;
            }
        }
        assertEquals(3, admitted, "at 0, 333.33 ms, 666.67 ms; the 4th only at 1.000000002 s");
    }

    @Test
    void shouldWorkAcrossTheWraparoundOfClockReadings() {
        long t0 = Long.MAX_VALUE - 150_000_000L;
        GcraRateLimiter limiter = tenPerSecondBurstFive(t0);
        for (int i = 0; i < 5; i++) {
            assertTrue(limiter.tryAcquire(0, t0) >= 0);
        }
        // TATs now lie past Long.MAX_VALUE, i.e. negative.
        assertTrue(limiter.tryAcquire(0, t0) < 0);
        long wrapped = t0 + 200_000_000L; // overflows to a negative reading
        assertTrue(wrapped < 0);
        assertEquals(0, limiter.tryAcquire(0, wrapped - 100_000_000L));
        assertTrue(limiter.tryAcquire(0, wrapped - 1) < 0);
        assertEquals(0, limiter.tryAcquire(0, wrapped));
        long muchLater = wrapped + 10 * SECOND;
        int admitted = 0;
        while (limiter.tryAcquire(0, muchLater) >= 0) {
            admitted++;
        }
        assertEquals(5, admitted);
    }

    @Test
    void shouldStartWithTheFullBurstNearLongMinValue() {
        long t0 = Long.MIN_VALUE;
        GcraRateLimiter limiter = tenPerSecondBurstFive(t0);
        int admitted = 0;
        while (limiter.tryAcquire(0, t0) >= 0) {
            admitted++;
        }
        assertEquals(5, admitted);
    }

    @Test
    void shouldNeverAdmitMoreThanTheBurstWhenTheClockStepsBack() {
        long t0 = 100 * SECOND;
        GcraRateLimiter limiter = tenPerSecondBurstFive(t0);
        for (int i = 0; i < 5; i++) {
            limiter.tryAcquire(0, t0);
        }
        // The clock steps back by 10 s: the key is judged as if the burst was spent in its future.
        long back = t0 - 10 * SECOND;
        long rejected = limiter.tryAcquire(0, back);
        assertEquals(10 * SECOND + 100_000_000L, GcraRateLimiter.waitNanos(rejected));
        for (long now = back; now < t0 + 100_000_000L; now += 50_000_000L) {
            assertTrue(limiter.tryAcquire(0, now) < 0, "admitted at " + now);
        }
        assertEquals(0, limiter.tryAcquire(0, t0 + 100_000_000L));
    }

    @Test
    void shouldAdmitOnlyWhatTheBurstAllowsForAStepBackBeforeAnyUse() {
        long t0 = 100 * SECOND;
        GcraRateLimiter limiter = tenPerSecondBurstFive(t0);
        // 300 ms before the start: the start is 3 intervals ahead, so 5 - 3 = 2 requests pass.
        long back = t0 - 300_000_000L;
        assertEquals(1, limiter.tryAcquire(0, back));
        assertEquals(0, limiter.tryAcquire(0, back));
        assertTrue(limiter.tryAcquire(0, back) < 0);
    }

    @Test
    void shouldKeepDistinctKeysIndependent() {
        GcraRateLimiter limiter = tenPerSecondBurstFive(0);
        for (int i = 0; i < 5; i++) {
            limiter.tryAcquire(1, 0);
        }
        assertTrue(limiter.tryAcquire(1, 0) < 0);
        assertEquals(4, limiter.tryAcquire(0, 0));
        assertEquals(4, limiter.tryAcquire(2, 0));
        assertEquals(4, limiter.tryAcquire(3, 0));
        limiter.reset(1, 0);
        assertEquals(4, limiter.tryAcquire(1, 0));
    }

    @Test
    void shouldUseTheInjectedClockWhenNoTimeIsGiven() {
        AtomicLong clock = new AtomicLong(42);
        GcraRateLimiter limiter = new GcraRateLimiter(1, 1, 1, clock::get);
        assertEquals(0, limiter.tryAcquire(0));
        assertTrue(limiter.tryAcquire(0) < 0);
        clock.addAndGet(SECOND);
        assertEquals(0, limiter.tryAcquire(0));
    }

    @Test
    void shouldComputeHeaderValues() {
        GcraRateLimiter limiter = new GcraRateLimiter(5, 10, 1, () -> 0);
        assertEquals("\"grant\";q=5;w=1;x-gozargah-burst=10", limiter.policyFieldValue("grant"));
        assertEquals("\"c-1.x_y\";q=1;w=2;x-gozargah-burst=1",
                new GcraRateLimiter(0.5, 1, 1, () -> 0).policyFieldValue("c-1.x_y"));
        assertEquals("\"default\";q=1000;w=1;x-gozargah-burst=100",
                new GcraRateLimiter(1000, 100, 1, () -> 0).policyFieldValue("default"));
        assertEquals(";q=1;w=60;x-gozargah-burst=2", GcraRateLimiter.policyParameters(1.0 / 60, 2));
        assertEquals(";q=7;w=3600;x-gozargah-burst=1", GcraRateLimiter.policyParameters(7.0 / 3600, 1));
        assertThrows(IllegalArgumentException.class, () -> limiter.policyFieldValue("a\"b"));
        assertThrows(IllegalArgumentException.class, () -> limiter.policyFieldValue("Grant"));
        assertThrows(IllegalArgumentException.class, () -> limiter.policyFieldValue(""));

        assertEquals(0, limiter.resetSeconds(0, 0));
        assertEquals(9, limiter.tryAcquire(0, 0));
        assertEquals(200_000_000L, limiter.resetNanos(0, 0));
        assertEquals(1, limiter.resetSeconds(0, 0));
        for (int i = 0; i < 9; i++) {
            limiter.tryAcquire(0, 0);
        }
        assertEquals(2, limiter.resetSeconds(0, 0));
        assertEquals(2, limiter.resetSeconds(0, 1));
        assertEquals(1, limiter.resetSeconds(0, SECOND));

        assertEquals(1, GcraRateLimiter.retryAfterSeconds(1));
        assertEquals(1, GcraRateLimiter.retryAfterSeconds(SECOND));
        assertEquals(2, GcraRateLimiter.retryAfterSeconds(SECOND + 1));
        assertThrows(IllegalArgumentException.class, () -> GcraRateLimiter.waitNanos(0));
    }

    @Test
    void shouldRejectInvalidConfiguration() {
        assertThrows(IllegalArgumentException.class, () -> new GcraRateLimiter(0, 1, 1, () -> 0));
        assertThrows(IllegalArgumentException.class, () -> new GcraRateLimiter(-1, 1, 1, () -> 0));
        assertThrows(IllegalArgumentException.class, () -> new GcraRateLimiter(Double.NaN, 1, 1, () -> 0));
        assertThrows(IllegalArgumentException.class,
                () -> new GcraRateLimiter(Double.POSITIVE_INFINITY, 1, 1, () -> 0));
        assertThrows(IllegalArgumentException.class, () -> new GcraRateLimiter(1, 0, 1, () -> 0));
        assertThrows(IllegalArgumentException.class, () -> new GcraRateLimiter(1, 1, 0, () -> 0));
        assertThrows(IllegalArgumentException.class, () -> new GcraRateLimiter(1e-10, 1000, 1, () -> 0));
    }

    @Test
    void shouldAdmitExactlyTheBurstWhenManyThreadsHammerOneKeyAtAFrozenClock() throws Exception {
        int burst = 1_000;
        GcraRateLimiter limiter = new GcraRateLimiter(1, burst, 1, () -> 0);
        int threads = 8;
        int attempts = 100_000;
        long admitted = hammer(threads, () -> {
            long n = 0;
            for (int i = 0; i < attempts; i++) {
                if (limiter.tryAcquire(0, 0) >= 0) {
                    n++;
                }
            }
            return n;
        });
        assertEquals(burst, admitted);
    }

    @Test
    void shouldNeverAdmitMoreThanBurstPlusElapsedTimesRateWithAnAdvancingSharedClock() throws Exception {
        int burst = 50;
        long t = 1_000L; // 1e6 per second in fake nanoseconds
        AtomicLong clock = new AtomicLong(Long.MAX_VALUE - 1_000_000L); // wraps during the run
        long start = clock.get();
        GcraRateLimiter limiter = new GcraRateLimiter(1_000_000, burst, 1, clock::get);
        int threads = 8;
        int attempts = 100_000;
        long admitted = hammer(threads, () -> {
            long n = 0;
            for (int i = 0; i < attempts; i++) {
                long now = clock.addAndGet(7);
                if (limiter.tryAcquire(0, now) >= 0) {
                    n++;
                }
            }
            return n;
        });
        long elapsed = clock.get() - start;
        long bound = burst + elapsed / t;
        assertTrue(admitted <= bound, admitted + " admitted, bound " + bound);
        // Demand (one per 7 ns) far exceeds the rate, so the limiter should also not starve the key.
        assertTrue(admitted >= bound / 2, admitted + " admitted, bound " + bound);
    }

    private interface Worker {
        long run() throws Exception;
    }

    private static long hammer(int threads, Worker worker) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Long>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    return worker.run();
                }));
            }
            go.countDown();
            long total = 0;
            for (Future<Long> result : results) {
                total += result.get(60, TimeUnit.SECONDS);
            }
            return total;
        } finally {
            pool.shutdownNow();
        }
    }
}
