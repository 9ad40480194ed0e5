package io.gozargah.engine.journal;

import io.gozargah.codec.journal.CheckpointFlyweight;
import io.gozargah.codec.journal.DictionaryEntryFlyweight;
import io.gozargah.codec.journal.RecordType;
import io.gozargah.codec.journal.RefusalSummaryFlyweight;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * The end of a journal's queue, read backward: the last chained record (where the writer continues the chain and
 * what it skips in the ring at start-up), and whether the last excerpt is torn. A write cut short (a SIGBUS in the
 * middle of Chronicle's copy, on a full disk) leaves an excerpt Chronicle marked complete whose bytes are zeros from
 * some point to its end: it does not decode into the records its framing says ({@link JournalExcerpt}), or a record
 * does not carry the chain hash that follows the one before it, and its last {@link #TORN_ZEROS} bytes are zero
 * (where a record's chain hash is, which no SHA-256 leaves all zero). An excerpt that is wrong in any other way (a
 * byte altered, a record of a newer schema) is not torn: it is for {@code journal verify} to report, never for a
 * repair to cut off.
 */
final class JournalTail {
    /** The last chained record of a queue: its type (TRANSACTION or REFUSAL_SUMMARY) and bytes. */
    record Chained(int type, byte[] covered, byte[] hash) {
    }

    /**
     * The torn excerpt the queue ends in and what is wrong with it, or the last excerpt with {@code problem} null.
     *
     * @param index   its queue index
     * @param problem what makes it torn, or null
     */
    record Last(long index, String problem) {
        boolean whole() {
            return problem == null;
        }
    }

    /**
     * Where the writer's checkpoints stand in a queue: the last checkpoint's sequence and record count (0 and 0 with
     * none), and the chained records after it.
     */
    record Checkpointed(long sequence, long recordCount, long recordsAfter) {
    }

    /** Zero bytes an excerpt that fails its checks must end in to count as torn: a record's chain hash. */
    static final int TORN_ZEROS = TransactionRecordFlyweight.CHAIN_HASH_LENGTH;

    private JournalTail() {
    }

    /** The last chained record in {@code queue}, or null when it holds none. */
    static Chained lastChained(JournalQueue queue) {
        try (ExcerptTailer tailer = queue.tailer().direction(TailerDirection.BACKWARD).toEnd()) {
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        return null;
                    }
                    Excerpt e = Excerpt.copy(dc.wire().bytes());
                    if (e.chained()) {
                        return e.decode().lastChained();
                    }
                }
            }
        }
    }

    /**
     * The last checkpoint in {@code queue} and the chained records after it, read backward from the end: only the
     * excerpts after the last checkpoint, or all of them when there is none (a journal signed from now on).
     */
    static Checkpointed lastCheckpoint(JournalQueue queue) {
        long after = 0;
        CheckpointFlyweight checkpoint = new CheckpointFlyweight();
        try (ExcerptTailer tailer = queue.tailer().direction(TailerDirection.BACKWARD).toEnd()) {
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        return new Checkpointed(0, 0, after);
                    }
                    Bytes<?> bytes = dc.wire().bytes();
                    if (bytes.readRemaining() < JournalExcerpt.BATCH_RECORDS_OFFSET) {
                        continue;
                    }
                    switch (JournalExcerpt.type(bytes)) {
                        case RecordType.TRANSACTION, RecordType.REFUSAL_SUMMARY -> after++;
                        case RecordType.TRANSACTION_BATCH -> after += JournalExcerpt.batchCount(bytes);
                        case RecordType.CHECKPOINT -> {
                            Excerpt e = Excerpt.copy(bytes);
                            checkpoint.wrapForRead(new UnsafeBuffer(e.body()), JournalExcerpt.RECORD_OFFSET);
                            return new Checkpointed(checkpoint.sequence(), checkpoint.recordCount(), after);
                        }
                        default -> {
                            // dictionary entries, and types of a newer writer: not chained
                        }
                    }
                }
            }
        }
    }

    /**
     * Checks the end of {@code queue}: its last chained excerpt, and the dictionary excerpts after it (a start
     * journals the whole dictionary before it finds where the chain ends, so a start that then failed leaves some
     * after a torn excerpt). Null when the queue holds no excerpt. A chained excerpt's first record is checked against
     * the last chained record before it, found further back (in an earlier cycle file if need be); with none before
     * it, the chain is taken on trust from its first record.
     *
     * @return the first torn excerpt found, from the end, or the last excerpt when none is
     */
    static Last checkLast(JournalQueue queue) {
        try (ExcerptTailer tailer = queue.tailer().direction(TailerDirection.BACKWARD).toEnd()) {
            long lastIndex = Long.MIN_VALUE;
            Excerpt chained = null;
            long index = 0;
            while (chained == null) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        return lastIndex == Long.MIN_VALUE ? null : new Last(lastIndex, null);
                    }
                    index = dc.index();
                    lastIndex = lastIndex == Long.MIN_VALUE ? index : lastIndex;
                    Excerpt e = Excerpt.copy(dc.wire().bytes());
                    if (e.chained()) {
                        chained = e;
                    } else {
                        try {
                            e.decode();
                        } catch (JournalException damaged) {
                            if (e.torn()) {
                                return new Last(index, damaged.getMessage());
                            }
                            if (e.type() == RecordType.DICTIONARY) {
                                return new Last(lastIndex, null);
                            }
                            // a record type of a newer writer: not ours to judge
                        }
                    }
                }
            }
            Decoded decoded;
            try {
                decoded = chained.decode();
            } catch (JournalException e) {
                return new Last(index, chained.torn() ? e.getMessage() : null);
            }
            byte[] previous = null;
            while (previous == null) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    Excerpt e = Excerpt.copy(dc.wire().bytes());
                    if (e.chained()) {
                        try {
                            previous = e.decode().lastChained().hash();
                        } catch (JournalException unreadable) {
                            break; // the one before is no better: the link to it cannot be checked
                        }
                    }
                }
            }
            String broken = chained.torn() ? decoded.brokenLink(previous) : null;
            return new Last(broken == null ? lastIndex : index, broken);
        }
    }

    /** One excerpt's body, copied out of the queue. */
    private record Excerpt(int type, byte[] body) {
        static Excerpt copy(Bytes<?> bytes) {
            byte[] body = new byte[(int) bytes.readRemaining()];
            bytes.read(bytes.readPosition(), body, 0, body.length);
            return new Excerpt(body.length < JournalExcerpt.RECORD_OFFSET ? 0 : JournalExcerpt.type(bytes), body);
        }

        /** Whether it ends in {@link #TORN_ZEROS} zero bytes (all of it, when shorter). */
        boolean torn() {
            for (int i = Math.max(0, body.length - TORN_ZEROS); i < body.length; i++) {
                if (body[i] != 0) {
                    return false;
                }
            }
            return true;
        }

        boolean chained() {
            return type == RecordType.TRANSACTION || type == RecordType.TRANSACTION_BATCH
                    || type == RecordType.REFUSAL_SUMMARY;
        }

        /** Its records' offsets and lengths in {@link #body}; throws a {@link JournalException} saying what is wrong. */
        Decoded decode() {
            UnsafeBuffer buffer = new UnsafeBuffer(body);
            if (body.length < JournalExcerpt.RECORD_OFFSET) {
                throw new JournalException("an excerpt of " + body.length + " bytes, too short for its record type");
            }
            try {
                return switch (type) {
                    case RecordType.TRANSACTION -> {
                        int length = new TransactionRecordFlyweight().wrapForRead(buffer, JournalExcerpt.RECORD_OFFSET)
                                .length();
                        yield whole(type, new int[] {JournalExcerpt.RECORD_OFFSET}, new int[] {length});
                    }
                    case RecordType.REFUSAL_SUMMARY -> {
                        new RefusalSummaryFlyweight().wrapForRead(buffer, JournalExcerpt.RECORD_OFFSET);
                        yield whole(type, new int[] {JournalExcerpt.RECORD_OFFSET},
                                new int[] {RefusalSummaryFlyweight.LENGTH});
                    }
                    case RecordType.TRANSACTION_BATCH -> batch(buffer);
                    case RecordType.CHECKPOINT -> {
                        new CheckpointFlyweight().wrapForRead(buffer, JournalExcerpt.RECORD_OFFSET);
                        yield whole(type, new int[0], new int[0],
                                JournalExcerpt.RECORD_OFFSET + CheckpointFlyweight.LENGTH);
                    }
                    case RecordType.DICTIONARY -> {
                        int length = new DictionaryEntryFlyweight().wrapForRead(buffer, JournalExcerpt.RECORD_OFFSET)
                                .length();
                        yield whole(type, new int[0], new int[0], JournalExcerpt.RECORD_OFFSET + length);
                    }
                    default -> throw new JournalException("an excerpt of record type " + type + ", which no writer of"
                            + " this journal writes");
                };
            } catch (IllegalStateException | IndexOutOfBoundsException e) {
                throw new JournalException(e.getMessage());
            }
        }

        private Decoded batch(UnsafeBuffer buffer) {
            if (body.length < JournalExcerpt.BATCH_RECORDS_OFFSET) {
                throw new JournalException("a batch of " + body.length + " bytes, too short for its count");
            }
            int count = buffer.getInt(JournalExcerpt.BATCH_COUNT_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN);
            if (count < 1 || count > body.length / TransactionRecordFlyweight.MIN_LENGTH) {
                throw new JournalException("a batch that says it holds " + count + " transaction records in "
                        + body.length + " bytes");
            }
            int[] offsets = new int[count];
            int[] lengths = new int[count];
            TransactionRecordFlyweight r = new TransactionRecordFlyweight();
            int at = JournalExcerpt.BATCH_RECORDS_OFFSET;
            for (int i = 0; i < count; i++) {
                try {
                    r.wrapForRead(buffer, at);
                } catch (IllegalStateException | IndexOutOfBoundsException e) {
                    throw new JournalException("record " + i + " of " + count + " in its batch: " + e.getMessage());
                }
                offsets[i] = at;
                lengths[i] = r.length();
                at += r.length();
            }
            return whole(type, offsets, lengths, at);
        }

        private Decoded whole(int type, int[] offsets, int[] lengths) {
            return whole(type, offsets, lengths, offsets[0] + lengths[0]);
        }

        private Decoded whole(int type, int[] offsets, int[] lengths, int end) {
            if (end != body.length) {
                throw new JournalException((end < body.length ? "excerpt too long: " : "truncated excerpt: ")
                        + body.length + " bytes for records that take " + end);
            }
            return new Decoded(type == RecordType.TRANSACTION_BATCH ? RecordType.TRANSACTION : type, body, offsets,
                    lengths);
        }
    }

    /** An excerpt's chained records, decoded. */
    private record Decoded(int type, byte[] body, int[] offsets, int[] lengths) {
        Chained lastChained() {
            int i = offsets.length - 1;
            int covered = lengths[i] - TransactionRecordFlyweight.CHAIN_HASH_LENGTH;
            return new Chained(type, Arrays.copyOfRange(body, offsets[i], offsets[i] + covered),
                    Arrays.copyOfRange(body, offsets[i] + covered, offsets[i] + lengths[i]));
        }

        /** What breaks the chain through these records from {@code previous} (null: trust the first), or null. */
        String brokenLink(byte[] previous) {
            JournalChain chain = new JournalChain();
            for (int i = 0; i < offsets.length; i++) {
                if (i == 0 && previous == null) {
                    chain.continueFrom(body, offsets[0] + lengths[0] - TransactionRecordFlyweight.CHAIN_HASH_LENGTH);
                    continue;
                }
                if (i == 0) {
                    chain.continueFrom(previous, 0);
                }
                if (!chain.verifyAndAdvance(body, offsets[i], lengths[i])) {
                    return (offsets.length > 1 ? "record " + i + " of its " + offsets.length + ": " : "")
                            + "chain hash mismatch (its bytes are not the ones the writer chained)";
                }
            }
            return null;
        }
    }
}
