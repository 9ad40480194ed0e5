package io.gozargah.engine.journal;

/**
 * Where a record sits in a journal, mutable and reused by the reader: the Chronicle Queue index of its excerpt,
 * that index's cycle and sequence number within the cycle, and the excerpt's number among those read.
 */
public final class JournalPosition {
    private long index;
    private int cycle;
    private long sequence;
    private long ordinal = -1;

    void set(long index, int cycle, long sequence) {
        this.index = index;
        this.cycle = cycle;
        this.sequence = sequence;
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

    /** The excerpt's number among those this reader read (dictionary entries included), from 0. */
    public long ordinal() {
        return ordinal;
    }

    /** A copy, to keep beyond a visitor call. */
    public JournalPosition copy() {
        JournalPosition copy = new JournalPosition();
        copy.index = index;
        copy.cycle = cycle;
        copy.sequence = sequence;
        copy.ordinal = ordinal;
        return copy;
    }

    @Override
    public String toString() {
        return "excerpt " + ordinal + " (cycle " + cycle + " #" + sequence + ", index 0x" + Long.toHexString(index) + ")";
    }
}
