package io.gozargah.engine.accept;

/**
 * When an event repeated at attack rates (a refused connection, a failed accept) gets a log line: the first at
 * once, then at most one a period, each saying how many happened since the last. The metrics count every one;
 * the log says that it is happening. Used from one event loop only.
 */
public final class LogThrottle {
    private final long periodNanos;
    private long lastNanos;
    private boolean logged;
    private long count;

    public LogThrottle(long periodNanos) {
        this.periodNanos = periodNanos;
    }

    /** Counts one event at {@code nowNanos}; true when a line is due (log it with {@link #take()}'s count). */
    public boolean due(long nowNanos) {
        count++;
        if (!logged || nowNanos - lastNanos >= periodNanos) {
            logged = true;
            lastNanos = nowNanos;
            return true;
        }
        return false;
    }

    /** The events since the last line, this one included; starts the next count. */
    public long take() {
        long n = count;
        count = 0;
        return n;
    }
}
