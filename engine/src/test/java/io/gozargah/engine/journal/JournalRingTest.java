package io.gozargah.engine.journal;

import io.gozargah.codec.journal.RecordType;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import org.agrona.BitUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link JournalRing#drain}: records in order, freed only once the drain's end has returned. */
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
}
