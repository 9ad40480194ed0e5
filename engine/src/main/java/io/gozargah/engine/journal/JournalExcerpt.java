package io.gozargah.engine.journal;

import net.openhft.chronicle.bytes.Bytes;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The layout of one journal excerpt in the Chronicle Queue: a record type, then one record.
 * <pre>
 *   0  record type (i32, little-endian): a {@link io.gozargah.codec.journal.RecordType}
 *   4  the record's bytes, as its flyweight lays them out (length: the rest of the excerpt)
 * </pre>
 * The type is four bytes, the width of the ring buffer's {@code msgTypeId} it is copied from, which keeps the
 * record 4-byte aligned behind Chronicle's 4-byte header. Readers skip types they do not know.
 */
public final class JournalExcerpt {
    public static final int TYPE_OFFSET = 0;
    public static final int RECORD_OFFSET = 4;

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
        int length = recordLength(bytes);
        long at = bytes.readPosition() + RECORD_OFFSET;
        if (bytes.isDirectMemory()) {
            view.wrap(bytes.addressForRead(at), length);
        } else {
            bytes.read(at, scratch, 0, length);
            view.wrap(scratch, 0, length);
        }
        return length;
    }
}
