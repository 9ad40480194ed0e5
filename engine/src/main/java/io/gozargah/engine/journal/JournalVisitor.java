package io.gozargah.engine.journal;

import io.gozargah.codec.journal.CheckpointFlyweight;
import io.gozargah.codec.journal.DictionaryEntryFlyweight;
import io.gozargah.codec.journal.RefusalSummaryFlyweight;
import io.gozargah.codec.journal.TransactionRecordFlyweight;

/**
 * What a {@link JournalReader} hands each record to. The flyweights are valid only during the call: a visitor
 * that keeps something copies it out.
 */
public interface JournalVisitor {
    /**
     * A dictionary entry, after the reader's {@link JournalNames} has learnt it.
     *
     * @param position   where the entry is
     * @param entry      the entry
     * @param contradicts the name its id had before, when the journal defined it differently, else null
     */
    default void dictionaryEntry(JournalPosition position, DictionaryEntryFlyweight entry, String contradicts) {
    }

    /** A transaction record; its dictionary ids resolve through the reader's {@link JournalNames}. */
    void transaction(JournalPosition position, TransactionRecordFlyweight record);

    /**
     * A refusal summary: {@code summary.count()} exchanges answered without a record of their own, chained with the
     * transactions. Its dictionary ids resolve through the reader's {@link JournalNames}.
     */
    default void refusalSummary(JournalPosition position, RefusalSummaryFlyweight summary) {
    }

    /** A signed checkpoint: the chain head and record count at this point, as the writer signed them. */
    default void checkpoint(JournalPosition position, CheckpointFlyweight checkpoint) {
    }
}
