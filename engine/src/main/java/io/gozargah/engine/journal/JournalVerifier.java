package io.gozargah.engine.journal;

import io.gozargah.codec.journal.DictionaryEntryFlyweight;
import io.gozargah.codec.journal.RefusalSummaryFlyweight;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import io.gozargah.engine.exchange.TransactionIds;

import org.agrona.DirectBuffer;

import java.util.HexFormat;

/**
 * Checks a journal as a {@link JournalReader} walks it, keeping the first problem and counting them all:
 * <ul>
 * <li>the chain: each transaction record's and refusal summary's chain hash must be SHA-256 over the previous
 *     record's chain hash and the record's own bytes before the hash ({@link TransactionRecordFlyweight}), the
 *     first record chaining from 32 zero bytes. An edited byte breaks the edited record; a removed, inserted or reordered record breaks the
 *     first record whose predecessor is not the one it was chained to.</li>
 * <li>the dictionary: every consumer, service and endpoint id a record uses (other than
 *     {@link JournalNames#NONE}) must have been defined before, as that kind; an id must never be defined
 *     as two different things.</li>
 * </ul>
 * Dictionary entries are not chained ({@link JournalQueue}); the writer repeats them, so a changed name shows as
 * a contradiction.
 *
 * <p>After retention has removed the oldest cycles, the first remaining record chains from a hash that left with
 * them. A verifier anchored at the first record takes that record's stored chain hash on trust and check the chain
 * from there; its own bytes are then not covered.
 */
public final class JournalVerifier implements JournalVisitor {
    private static final HexFormat HEX = HexFormat.of();

    private final JournalNames dictionary;
    private final boolean anchoredAtFirstRecord;
    private final JournalChain chain = new JournalChain();
    private final byte[] previous = new byte[TransactionRecordFlyweight.CHAIN_HASH_LENGTH];
    private final byte[] bytes = new byte[TransactionRecordFlyweight.LENGTH_WITH_BODY_HASHES];
    private long records;
    private long summaries;
    private long summarized;
    private long dictionaryEntries;
    private Problem problem;
    private long problems;

    /** The first thing found wrong, where it is, and the transaction it is in (null for a dictionary entry). */
    public record Problem(JournalPosition position, String transactionId, String what) {
        @Override
        public String toString() {
            return position + (transactionId == null ? "" : ", transaction " + transactionId) + ": " + what;
        }
    }

    /**
     * @param dictionary           the reader's dictionary, to check the ids records use
     * @param anchoredAtFirstRecord trust the first record's chain hash instead of chaining it from zeros (for a
     *                             journal whose first cycles retention removed)
     */
    public JournalVerifier(JournalNames dictionary, boolean anchoredAtFirstRecord) {
        this.dictionary = dictionary;
        this.anchoredAtFirstRecord = anchoredAtFirstRecord;
    }

    @Override
    public void dictionaryEntry(JournalPosition position, DictionaryEntryFlyweight entry, String contradicts) {
        dictionaryEntries++;
        if (contradicts != null) {
            report(new Problem(position.copy(), null, "id " + Integer.toUnsignedString(entry.id())
                    + " was defined as " + contradicts + " and is now defined as "
                    + JournalNames.kindName(entry.kind()) + " " + entry.name()));
        }
    }

    @Override
    public void transaction(JournalPosition position, TransactionRecordFlyweight record) {
        if (!chain(record.buffer(), record.offset(), record.length())) {
            fail(position, record, chainProblem());
        }
        records++;
        checkDefined(position, record, DictionaryEntryFlyweight.KIND_CONSUMER, record.consumerId());
        checkDefined(position, record, DictionaryEntryFlyweight.KIND_SERVICE, record.serviceId());
        checkDefined(position, record, DictionaryEntryFlyweight.KIND_ENDPOINT, record.endpointId());
    }

