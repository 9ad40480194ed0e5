package io.gozargah.engine.journal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the journal counts, for logs, tests and the metrics exporter: plain reads, any thread. Event loops add
 * through {@link LongAdder}s (no shared cache line per request); the writer's own counts are single-writer
 * {@link AtomicLong}s set with lazySet.
 */
public final class JournalCounters {
    final LongAdder recordsClaimed = new LongAdder();
    final LongAdder refusals = new LongAdder();
    final LongAdder unrecorded = new LongAdder();
    final LongAdder summarized = new LongAdder();
    final LongAdder summaryRecords = new LongAdder();
    final AtomicLong recordsWritten = new AtomicLong();
    final AtomicLong dictionaryEntriesWritten = new AtomicLong();
    final AtomicLong summaryRecordsWritten = new AtomicLong();
    final AtomicLong checkpointsWritten = new AtomicLong();
    final AtomicLong recoveredRecords = new AtomicLong();
    final AtomicLong duplicatesSkipped = new AtomicLong();
    final AtomicLong abandonedClaims = new AtomicLong();
    final AtomicLong retiredFiles = new AtomicLong();
    final AtomicLong writerCpuNanos = new AtomicLong();
    final AtomicLong appendFailures = new AtomicLong();
    final AtomicLong freeBytes = new AtomicLong(-1);
    private volatile JournalRing ring;
    private volatile boolean writerFailed;
    private volatile boolean spaceLow;

    void ring(JournalRing r) {
        this.ring = r;
    }

    void writerFailed(boolean failed) {
        this.writerFailed = failed;
    }

    void spaceLow(boolean low) {
        this.spaceLow = low;
    }

    /** Transaction records the event loops put in the ring. */
    public long recordsClaimed() {
        return recordsClaimed.sum();
    }

    /** Transaction records the writer appended to the queue (this run, start-up drain included). */
    public long recordsWritten() {
        return recordsWritten.get();
    }

    /** Records in the ring not yet in the queue: how far the writer is behind. */
    public long writerLagRecords() {
        return Math.max(0, recordsClaimed() - (recordsWritten() - recoveredRecords.get()));
    }

    /** Bytes of the ring in use, padding included. */
    public long ringOccupancyBytes() {
        JournalRing r = ring;
        return r == null ? 0 : r.occupancy();
    }

    public long ringCapacityBytes() {
        JournalRing r = ring;
        return r == null ? 0 : r.capacity();
    }

    /** Requests refused with 503 journal-unavailable. */
    public long refusals() {
        return refusals.sum();
    }

    /**
     * Admitted exchanges whose booked record found no room: they were not answered (the connection was closed),
     * so no client holds an id the journal lacks. The ring's rules keep a booked slot free for each, so this
     * stays 0; refusals that find no room are summarized ({@link #summarized()}) and answered.
     */
    public long unrecorded() {
        return unrecorded.sum();
    }

    /**
     * Exchanges answered without a record of their own and counted into a refusal summary instead (asked for with
     * {@code Exchange.summarize}, or because the ring had no room left for unbooked records).
     */
    public long summarized() {
        return summarized.sum();
    }

    /** Refusal summary records the event loops put in the ring. */
    public long summaryRecords() {
        return summaryRecords.sum();
    }

    /** Signed checkpoints the writer appended to the queue (this run). */
    public long checkpointsWritten() {
        return checkpointsWritten.get();
    }

    /** Refusal summary records the writer appended to the queue (this run, start-up drain included). */
    public long summaryRecordsWritten() {
        return summaryRecordsWritten.get();
    }

    public long dictionaryEntriesWritten() {
        return dictionaryEntriesWritten.get();
    }

    /** Records a previous run left in the ring, drained at start-up. */
    public long recoveredRecords() {
        return recoveredRecords.get();
    }

    /** Records found both in the ring and already in the queue at start-up (a crash between the two), skipped. */
    public long duplicatesSkipped() {
        return duplicatesSkipped.get();
    }

    /** Ring records claimed by a producer that died before committing them (never answered), skipped. */
    public long abandonedClaims() {
        return abandonedClaims.get();
    }

    /** Closed cycle files removed or archived by retention. */
    public long retiredFiles() {
        return retiredFiles.get();
    }

    /**
     * CPU time the writer thread has used since it started, updated about once a second: with
     * {@link #recordsWritten()}, what journaling costs per record on this machine.
     */
    public long writerCpuNanos() {
        return writerCpuNanos.get();
    }

    /**
     * Whether the writer's appends are failing (no room on disk, or a queue it is repairing): from the first failed
     * append until an attempt succeeds. While they are, every new request is refused.
     */
    public boolean writerFailed() {
        return writerFailed;
    }

    /** Appends that failed, each tried again later (nothing dropped). */
    public long appendFailures() {
        return appendFailures.get();
    }

    /** Free bytes on the queue's file system at the writer's last look (every 250 ms), or -1 before the first. */
    public long freeBytes() {
        return freeBytes.get();
    }

    /**
     * Whether the queue's file system has less free space than {@code journal.minFreeBytes}: new requests are refused
     * until it has more again.
     */
    public boolean spaceLow() {
        return spaceLow;
    }

    /** Whether the journal can take new work: the writer appends and the disk has room. */
    public boolean writable() {
        return !writerFailed && !spaceLow;
    }
}
