package io.gozargah.engine.journal;

/**
 * Where a record sits in a journal, mutable and reused by the reader: the Chronicle Queue index of its excerpt,
 * that index's cycle and sequence number within the cycle, the record's place in the excerpt (0 unless the
 * excerpt is a batch of transaction records), and the record's number among those read.
 */
public final class JournalPosition {
    private long index;
    private int cycle;
    private long sequence;
    private int record;
    private boolean batch;
    private long ordinal = -1;

    /** A new excerpt. */
    void excerpt(long index, int cycle, long sequence) {
        this.index = index;
        this.cycle = cycle;
        this.sequence = sequence;
    }

    /** The next record read: the excerpt's only record. */
    void single() {
        this.record = 0;
        this.batch = false;
        ordinal++;
    }

    /** The next record read: the {@code record}-th of the excerpt's batch. */
    void inBatch(int record) {
        this.record = record;
        this.batch = true;
        ordinal++;
    }

    /** The queue index of the excerpt holding the record. */
    public long index() {
        return index;
    }

    /** The roll cycle (the number in the cycle file's name counts from the same epoch). */
    public int cycle() {
        return cycle;
    }

    /** The excerpt's sequence number within its cycle, from 0. */
    public long sequence() {
        return sequence;
    }

    /** The record's place in its excerpt, from 0: a batch holds many, any other excerpt one. */
    public int record() {
        return record;
    }

    /** The record's number among those this reader read (dictionary entries included), from 0. */
    public long ordinal() {
        return ordinal;
    }

    /** A copy, to keep beyond a visitor call. */
    public JournalPosition copy() {
        JournalPosition copy = new JournalPosition();
        copy.index = index;
        copy.cycle = cycle;
        copy.sequence = sequence;
        copy.record = record;
        copy.batch = batch;
        copy.ordinal = ordinal;
        return copy;
    }

    @Override
    public String toString() {
        return "record " + ordinal + " (cycle " + cycle + " #" + sequence + (batch ? " batch record " + record : "")
                + ", index 0x" + Long.toHexString(index) + ")";
    }
}
