package io.gozargah.engine.journal;

import io.gozargah.codec.journal.CheckpointFlyweight;
import io.gozargah.codec.journal.DictionaryEntryFlyweight;
import io.gozargah.codec.journal.RecordType;
import io.gozargah.codec.journal.RefusalSummaryFlyweight;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import io.gozargah.codec.journal.UnsupportedSchemaVersionException;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * Reads a journal from its first record on, as written or still being written: each excerpt is decoded through
 * the codec's flyweights ({@link JournalExcerpt} framing: one record, or a batch of transaction records),
 * dictionary entries teach the {@link JournalNames}, and every record goes to a {@link JournalVisitor}. The
 * queue is opened read-only ({@link JournalQueue#openForRead}), so reading never changes the evidence, and works
 * the same on a stopped journal and on one the gateway is appending to ({@link #follow}).
 *
 * <p>Memory stays bounded whatever the journal's length: records are read in place in the mapped cycle files
 * through reused flyweights; only the dictionary grows, with the number of distinct names. Excerpts of a record
 * type this reader does not know are skipped, as the excerpt contract asks, and counted.
 *
 * <p>Not thread-safe: one reader per thread.
 */
public final class JournalReader implements AutoCloseable {
    /** What an error in the damaged excerpt a journal ends in starts with. */
    public static final String DAMAGED_TAIL = "damaged tail (the last write was cut short, e.g. by a full disk; gozargah"
            + " journal repair cuts it off, as the gateway does at start): ";

    /** Chronicle Queue cycle files. */
    private static final String CYCLE_FILE_SUFFIX = ".cq4";

    private final JournalQueue queue;
    private final ExcerptTailer tailer;
    private final RollCycle rollCycle;
    private final JournalNames names = new JournalNames();
    private final TransactionRecordFlyweight transaction = new TransactionRecordFlyweight();
    private final DictionaryEntryFlyweight entry = new DictionaryEntryFlyweight();
    private final RefusalSummaryFlyweight summary = new RefusalSummaryFlyweight();
    private final CheckpointFlyweight checkpoint = new CheckpointFlyweight();
    private final JournalPosition position = new JournalPosition();
    private final UnsafeBuffer record = new UnsafeBuffer(0, 0);
    private byte[] scratch = new byte[TransactionRecordFlyweight.MAX_LENGTH];
    private long skipped;

    private JournalReader(JournalQueue queue) {
        this.queue = queue;
        this.tailer = queue.tailer();
        this.rollCycle = queue.rollCycle();
    }

    /**
     * Opens the journal in {@code dir} (the journal directory, holding {@code queue/}) read-only, before its
     * first record.
     *
     * @throws JournalException if there is no journal there, or it holds no cycle file yet
     */
    public static JournalReader open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new JournalException("no journal at " + dir + ": no such directory");
        }
        Path queueDir = dir.resolve(JournalQueue.QUEUE_DIRECTORY);
        if (!Files.isDirectory(queueDir)) {
            throw new JournalException("no journal at " + dir + ": it has no " + JournalQueue.QUEUE_DIRECTORY
                    + " folder");
        }
        if (!holdsCycleFiles(queueDir)) {
            throw new JournalException("the journal at " + dir + " is empty: " + queueDir + " holds no cycle file (*"
                    + CYCLE_FILE_SUFFIX + ")");
        }
        try {
            return new JournalReader(JournalQueue.openForRead(dir));
        } catch (RuntimeException e) {
            throw new JournalException("cannot open the journal at " + dir + ": " + e.getMessage(), null, e);
        }
    }

    /** The journal directory. */
    public Path dir() {
        return queue.dir();
    }

    /** The names learnt so far. */
    public JournalNames names() {
        return names;
    }

    /** Excerpts skipped so far because their record type is not one this reader knows. */
    public long skipped() {
        return skipped;
    }

    /**
     * Reads the next excerpt, if one has been written, and hands its records to {@code visitor}.
     *
     * @return false when there is nothing more to read for now
     * @throws JournalException if the excerpt cannot be decoded
     */
    public boolean readNext(JournalVisitor visitor) {
        long index = -1;
        try (DocumentContext context = tailer.readingDocument()) {
            if (!context.isPresent()) {
                return false;
            }
            index = context.index();
            position.excerpt(index, rollCycle.toCycle(index), rollCycle.toSequenceNumber(index));
            decode(context.wire().bytes(), visitor);
            return true;
        } catch (JournalException e) {
            if (index >= 0 && index == damagedTailIndex()) {
                throw new JournalException(DAMAGED_TAIL, e);
            }
            throw e;
        } catch (InternalError e) {
            // A fault in a read of the mapped file (the JVM's SIGBUS): the file is shorter than the queue maps it,
            // or the device failed under it.
            throw new JournalException((index < 0 ? "after " + position : position) + ": the journal's file could not be"
                    + " read (a fault in a memory-mapped read: the file is shorter than the queue says, or its device"
                    + " failed): " + e.getMessage(), null, e);
        }
    }

    /**
     * The queue index of the damaged excerpt the journal ends in (a write cut short left it: {@link JournalTail}), or
     * -1 when its end is whole. Reads the end of the journal.
     */
    public long damagedTailIndex() {
        JournalTail.Last last = JournalTail.checkLast(queue);
        return last == null || last.whole() ? -1 : last.index();
    }

    /**
     * Reads every excerpt written so far.
     *
     * @return how many were read
     */
    public long readAvailable(JournalVisitor visitor) {
        long read = 0;
        while (readNext(visitor)) {
            read++;
        }
        return read;
    }

    /**
     * Reads excerpts as they are written, until the thread is interrupted or {@code caughtUp} says to stop.
     * {@code caughtUp} is asked each time the reader has read everything written so far (a visitor that buffers
     * output flushes it there); while it says go on, the reader idles with {@code idle} until more is written.
     */
    public void follow(JournalVisitor visitor, IdleStrategy idle, BooleanSupplier caughtUp) {
        while (!Thread.currentThread().isInterrupted()) {
            if (readNext(visitor)) {
                idle.reset();
            } else if (caughtUp.getAsBoolean()) {
                idle.idle();
            } else {
                return;
            }
        }
    }

    /**
     * Moves to the start of the earliest of the journal's last {@code cycles} roll cycles that has a file, so that a
     * reader after recent transactions reads those cycles only, however long the journal. Call it before reading
     * anything: the writer starts every cycle file with the whole dictionary, so the names are known from there on.
     *
     * @return false when no such cycle has a file (the reader stays where it was)
     */
    public boolean startAtLastCycles(int cycles) {
        if (cycles < 1) {
            throw new IllegalArgumentException("cycles " + cycles + " < 1");
        }
        int first = queue.chronicle().firstCycle();
        int last = queue.chronicle().lastCycle();
        for (int cycle = Math.max(first, last - cycles + 1); cycle <= last; cycle++) {
            if (tailer.moveToCycle(cycle)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        tailer.close();
        queue.close();
    }

    private void decode(Bytes<?> bytes, JournalVisitor visitor) {
        long available = bytes.readRemaining();
        if (available < JournalExcerpt.RECORD_OFFSET) {
            position.single();
            throw new JournalException("truncated excerpt: " + available + " bytes, too short for its record type",
                    position, null);
        }
        int type = JournalExcerpt.type(bytes);
        if (type == RecordType.TRANSACTION_BATCH) {
            decodeBatch(bytes, visitor);
            return;
        }
        if (type != RecordType.TRANSACTION && type != RecordType.DICTIONARY && type != RecordType.REFUSAL_SUMMARY
                && type != RecordType.CHECKPOINT) {
            skipped++;
            return;
        }
        position.single();
        int length = JournalExcerpt.recordLength(bytes);
        if (length > scratch.length) {
            scratch = new byte[length];
        }
        JournalExcerpt.wrapRecord(bytes, record, scratch);
        try {
            if (type == RecordType.TRANSACTION) {
                transaction.wrapForRead(record, 0);
                checkLength(length, transaction.length(), "transaction record");
                visitor.transaction(position, transaction);
            } else if (type == RecordType.REFUSAL_SUMMARY) {
                summary.wrapForRead(record, 0);
                checkLength(length, RefusalSummaryFlyweight.LENGTH, "refusal summary");
                visitor.refusalSummary(position, summary);
            } else if (type == RecordType.CHECKPOINT) {
                checkpoint.wrapForRead(record, 0);
                checkLength(length, CheckpointFlyweight.LENGTH, "checkpoint");
                visitor.checkpoint(position, checkpoint);
            } else {
                entry.wrapForRead(record, 0);
                checkLength(length, entry.length(), "dictionary entry");
                visitor.dictionaryEntry(position, entry, define(entry));
            }
        } catch (UnsupportedSchemaVersionException e) {
            throw new JournalException(e.getMessage(), position, e);
        } catch (IndexOutOfBoundsException e) {
            throw new JournalException("truncated excerpt: " + length + " bytes, shorter than "
                    + switch (type) {
                        case RecordType.TRANSACTION -> "a transaction record ("
                                + TransactionRecordFlyweight.LENGTH_WITHOUT_BODY_HASHES + " bytes, "
                                + TransactionRecordFlyweight.LENGTH_WITH_BODY_HASHES + " with body hashes)";
                        case RecordType.REFUSAL_SUMMARY -> "a refusal summary (" + RefusalSummaryFlyweight.LENGTH
                                + " bytes)";
                        case RecordType.CHECKPOINT -> "a checkpoint (" + CheckpointFlyweight.LENGTH + " bytes)";
                        default -> "the dictionary entry they begin";
                    }, position, e);
        }
    }

    /**
     * The records of a TRANSACTION_BATCH excerpt, each to the visitor in turn: the excerpt must hold exactly the
     * count it says of whole records, nothing before, between or after them.
     */
    private void decodeBatch(Bytes<?> bytes, JournalVisitor visitor) {
        long available = bytes.readRemaining();
        if (available < JournalExcerpt.BATCH_RECORDS_OFFSET) {
            position.inBatch(0);
            throw new JournalException("truncated excerpt: " + available + " bytes, too short for a batch's count",
                    position, null);
        }
        int count = JournalExcerpt.batchCount(bytes);
        if (count < 1) {
            position.inBatch(0);
            throw new JournalException("batch of " + count + " transaction records: a batch holds at least one",
                    position, null);
        }
        if (available > scratch.length) {
            scratch = new byte[(int) available];
        }
        int length = JournalExcerpt.wrap(bytes, JournalExcerpt.BATCH_RECORDS_OFFSET, record, scratch);
        int at = 0;
        for (int i = 0; i < count; i++) {
            position.inBatch(i);
            try {
                transaction.wrapForRead(record, at);
            } catch (UnsupportedSchemaVersionException e) {
                throw new JournalException(e.getMessage(), position, e);
            } catch (IndexOutOfBoundsException e) {
                throw truncatedBatch(count, i, length);
            }
            if (at + transaction.length() > length) {
                throw truncatedBatch(count, i, length);
            }
            visitor.transaction(position, transaction);
            at += transaction.length();
        }
        if (at != length) {
            throw new JournalException("excerpt too long: " + (length - at) + " bytes after the " + count
                    + " transaction records its batch holds", position, null);
        }
    }

    private JournalException truncatedBatch(int count, int i, int length) {
        return new JournalException("truncated excerpt: its batch says " + count + " transaction records, and its "
                + length + " bytes end inside record " + i, position, null);
    }

    private String define(DictionaryEntryFlyweight entry) {
        try {
            return names.define(entry.kind(), entry.id(), entry.name());
        } catch (IllegalArgumentException e) {
            throw new JournalException("dictionary entry of unknown kind " + entry.kind(), position, e);
        }
    }

    /** Bytes after a record are not covered by its chain hash: an excerpt holds its record and nothing more. */
    private void checkLength(int available, int expected, String what) {
        if (available != expected) {
            throw new JournalException((available < expected ? "truncated excerpt: " : "excerpt too long: ")
                    + available + " bytes for a " + expected + "-byte " + what, position, null);
        }
    }

    /** Whether {@code dir} holds a journal that {@link #open} can read: its queue folder with a cycle file. */
    public static boolean exists(Path dir) {
        Path queueDir = dir.resolve(JournalQueue.QUEUE_DIRECTORY);
        return Files.isDirectory(queueDir) && holdsCycleFiles(queueDir);
    }

    private static boolean holdsCycleFiles(Path queueDir) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(queueDir, "*" + CYCLE_FILE_SUFFIX)) {
            return files.iterator().hasNext();
        } catch (IOException e) {
            throw new JournalException("cannot list " + queueDir + ": " + e.getMessage(), null, e);
        }
    }
}
