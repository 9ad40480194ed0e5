package io.gozargah.engine.journal;

import io.gozargah.codec.journal.RecordType;
import io.gozargah.codec.journal.RefusalSummaryFlyweight;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The lock-free many-to-one ring buffer between the event loops and the journal writer, over a memory-mapped
 * file: a record committed here survives a crash of the process (the kernel holds the page) and is drained into
 * the queue at the next start.
 *
 * <h2>Room, and who may use it</h2>
 * A full ring must never make the gateway answer a transaction it did not journal, nor refuse to journal one it
 * already let through. So the room is shared out by rule:
 * <ul>
 *   <li>{@link #reserve()} is what admission calls: it books one record slot ({@link #SLOT_BYTES}) for an
 *       exchange about to go upstream, and succeeds only while, after booking, the free bytes still cover every
 *       booked slot, one slot per event loop (the window between one loop's check and its claim) and the
 *       refusal headroom ({@link #capacity()} / 8). When it fails the exchange is refused with 503
 *       journal-unavailable.</li>
 *   <li>A booked exchange's record ({@link #claim(int, boolean) claim(length, true)}) may use any free byte: its slot was set
 *       aside for it, so it always fits.</li>
 *   <li>Every other record (refusals, bad requests, aborted clients: {@link Room#UNBOOKED}) may use only what
 *       is left once the booked slots, the per-loop window and the summary reserve ({@link #capacity()} / 16,
 *       half the refusal headroom) are set aside. When that is gone, the exchange is still answered, and counted
 *       into a {@link RefusalSummaryTable} instead of recorded singly.</li>
 *   <li>Refusal summaries ({@link Room#SUMMARY}) may also use the summary reserve, never a booked slot nor the
 *       per-loop window.</li>
 *   <li>At close, once no event loop runs ({@link Room#CLOSING}), what the tables still hold may use any free
 *       byte: nothing is booked and no loop can claim any more.</li>
 * </ul>
 */
public final class JournalRing implements AutoCloseable {
    /** Ring bytes of the largest record (with body hashes), header and alignment included. */
    public static final int SLOT_BYTES = BitUtil.align(
            RecordDescriptor.HEADER_LENGTH + TransactionRecordFlyweight.LENGTH_WITH_BODY_HASHES,
            RecordDescriptor.ALIGNMENT);

    private final Path file;
    private final MappedByteBuffer mapped;
    private final ManyToOneRingBuffer ring;
    private final long loopWindowBytes;
    private final long headroomBytes;
    private final long summaryReserveBytes;
    private final AtomicLong booked = new AtomicLong();

    private JournalRing(Path file, MappedByteBuffer mapped, int eventLoops) {
        this.file = file;
        this.mapped = mapped;
        this.ring = new ManyToOneRingBuffer(new UnsafeBuffer(mapped));
        this.loopWindowBytes = (long) eventLoops * SLOT_BYTES;
        this.headroomBytes = ring.capacity() / 8;
        this.summaryReserveBytes = ring.capacity() / 16;
    }

    /** File bytes of a ring with {@code capacity} bytes of records. */
    public static long fileLength(int capacity) {
        return (long) capacity + RingBufferDescriptor.TRAILER_LENGTH;
    }

    /**
     * Maps the ring in {@code file}: the existing one, whatever its capacity, with the records a crash left in
     * it, or a new one of {@code capacity} bytes.
     */
    public static JournalRing open(Path file, int capacity, int eventLoops) {
        if (Files.exists(file)) {
            long length;
            try {
                length = Files.size(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the journal ring " + file, e);
            }
            int existing = (int) (length - RingBufferDescriptor.TRAILER_LENGTH);
            if (existing > 0 && BitUtil.isPowerOfTwo(existing)) {
                return new JournalRing(file, IoUtil.mapExistingFile(file.toFile(), "journal ring"), eventLoops);
            }
            throw new IllegalStateException("the journal ring " + file + " is " + length + " bytes, which no ring"
                    + " capacity gives: it is not a journal ring, or it was cut short");
        }
        return new JournalRing(file, IoUtil.mapNewFile(file.toFile(), fileLength(capacity), true), eventLoops);
    }

    public Path file() {
        return file;
    }

    /** Bytes of records the ring can hold. */
    public int capacity() {
        return ring.capacity();
    }

    /** Bytes of records not yet drained, padding included. */
    public int occupancy() {
        return ring.size();
    }

    /** Slots booked by admitted exchanges whose record is not written yet. */
    public long booked() {
        return booked.get();
    }

    /** Books a slot for an exchange about to be admitted (see the class comment); false if there is no room. */
    public boolean reserve() {
        long b = booked.incrementAndGet();
        long free = (long) ring.capacity() - ring.size();
        if (free < b * SLOT_BYTES + loopWindowBytes + headroomBytes) {
            booked.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Gives back a slot booked by {@link #reserve()}, once its record is written (or could not be). */
    public void release() {
        booked.decrementAndGet();
    }

    /** Who a claim is for, which decides how much of the free room it may use (see the class comment). */
    public enum Room {
        /** A transaction record of an exchange admission booked a slot for. */
        BOOKED,
        /** A transaction record of an exchange that booked nothing (refused, bad, aborted before admission). */
        UNBOOKED,
        /** A refusal summary, flushed by an event loop. */
        SUMMARY,
        /** A refusal summary flushed at close, when no event loop runs and nothing is booked. */
        CLOSING
    }

    /**
     * Claims room for a transaction record of {@code length} bytes and returns its index in {@link #buffer()}, or
     * -1 when the rule of the class comment leaves no room for it. {@link #commit} it once written.
     */
    public int claim(int length, boolean bookedSlot) {
        return claim(RecordType.TRANSACTION, length, bookedSlot ? Room.BOOKED : Room.UNBOOKED);
    }

    /** Claims room for a refusal summary as {@code room} allows; -1 when there is none. */
    public int claimSummary(Room room) {
        return claim(RecordType.REFUSAL_SUMMARY, RefusalSummaryFlyweight.LENGTH, room);
    }

    private int claim(int type, int length, Room room) {
        if (room == Room.UNBOOKED || room == Room.SUMMARY) {
            long free = (long) ring.capacity() - ring.size();
            long setAside = booked.get() * SLOT_BYTES + loopWindowBytes + (room == Room.UNBOOKED ? summaryReserveBytes : 0);
            if (free - setAside < SLOT_BYTES) {
                return -1;
            }
        }
        int index = ring.tryClaim(type, length);
        return index < 0 ? -1 : index;
    }

    public AtomicBuffer buffer() {
        return ring.buffer();
    }

    public void commit(int index) {
        ring.commit(index);
    }

    /** What {@link #drain} hands the records to. */
    public interface Drain {
        /**
         * One committed record: {@code length} bytes at {@code index} of {@code buffer}, valid until
         * {@link #end()} returns.
         */
        void record(int type, MutableDirectBuffer buffer, int index, int length);

        /** After the last record of a drain, before the ring forgets them: where a batch is made durable. */
        void end();
    }

    /**
     * Hands up to {@code limit} committed records to {@code drain}, in order, then calls {@link Drain#end()},
     * and only when that returns frees their room in the ring. If either throws, nothing is freed and the
     * exception goes to the caller: the records stay in the ring (in the file) for the next start to drain,
     * where the writer's recovery skips those that had reached the queue. Agrona's {@code controlledRead} frees
     * the room when its loop ends, before a handler that batches has written anything out, so this is its loop
     * with the end call put first. One thread drains.
     *
     * @return the records handed over (padding is not counted); 0 only when the ring holds no committed record
     *         at its head
     */
    public int drain(Drain drain, int limit) {
        AtomicBuffer b = ring.buffer();
        int capacity = ring.capacity();
        long head = ring.consumerPosition();
        int headIndex = (int) head & (capacity - 1);
        int contiguous = capacity - headIndex;
        int bytesRead = 0;
        int records = 0;
        while (bytesRead < contiguous && records < limit) {
            int recordIndex = headIndex + bytesRead;
            int recordLength = b.getIntVolatile(RecordDescriptor.lengthOffset(recordIndex));
            if (recordLength <= 0) {
                break;
            }
            bytesRead += BitUtil.align(recordLength, RecordDescriptor.ALIGNMENT);
            int type = b.getInt(RecordDescriptor.typeOffset(recordIndex));
            if (type == RingBuffer.PADDING_MSG_TYPE_ID) {
                continue;
            }
            records++;
            drain.record(type, b, recordIndex + RecordDescriptor.HEADER_LENGTH,
                    recordLength - RecordDescriptor.HEADER_LENGTH);
        }
        if (bytesRead > 0) {
            if (records > 0) {
                drain.end();
            }
            b.setMemory(headIndex, bytesRead, (byte) 0);
            b.putLongOrdered(capacity + RingBufferDescriptor.HEAD_POSITION_OFFSET, head + bytesRead);
            if (records == 0) {
                return drain(drain, limit); // only the padding before the wrap: the records go on at index 0
            }
        }
        return records;
    }

    /**
     * Turns the record at the head of the ring, claimed by a producer that died before committing it, into
     * padding, so that reading can go on past it. Only at start-up, when no producer runs: such a record belongs
     * to an exchange that was never answered (a record is committed before the answer's last byte is flushed),
     * and its bytes cannot be trusted. Agrona's {@code unblock()} does the same while producers run, but leaves
     * a claim that nothing follows up to the tail; with no producer left this one pads up to it.
     *
     * @return false when the head holds a committed record or the ring is empty
     */
    boolean skipAbandonedAtHead() {
        AtomicBuffer b = ring.buffer();
        long head = ring.consumerPosition();
        long tail = ring.producerPosition();
        if (head >= tail) {
            return false;
        }
        int capacity = ring.capacity();
        int consumerIndex = (int) (head & (capacity - 1));
        int length = b.getIntVolatile(RecordDescriptor.lengthOffset(consumerIndex));
        if (length > 0) {
            return false;
        }
        int padding;
        if (length < 0) {
            padding = -length;
        } else {
            int limit = (int) Math.min(capacity, consumerIndex + (tail - head));
            int i = consumerIndex + RecordDescriptor.ALIGNMENT;
            while (i < limit && b.getIntVolatile(RecordDescriptor.lengthOffset(i)) == 0) {
                i += RecordDescriptor.ALIGNMENT;
            }
            padding = i - consumerIndex;
        }
        b.putInt(RecordDescriptor.typeOffset(consumerIndex), RingBuffer.PADDING_MSG_TYPE_ID);
        b.putIntOrdered(RecordDescriptor.lengthOffset(consumerIndex), padding);
        return true;
    }

    /**
     * Whether a committed record of {@code type} whose bytes before its chain hash are {@code covered[0,
     * coveredLength)} is in the
     * ring, without consuming anything: the writer's recovery asks it about the last chained record already in the
     * queue (the ring's copy has no chain hash yet; everything before it is the same).
     */
    public boolean contains(int type, byte[] covered, int coveredLength) {
        AtomicBuffer b = ring.buffer();
        int mask = ring.capacity() - 1;
        long tail = ring.producerPosition();
        for (long p = ring.consumerPosition(); p < tail; ) {
            int index = (int) (p & mask);
            int length = b.getIntVolatile(RecordDescriptor.lengthOffset(index));
            if (length <= 0) {
                return false;
            }
            if (b.getInt(RecordDescriptor.typeOffset(index)) == type && matches(b, index + RecordDescriptor.HEADER_LENGTH,
                    length - RecordDescriptor.HEADER_LENGTH, covered, coveredLength)) {
                return true;
            }
            p += BitUtil.align(length, RecordDescriptor.ALIGNMENT);
        }
        return false;
    }

    /**
     * Whether the record of {@code length} bytes at {@code index} of {@code buffer} has
     * {@code covered[0, coveredLength)} as its bytes before the chain hash.
     */
    static boolean matches(DirectBuffer buffer, int index, int length, byte[] covered, int coveredLength) {
        if (length != coveredLength + TransactionRecordFlyweight.CHAIN_HASH_LENGTH) {
            return false;
        }
        for (int i = 0; i < coveredLength; i++) {
            if (buffer.getByte(index + i) != covered[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        IoUtil.unmap(mapped);
    }
}
