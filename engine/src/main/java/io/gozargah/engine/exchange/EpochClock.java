package io.gozargah.engine.exchange;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Wall-clock nanoseconds since the epoch for a {@link System#nanoTime()} reading, without reading the wall
 * clock per request: the offset between the two clocks is re-read once a second, so NTP adjustments reach
 * it within that time. One per event loop; not thread-safe.
 */
public final class EpochClock {
    private static final long REANCHOR_NANOS = TimeUnit.SECONDS.toNanos(1);

    private long anchorNanoTime;
    private long offset;
    private boolean anchored;

    /** Nanoseconds since the epoch at {@code nanoTime}. */
    public long epochNanos(long nanoTime) {
        if (!anchored || nanoTime - anchorNanoTime > REANCHOR_NANOS) {
            Instant now = Instant.now();
            anchorNanoTime = System.nanoTime();
            offset = now.getEpochSecond() * 1_000_000_000L + now.getNano() - anchorNanoTime;
            anchored = true;
        }
        return nanoTime + offset;
    }
}
