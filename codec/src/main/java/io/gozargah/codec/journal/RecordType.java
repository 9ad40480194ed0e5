package io.gozargah.codec.journal;

/**
 * Message type ids of journal records.
 *
 * <p>The record layouts carry no type byte of their own: the framing they travel in already has one (the
 * {@code msgTypeId} of an Agrona ring buffer record, written next to the length). These are the values put
 * there. Agrona reserves non-positive ids (its padding record is {@code -1}), so ours start at 1. Values are
 * persisted: never renumber, only add.
 */
public final class RecordType {
    /** A {@link TransactionRecordFlyweight}. */
    public static final int TRANSACTION = 1;
    /** A {@link DictionaryEntryFlyweight}: a name's dictionary id, journaled once before its first use. */
    public static final int DICTIONARY = 2;

    private RecordType() {
    }
}
