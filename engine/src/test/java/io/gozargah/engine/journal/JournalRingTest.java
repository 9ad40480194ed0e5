package io.gozargah.engine.journal;

import io.gozargah.codec.journal.RecordType;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import org.agrona.BitUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link JournalRing#drain}: records in order, freed only once the drain's end has returned; and who may use how
 * much of the room.
 */
class JournalRingTest {
    private static final int LENGTH = TransactionRecordFlyweight.LENGTH_WITHOUT_BODY_HASHES;

    @TempDir
    Path dir;

    private JournalRing ring;

    @AfterEach
    void close() {
        if (ring != null) {
            ring.close();
        }
    }

    /** Collects the ids of the records handed over, and what end() does. */
    private static final class Collect implements JournalRing.Drain {
        final List<Long> ids = new ArrayList<>();
        int ends;
        RuntimeException failAtEnd;

        @Override
        public void record(int type, MutableDirectBuffer buffer, int index, int length) {
            assertEquals(RecordType.TRANSACTION, type);
            assertEquals(LENGTH, length);
            ids.add(buffer.getLong(index + TransactionRecordFlyweight.TX_ID_LSB_OFFSET, ByteOrder.LITTLE_ENDIAN));
        }

        @Override
        public void end() {
            ends++;
            if (failAtEnd != null) {
                throw failAtEnd;
            }
        }
    }

    private void put(long n) {
        int index = ring.claim(LENGTH, false);
        assertTrue(index >= 0, "room for record " + n);
        new TransactionRecordFlyweight().wrapForWrite(ring.buffer(), index, false).txId(0, n);
        ring.commit(index);
    }

    @Test
    void shouldHandOverUpToTheLimitInOrderAndFreeThem() {
        ring = JournalRing.open(dir.resolve("ring"), 64 * 1024, 1);
        for (long n = 1; n <= 5; n++) {
            put(n);
        }
        Collect c = new Collect();
        assertEquals(3, ring.drain(c, 3));
        assertEquals(List.of(1L, 2L, 3L), c.ids);
        assertEquals(1, c.ends);
        assertEquals(2 * BitUtil.align(RecordDescriptor.HEADER_LENGTH + LENGTH, RecordDescriptor.ALIGNMENT),
                ring.occupancy(), "two records left");
        assertEquals(2, ring.drain(c, 10));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), c.ids);
        assertEquals(0, ring.occupancy());
        assertEquals(0, ring.drain(c, 10));
        assertEquals(2, c.ends, "no end call for an empty drain");
    }

    @Test
    void shouldFreeNothingWhenTheEndFailsSoTheNextDrainSeesTheSameRecords() {
        ring = JournalRing.open(dir.resolve("ring"), 64 * 1024, 1);
        put(1);
        put(2);
        int occupied = ring.occupancy();
        Collect failing = new Collect();
        failing.failAtEnd = new IllegalStateException("disk full");
        assertSame(failing.failAtEnd, assertThrows(IllegalStateException.class, () -> ring.drain(failing, 10)));
        assertEquals(occupied, ring.occupancy());

        Collect c = new Collect();
        assertEquals(2, ring.drain(c, 10));
        assertEquals(List.of(1L, 2L), c.ids);
    }

    @Test
    void shouldGoOnAcrossTheRingsWrap() {
        ring = JournalRing.open(dir.resolve("ring"), 4096, 1);
        Collect c = new Collect();
        long n = 0;
        // 136-byte records in a 4096-byte ring: the writes wrap (with padding) many times over.
        for (int round = 0; round < 50; round++) {
            for (int i = 0; i < 7; i++) {
                put(++n);
            }
            int drained = ring.drain(c, 1024);
            assertTrue(drained > 0, "a drain is never left with only the padding before the wrap");
            if (drained < 7) {
                assertEquals(7 - drained, ring.drain(c, 1024), "the rest, from the buffer's start");
            }
            assertEquals(0, ring.occupancy());
        }
        assertEquals(n, c.ids.size());
        for (int i = 0; i < c.ids.size(); i++) {
            assertEquals(i + 1L, c.ids.get(i));
        }
        assertEquals(0, ring.occupancy());
    }

    @Test
    void shouldKeepTheSummaryReserveFromUnbookedRecordsAndLetOnlyTheCloseUseTheRest() {
        ring = JournalRing.open(dir.resolve("ring"), 4096, 1);
        int unbooked = 0;
        while (ring.claim(LENGTH, false) >= 0) {
            unbooked++;
        }
        long free = ring.capacity() - ring.occupancy();
        assertTrue(free >= JournalRing.SLOT_BYTES + ring.capacity() / 16,
                "unbooked records stop short of the loop window and the summary reserve: " + free + " bytes free");
        assertEquals(-1, ring.claim(LENGTH, false));
        assertTrue(ring.claimSummary(JournalRing.Room.SUMMARY) >= 0, "a summary may use the reserve");
        int summaries = 1;
        while (ring.claimSummary(JournalRing.Room.SUMMARY) >= 0) {
            summaries++;
        }
        assertTrue(ring.capacity() - ring.occupancy() >= JournalRing.SLOT_BYTES,
                "a loop's summaries leave the per-loop window");
        assertTrue(ring.claimSummary(JournalRing.Room.CLOSING) >= 0, "at close, with no loop left, any free byte");
        assertFalse(ring.reserve(), "nothing is admitted into a ring this full");
        assertTrue(unbooked > 0 && summaries > 0);
    }

    @Test
    void shouldNeverLetSummariesTakeTheSlotsAdmissionBooked() {
        ring = JournalRing.open(dir.resolve("ring"), 4096, 1);
        int booked = 0;
        while (ring.reserve()) {
            booked++;
        }
        assertTrue(booked > 0);
        int summary;
        while ((summary = ring.claimSummary(JournalRing.Room.SUMMARY)) >= 0) {
            ring.commit(summary);
        }
        assertEquals(-1, ring.claim(LENGTH, false), "no unbooked record either");
        for (int i = 0; i < booked; i++) {
            int index = ring.claim(TransactionRecordFlyweight.LENGTH_WITH_BODY_HASHES, true);
            assertTrue(index >= 0, "booked record " + i + " of " + booked + " still fits after the summaries");
            ring.commit(index);
            ring.release();
        }
    }

    @Test
    void shouldFindARecordByItsBytesBeforeTheChainHash() {
        ring = JournalRing.open(dir.resolve("ring"), 64 * 1024, 1);
        put(1);
        put(2);
        byte[] two = new byte[LENGTH];
        new TransactionRecordFlyweight().wrapForWrite(new UnsafeBuffer(two), 0, false).txId(0, 2);
        byte[] covered = Arrays.copyOf(two, LENGTH - TransactionRecordFlyweight.CHAIN_HASH_LENGTH);
        assertTrue(ring.contains(RecordType.TRANSACTION, covered, covered.length));
        assertFalse(ring.contains(RecordType.REFUSAL_SUMMARY, covered, covered.length), "same bytes, another type");
        covered[TransactionRecordFlyweight.TX_ID_LSB_OFFSET] = 3;
        assertFalse(ring.contains(RecordType.TRANSACTION, covered, covered.length));
    }
}
