package io.gozargah.engine.accept;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One cap on open connections (the server's over all consumer listeners, or one listener's): counted up on the
 * accept loop and down on whichever event loop closes the connection. Reaching the cap marks it full, which
 * stops the listeners it covers from accepting; the close that takes it below asks the accept loop to resume.
 */
final class ConnectionCap {
    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicBoolean full = new AtomicBoolean();

    ConnectionCap(int max) {
        this.max = max;
    }

    /** On the accept loop: counts one more connection; false, counting nothing, when the cap is reached. */
    boolean tryAcquire() {
        int n = open.incrementAndGet();
        if (n > max) {
            open.decrementAndGet();
            return false;
        }
        if (n == max) {
            full.set(true);
            // A close that came between the increment and the flag saw it clear and asked for no resume.
            if (open.get() < max) {
                full.set(false);
            }
        }
        return true;
    }

    /** On any thread: one connection fewer. True when that took a full cap below it (resume the listeners). */
    boolean release() {
        return open.decrementAndGet() < max && full.compareAndSet(true, false);
    }

    boolean full() {
        return full.get();
    }

    int open() {
        return open.get();
    }

    int max() {
        return max;
    }
}
