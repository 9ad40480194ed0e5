package io.gozargah.engine.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Waits for an observable condition with a deadline, polling it: what tests do instead of sleeping. */
public final class Await {
    private static final Duration DEFAULT = Duration.ofSeconds(10);

    private Await() {
    }

    /** Returns once {@code condition} holds; fails naming {@code what} if it does not within 10 s. */
    public static void until(BooleanSupplier condition, String what) throws InterruptedException {
        until(condition, what, DEFAULT);
    }

    /** Returns once {@code condition} holds; fails naming {@code what} if it does not within {@code timeout}. */
    public static void until(BooleanSupplier condition, String what, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within " + timeout.toMillis() + " ms: " + what);
            }
            Thread.sleep(5);
        }
    }
}
