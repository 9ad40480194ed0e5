package io.gozargah.engine.journal;

import io.gozargah.codec.journal.CheckpointFlyweight;
import io.gozargah.codec.journal.DictionaryEntryFlyweight;
import io.gozargah.codec.journal.RefusalSummaryFlyweight;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import io.gozargah.engine.exchange.TransactionIds;

import org.agrona.DirectBuffer;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
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
 * <li>checkpoints ({@link CheckpointFlyweight}): each must name the chain head and record count the chain has
 *     reached where it stands, and number one past the one before (the first is 1). With the signer's public
 *     key, each must also be signed by it: a record altered and the chain recomputed after it, by someone without
 *     the private key, leads to a head no checkpoint signed; a checkpoint removed leaves a gap in the numbers; a
 *     checkpoint signed by another key is refused as such. {@link #lastVerified()} is the last checkpoint that
 *     checked out with everything before it: what the key vouches for.</li>
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
    private final byte[] bytes = new byte[TransactionRecordFlyweight.MAX_LENGTH];
    private long records;
    private long summaries;
    private long summarized;
    private long dictionaryEntries;
    private Problem problem;
    private long problems;
    private final Signature signature;
    private final byte[] keyId;
    private final byte[] checkpointHead = new byte[CheckpointFlyweight.CHAIN_HEAD_LENGTH];
    private final byte[] checkpointKeyId = new byte[CheckpointFlyweight.KEY_ID_LENGTH];
    private final byte[] signed = new byte[CheckpointFlyweight.SIGNATURE_OFFSET];
    private final byte[] signatureBytes = new byte[CheckpointFlyweight.SIGNATURE_LENGTH];
    private long checkpoints;
    private long lastSequence;
    /** What the verifier's count of chained records is short of the journal's (after retention: the removed ones). */
    private long countOffset;
    private Checkpoint lastVerified;

    /**
     * A checkpoint that checked out: its number, time, records and chain head, and where it is.
     *
     * @param signed whether its signature was checked with the public key (else only its head and count)
     */
    public record Checkpoint(JournalPosition position, long sequence, long epochNanos, long recordCount,
                             String chainHead, boolean signed) {
    }
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
        this(dictionary, anchoredAtFirstRecord, null);
    }

    /**
     * @param publicKey the checkpoint signer's public key, to check every checkpoint's signature with; null checks
     *                  their heads, counts and numbering only
     */
    public JournalVerifier(JournalNames dictionary, boolean anchoredAtFirstRecord, PublicKey publicKey) {
        this.dictionary = dictionary;
        this.anchoredAtFirstRecord = anchoredAtFirstRecord;
        if (publicKey == null) {
            this.signature = null;
            this.keyId = null;
        } else {
            try {
                this.signature = Signature.getInstance(CheckpointKeys.ALGORITHM);
                this.signature.initVerify(publicKey);
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage(), e);
            }
            this.keyId = CheckpointKeys.keyId(publicKey);
        }
    }

    @Override
    public void checkpoint(JournalPosition position, CheckpointFlyweight checkpoint) {
        checkpoints++;
        long sequence = checkpoint.sequence();
        String where = "checkpoint " + sequence + ": ";
        boolean ok = true;
        if (keyId != null) {
            checkpoint.getKeyId(checkpointKeyId, 0);
            if (!Arrays.equals(keyId, checkpointKeyId)) {
                report(new Problem(position.copy(), null, where + "signed by key " + HEX.formatHex(checkpointKeyId)
                        + ", not by the public key given (" + HEX.formatHex(keyId) + ")"));
                ok = false;
            } else if (!signatureVerifies(checkpoint)) {
                report(new Problem(position.copy(), null, where + "its signature does not verify: the checkpoint was"
                        + " altered after it was signed"));
                ok = false;
            }
        }
        boolean first = lastSequence == 0;
        if (first && anchoredAtFirstRecord) {
            countOffset = checkpoint.recordCount() - records;
        } else if (sequence != lastSequence + 1) {
            report(new Problem(position.copy(), null, where + (sequence > lastSequence + 1
                    ? "checkpoint" + (sequence == lastSequence + 2 ? " " + (lastSequence + 1) + " is"
                            : "s " + (lastSequence + 1) + " to " + (sequence - 1) + " are") + " missing: removed"
                    : "follows checkpoint " + lastSequence + ": out of order or repeated")));
            ok = false;
        }
        lastSequence = sequence;
        chain.latest(previous, 0);
        checkpoint.getChainHead(checkpointHead, 0);
        if (!Arrays.equals(previous, checkpointHead)) {
            report(new Problem(position.copy(), null, where + "the chain head it signed is not the journal's at this"
                    + " point: a record before it was altered and the chain recomputed, or records were removed or"
                    + " inserted"));
            ok = false;
        }
        if (checkpoint.recordCount() != records + countOffset) {
            report(new Problem(position.copy(), null, where + "it counts " + checkpoint.recordCount()
                    + " chained records up to here, the journal holds " + (records + countOffset)));
            ok = false;
        }
        if (ok && problems == 0) {
            lastVerified = new Checkpoint(position.copy(), sequence, checkpoint.epochNanos(), checkpoint.recordCount(),
                    HEX.formatHex(checkpointHead), signature != null);
        }
    }

    private boolean signatureVerifies(CheckpointFlyweight checkpoint) {
        checkpoint.getSignedBytes(signed, 0);
        checkpoint.getSignature(signatureBytes, 0);
        try {
            signature.update(signed);
            return signature.verify(signatureBytes);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Checkpoints read. */
    public long checkpoints() {
        return checkpoints;
    }

    /**
     * The last checkpoint that checked out (signed by the given key, when one was given) with nothing wrong found
     * before it, or null.
     */
    public Checkpoint lastVerified() {
        return lastVerified;
    }

    /** Chained records after the last checkpoint read: not yet vouched for by a signature. */
    public long recordsAfterLastCheckpoint() {
        return lastVerified == null ? records : records + countOffset - lastVerified.recordCount();
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