    @Override
    public void refusalSummary(JournalPosition position, RefusalSummaryFlyweight summary) {
        String ids = TransactionIds.toText(summary.firstTxIdMsb(), summary.firstTxIdLsb()) + ".."
                + TransactionIds.toText(summary.lastTxIdMsb(), summary.lastTxIdLsb());
        if (!chain(summary.buffer(), summary.offset(), summary.length())) {
            report(new Problem(position.copy(), ids, "refusal summary: " + chainProblem()));
        }
        records++;
        summaries++;
        summarized += summary.count();
        for (int kind : new int[] {DictionaryEntryFlyweight.KIND_CONSUMER, DictionaryEntryFlyweight.KIND_SERVICE}) {
            String undefined = undefined(kind,
                    kind == DictionaryEntryFlyweight.KIND_CONSUMER ? summary.consumerId() : summary.serviceId());
            if (undefined != null) {
                report(new Problem(position.copy(), ids, "refusal summary: " + undefined));
            }
        }
    }

    /** Checks the chained record {@code buffer[offset, offset + length)} against the chain and moves the chain on. */
    private boolean chain(DirectBuffer buffer, int offset, int length) {
        buffer.getBytes(offset, bytes, 0, length);
        if (anchoredAtFirstRecord && records == 0) {
            chain.continueFrom(bytes, length - TransactionRecordFlyweight.CHAIN_HASH_LENGTH);
            return true;
        }
        return chain.verifyAndAdvance(bytes, 0, length);
    }

    private String chainProblem() {
        return records == 0
                ? "the first record does not chain from the journal's start (32 zero bytes): it was altered,"
                        + " or retention removed the cycles before it (then verify with --after-retention)"
                : "chain hash mismatch: this record was altered, or a record before it was removed,"
                        + " inserted or reordered";
    }

    /** The first problem found, or null while the journal checks out. */
    public Problem problem() {
        return problem;
    }

    public boolean failed() {
        return problem != null;
    }

    /**
     * Problems found in all. Checking goes on past the first: the chain resumes from each record's stored hash
     * ({@link JournalChain#verifyAndAdvance}), so one removed record counts once, and a count of 1 says the
     * rest of the journal is intact.
     */
    public long problems() {
        return problems;
    }

    /** Chained records verified: transaction records and refusal summaries. */
    public long records() {
        return records;
    }

    /** Transaction records verified. */
    public long transactions() {
        return records - summaries;
    }

    /** Refusal summaries among the chained records verified. */
    public long summaries() {
        return summaries;
    }

    /** Exchanges the refusal summaries verified count. */
    public long summarized() {
        return summarized;
    }

    /** Dictionary entries read. */
    public long dictionaryEntries() {
        return dictionaryEntries;
    }

    /** The chain hash of the last record read (32 zero bytes before the first), in hex. */
    public String chainHead() {
        chain.latest(previous, 0);
        return HEX.formatHex(previous);
    }

    private void checkDefined(JournalPosition position, TransactionRecordFlyweight record, int kind, int id) {
        String undefined = undefined(kind, id);
        if (undefined != null) {
            fail(position, record, undefined);
        }
    }

    /** What is wrong with a record's use of {@code id} as a {@code kind}, or null when nothing is. */
    private String undefined(int kind, int id) {
        if (id == JournalNames.NONE || dictionary.name(kind, id) != null) {
            return null;
        }
        String definedAs = dictionary.describe(id);
        return JournalNames.kindName(kind) + " id " + Integer.toUnsignedString(id)
                + (definedAs == null ? " is used before the journal defines it" : " is defined as " + definedAs);
    }

    private void fail(JournalPosition position, TransactionRecordFlyweight record, String what) {
        report(new Problem(position.copy(), TransactionIds.toText(record.txIdMsb(), record.txIdLsb()), what));
    }

    private void report(Problem found) {
        problems++;
        if (problem == null) {
            problem = found;
        }
    }
}
