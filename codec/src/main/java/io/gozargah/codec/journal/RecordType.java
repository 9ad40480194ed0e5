package io.gozargah.codec.journal;

/**
 * Message type ids of journal records.
 *
 * <p>The record layouts carry no type byte of their own: the framing they travel in already has one (the
 * {@code msgTypeId} of an Agrona ring buffer record, written next to the length, and the type in front of each
 * journal excerpt). These are the values put there. Agrona reserves non-positive ids (its padding record is
 * {@code -1}), so ours start at 1. Values are persisted: never renumber, only add.
 */
public final class RecordType {
    /** A {@link TransactionRecordFlyweight}. */
    public static final int TRANSACTION = 1;
    /** A {@link DictionaryEntryFlyweight}: a name's dictionary id, journaled once before its first use. */
    public static final int DICTIONARY = 2;
    /**
     * Several {@link TransactionRecordFlyweight}s back to back, with their count in front: the journal writer's
     * excerpt for a run of transactions, so that Chronicle's fixed cost per excerpt is paid once per run. Only in
     * the journal's queue, never in the ring.
     */
    public static final int TRANSACTION_BATCH = 3;
    /**
     * A {@link RefusalSummaryFlyweight}: exchanges answered without a record of their own, counted. In the ring
     * and, one per excerpt, in the journal's queue; chained with the transactions.
     */
    public static final int REFUSAL_SUMMARY = 4;
    /**
     * A {@link CheckpointFlyweight}: the chain head and record count at a moment, signed. Only in the journal's
     * queue, one per excerpt; not itself chained.
     */
    public static final int CHECKPOINT = 5;

    private RecordType() {
    }
}
