package io.gozargah.engine.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {

    @Test
    void shouldAllowTheFloorOfRetriesWhateverTheLoad() {
        RetryBudget b = new RetryBudget("p", 0.2, 3);
        assertTrue(b.tryStartRetry());
        assertTrue(b.tryStartRetry());
        assertTrue(b.tryStartRetry());
        assertFalse(b.tryStartRetry(), "the fourth retry in flight exceeds the floor of 3 with no active requests");
        assertEquals(1, b.exhausted());
        b.retryEnded();
        assertTrue(b.tryStartRetry(), "a retry that ended gives its slot back");
        assertEquals(3, b.retriesInFlight());
    }

    @Test
    void shouldAllowTheShareOfActiveRequestsAboveTheFloor() {
        RetryBudget b = new RetryBudget("p", 0.2, 3);
        for (int i = 0; i < 100; i++) {
            b.requestStarted();
        }
        assertEquals(20, b.limit());
        int admitted = 0;
        while (b.tryStartRetry()) {
            admitted++;
        }
        assertEquals(20, admitted);
        for (int i = 0; i < 50; i++) {
            b.requestEnded();
        }
        assertEquals(10, b.limit());
        assertFalse(b.tryStartRetry(), "20 in flight against a limit of 10 now");
        for (int i = 0; i < 11; i++) {
            b.retryEnded();
        }
        assertTrue(b.tryStartRetry());
    }

    @Test
    void shouldNeverAdmitMoreThanTheLimitAcrossThreads() throws Exception {
        RetryBudget b = new RetryBudget("p", 0.0, 5);
        int threads = 4;
        AtomicInteger admitted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            ts[t] = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < 10_000; i++) {
                    if (b.tryStartRetry()) {
                        admitted.incrementAndGet();
                    }
                }
            });
            ts[t].start();
        }
        start.countDown();
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(5, admitted.get(), "nothing was given back, so exactly the floor was admitted");
        assertEquals(5, b.retriesInFlight());
        assertEquals(threads * 10_000L - 5, b.exhausted());
    }
}
