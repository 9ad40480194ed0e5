package io.gozargah.engine.config;

import java.nio.file.Path;
import java.util.List;

/**
 * The transaction journal: where it is written and how long closed cycle files are kept.
 *
 * @param enabled     whether transactions are journaled at all
 * @param dir         the journal directory (absolute; a relative one in the file is resolved against the
 *                    config file's folder)
 * @param rollCycle   a Chronicle Queue roll cycle name, one of {@link #ROLL_CYCLES}
 * @param ringBytes   capacity of the ring buffer in front of the writer, a power of two
 * @param retainDays  closed cycle files whose cycle ended more than this many days ago are removed or
 *                    archived; 0 keeps them forever
 * @param archiveDir  where such files are moved instead of removed (absolute), or null to remove them
 */
public record JournalConfig(boolean enabled, Path dir, String rollCycle, long ringBytes, int retainDays,
                            Path archiveDir) {
    /**
     * Roll cycles whose capacity is at least the writer's budget of 1,000,000 records a second sustained over the
     * whole cycle (DAILY and FAST_DAILY cap at 2^32 a day, about 50,000 a second on average).
     */
    public static final List<String> ROLL_CYCLES =
            List.of("LARGE_DAILY", "XLARGE_DAILY", "HUGE_DAILY", "FAST_HOURLY", "LARGE_HOURLY");

    public static final String DEFAULT_ROLL_CYCLE = "LARGE_DAILY";
    public static final long DEFAULT_RING_BYTES = 16L << 20;
    /** Room for a few dozen records; smaller rings are a configuration mistake, not a tuning. */
    public static final long MIN_RING_BYTES = 4096;
    public static final long MAX_RING_BYTES = 1L << 30;

    /** No journal: what a config without a {@code journal:} section gets. */
    public static JournalConfig disabled() {
        return new JournalConfig(false, null, DEFAULT_ROLL_CYCLE, DEFAULT_RING_BYTES, 0, null);
    }
}
