package io.gozargah.engine.config;

import io.gozargah.engine.subject.SubjectKey;

import java.nio.file.Path;
import java.time.Duration;
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
 * @param summaryInterval how often each event loop writes its refusal summaries (counts of exchanges answered
 *                    without a record of their own) into the ring
 * @param summaryKeys the most distinct (reason, outcome, consumer, service, client address) keys one event loop
 *                    counts between two writes; more are folded into per-outcome keys without the details
 * @param minFreeBytes below this many free bytes on the journal's file system, new requests are refused with
 *                    503 journal-unavailable, before the disk is full
 * @param subjectKeyFile the file of the key that hashes subjects (absolute), or null when no service names one
 * @param subjectKey  that file's key, read when the config is
 * @param signingKeyFile the Ed25519 private key (PKCS#8 PEM, absolute) that signs checkpoints, or null for none
 * @param checkpointInterval how often the writer appends a signed checkpoint (and always at close)
 */
public record JournalConfig(boolean enabled, Path dir, String rollCycle, long ringBytes, int retainDays,
                            Path archiveDir, Duration summaryInterval, int summaryKeys, long minFreeBytes,
                            Path subjectKeyFile, SubjectKey subjectKey, Path signingKeyFile,
                            Duration checkpointInterval) {
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

    public static final Duration DEFAULT_SUMMARY_INTERVAL = Duration.ofSeconds(1);
    public static final Duration MIN_SUMMARY_INTERVAL = Duration.ofMillis(10);
    public static final Duration MAX_SUMMARY_INTERVAL = Duration.ofMinutes(10);
    public static final int DEFAULT_SUMMARY_KEYS = 1024;
    public static final int MAX_SUMMARY_KEYS = 1 << 20;
    /**
     * 256 MiB: minutes of the busiest hour the bus has seen (at 200 bytes a record and 5,000 records a second,
     * 1 MB a second) for an operator to act, and over the 64 MiB chunk the queue maps at a time.
     */
    public static final long DEFAULT_MIN_FREE_BYTES = 256L << 20;
    /** A new cycle file takes 512 KiB of index before its first record: less could not start one. */
    public static final long MIN_MIN_FREE_BYTES = 1L << 20;

    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(60);
    public static final Duration MIN_CHECKPOINT_INTERVAL = Duration.ofSeconds(1);
    public static final Duration MAX_CHECKPOINT_INTERVAL = Duration.ofHours(24);

    /** A journal without subjects or signed checkpoints. */
    public JournalConfig(boolean enabled, Path dir, String rollCycle, long ringBytes, int retainDays, Path archiveDir,
                         Duration summaryInterval, int summaryKeys, long minFreeBytes) {
        this(enabled, dir, rollCycle, ringBytes, retainDays, archiveDir, summaryInterval, summaryKeys, minFreeBytes, null,
                null, null, DEFAULT_CHECKPOINT_INTERVAL);
    }

    /** A journal with the defaults for the summaries and the free-space floor. */
    public JournalConfig(boolean enabled, Path dir, String rollCycle, long ringBytes, int retainDays, Path archiveDir) {
        this(enabled, dir, rollCycle, ringBytes, retainDays, archiveDir, DEFAULT_SUMMARY_INTERVAL, DEFAULT_SUMMARY_KEYS,
                DEFAULT_MIN_FREE_BYTES);
    }

    /** No journal: what a config without a {@code journal:} section gets. */
    public static JournalConfig disabled() {
        return new JournalConfig(false, null, DEFAULT_ROLL_CYCLE, DEFAULT_RING_BYTES, 0, null);
    }
}
