package io.gozargah.engine.journal;

import net.openhft.chronicle.bytes.Bytes;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The layout of one journal excerpt in the Chronicle Queue: a record type, then one record, or a batch of
 * transaction records.
 * <pre>
 *   TRANSACTION, DICTIONARY, REFUSAL_SUMMARY: one record
 *   0  record type (i32, little-endian): a {@link io.gozargah.codec.journal.RecordType}
 *   4  the record's bytes, as its flyweight lays them out (length: the rest of the excerpt)
 *
 *   TRANSACTION_BATCH: transaction records back to back, as the writer drained them
 *   0  record type (i32, little-endian): {@link io.gozargah.codec.journal.RecordType#TRANSACTION_BATCH}
 *   4  count (i32, little-endian): how many records follow, at least 1
 *   8  the records, each as long as its own flags make it (128 bytes, 192 with body hashes), nothing after the
 *      last
 * </pre>
 * The type is four bytes, the width of the ring buffer's {@code msgTypeId} it is copied from, which keeps the
 * record 4-byte aligned behind Chronicle's 4-byte header. Readers skip types they do not know. The writer appends
 * batches ({@link JournalWriterAgent}); a single TRANSACTION excerpt is what journals written before batches
 * hold, and stays readable. Each record of a batch carries its own chain hash, so the chain, and what
 * {@code verify} reports, stay per record whatever the framing.
 */
public final class JournalExcerpt {
    public static final int TYPE_OFFSET = 0;
    public static final int RECORD_OFFSET = 4;
    public static final int BATCH_COUNT_OFFSET = 4;
    public static final int BATCH_RECORDS_OFFSET = 8;

    private JournalExcerpt() {
    }

    /** Appends an excerpt body: {@code type}, then {@code src[offset, offset + length)}. */
    public static void write(Bytes<?> bytes, int type, DirectBuffer src, int offset, int length) {
        bytes.writeInt(type);
        byte[] array = src.byteArray();
        if (array != null) {
            bytes.unsafeWriteObject(array, (int) (src.addressOffset() + offset), length);
        } else {
            bytes.unsafeWrite(src.addressOffset() + offset, length);
        }
    }

    /** Appends an excerpt body: {@code type}, then {@code src[offset, offset + length)}. */
    public static void write(Bytes<?> bytes, int type, byte[] src, int offset, int length) {
        bytes.writeInt(type);
        bytes.write(src, offset, length);
    }

    /** The record type of the excerpt whose body starts at {@code bytes.readPosition()}. */
    public static int type(Bytes<?> bytes) {
        return bytes.readInt(bytes.readPosition() + TYPE_OFFSET);
    }

    /** The count of a TRANSACTION_BATCH excerpt whose body starts at {@code bytes.readPosition()}. */
    public static int batchCount(Bytes<?> bytes) {
        return bytes.readInt(bytes.readPosition() + BATCH_COUNT_OFFSET);
    }

    /** Bytes of the record in the excerpt whose body is {@code bytes[readPosition, readLimit)}. */
    public static int recordLength(Bytes<?> bytes) {
        return (int) (bytes.readRemaining() - RECORD_OFFSET);
    }

    /**
     * Points {@code view} at the record of the excerpt whose body is {@code bytes[readPosition, readLimit)},
     * without copying when the excerpt is in mapped memory (always, for a queue on disk), and returns the record's
     * length. The view is valid while the excerpt's reading document is open.
     *
     * @param scratch where the record is copied when {@code bytes} is on the heap; at least the record's length
     */
    public static int wrapRecord(Bytes<?> bytes, UnsafeBuffer view, byte[] scratch) {
        return wrap(bytes, RECORD_OFFSET, view, scratch);
    }

    /**
     * Points {@code view} at the bytes from {@code offset} to the end of the excerpt whose body is
     * {@code bytes[readPosition, readLimit)}, as {@link #wrapRecord} does, and returns their length: the records
     * of a batch, with {@link #BATCH_RECORDS_OFFSET}.
     *
     * @param scratch where the bytes are copied when {@code bytes} is on the heap; at least their length
     */
    public static int wrap(Bytes<?> bytes, int offset, UnsafeBuffer view, byte[] scratch) {
        int length = (int) (bytes.readRemaining() - offset);
        long at = bytes.readPosition() + offset;
        if (bytes.isDirectMemory()) {
            view.wrap(bytes.addressForRead(at), length);
        } else {
            bytes.read(at, scratch, 0, length);
            view.wrap(scratch, 0, length);
        }
        return length;
    }
}
