package io.gozargah.engine.cache;

import java.util.concurrent.Executor;

/**
 * An exchange waiting on another's upstream call for the same key ({@link CacheFill}). It is told on its own event
 * loop, through {@link #executor()}, never on the leader's: each waiter's client, deadlines and journal state belong
 * to its loop.
 */
public interface CacheWaiter {

    /** Where {@link #filled} runs: the waiter's event loop. */
    Executor executor();

    /**
     * The fill the waiter joined with {@code token} is over ({@link CacheFill#kind()} says how). The waiter checks
     * that it still waits on {@code fill} with {@code token}: it may have timed out, its client gone, and its driver
     * moved on to another exchange since it joined.
     */
    void filled(CacheFill fill, long token);
}
