package io.gozargah.engine.journal;

import io.gozargah.codec.journal.RecordType;
import io.gozargah.codec.journal.RefusalSummaryFlyweight;
import io.gozargah.codec.journal.SummaryReason;
import io.gozargah.engine.exchange.Outcome;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One loop's refusal counts: keyed, bounded by folding, written into the ring only where it has room. */
class RefusalSummaryTableTest {
    private static final int BACKLOG = SummaryReason.JOURNAL_BACKLOG;
    private static final int REFUSED = OutcomeCode.of(Outcome.JOURNAL_UNAVAILABLE);
    private static final long LSB = 0x8000_0000_0000_00AAL;
    private static final long ADDRESS = 0xFFFF_0A00_0009L; // ::ffff:10.0.0.9

    @TempDir
    Path dir;

    private JournalRing ring;

    @AfterEach
    void close() {
        if (ring != null) {
            ring.close();
        }
    }

    /** The summaries in the ring, drained, as copies. */
    private List<byte[]> drain() {
        List<byte[]> out = new ArrayList<>();
        JournalRing.Drain collect = new JournalRing.Drain() {
            @Override
            public void record(int type, MutableDirectBuffer buffer, int index, int length) {
                assertEquals(RecordType.REFUSAL_SUMMARY, type);
                byte[] bytes = new byte[length];
                buffer.getBytes(index, bytes);
                out.add(bytes);
            }

            @Override
            public void end() {
            }
        };
        int drained;
        do {
            drained = ring.drain(collect, 1024); // a drain stops at the wrap; the next goes on from the start
        } while (drained > 0);
        return out;
    }

    private static RefusalSummaryFlyweight read(byte[] bytes) {
        return new RefusalSummaryFlyweight().wrapForRead(new UnsafeBuffer(bytes), 0);
    }

    @Test
    void shouldCountOneKeysExchangesIntoOneSummaryWithTheirIdsAndTimes() {
        ring = JournalRing.open(dir.resolve("ring"), 64 * 1024, 1);
        RefusalSummaryTable table = new RefusalSummaryTable(16);
        for (int i = 0; i < 5; i++) {
            table.count(BACKLOG, REFUSED, 503, 7, 9, 0, ADDRESS, false, 100 + i, LSB, 1_000 + i);
        }
        assertEquals(5, table.pending());
        assertEquals(1, table.flush(ring, JournalRing.Room.SUMMARY));
        assertEquals(0, table.pending());
        assertEquals(0, table.keys(), "a flush that wrote everything empties the table");

        List<byte[]> records = drain();
        assertEquals(1, records.size());
        RefusalSummaryFlyweight s = read(records.get(0));
        assertEquals(BACKLOG, s.reason());
        assertEquals(REFUSED, s.outcomeCode());
        assertEquals(503, s.httpStatus());
        assertEquals(7, s.consumerId());
        assertEquals(9, s.serviceId());
        assertEquals(5, s.count());
        assertEquals(100, s.firstTxIdMsb());
        assertEquals(104, s.lastTxIdMsb());
        assertEquals(LSB, s.firstTxIdLsb());
        assertEquals(1_000, s.intervalStartEpochNanos());
        assertEquals(1_004, s.intervalEndEpochNanos());
        byte[] address = new byte[4];
        assertEquals(4, s.getClientAddress(address, 0));
        assertArrayEquals(new byte[] {10, 0, 0, 9}, address);
        assertEquals(0, table.flush(ring, JournalRing.Room.SUMMARY), "nothing counted since: nothing written");
    }

    @Test
    void shouldKeepKeysApartByReasonOutcomeConsumerServiceAndAddress() {
        ring = JournalRing.open(dir.resolve("ring"), 64 * 1024, 1);
        RefusalSummaryTable table = new RefusalSummaryTable(16);
        table.count(BACKLOG, REFUSED, 503, 7, 9, 0, ADDRESS, false, 1, LSB, 1);
        table.count(SummaryReason.AUTHENTICATION_FLOOD, REFUSED, 503, 7, 9, 0, ADDRESS, false, 2, LSB, 2);
        table.count(BACKLOG, OutcomeCode.of(Outcome.UNAUTHENTICATED), 401, 7, 9, 0, ADDRESS, false, 3, LSB, 3);
        table.count(BACKLOG, REFUSED, 503, 8, 9, 0, ADDRESS, false, 4, LSB, 4);
        table.count(BACKLOG, REFUSED, 503, 7, 10, 0, ADDRESS, false, 5, LSB, 5);
        table.count(BACKLOG, REFUSED, 503, 7, 9, 0, ADDRESS + 1, false, 6, LSB, 6);
        table.count(BACKLOG, REFUSED, 503, 7, 9, 0, ADDRESS, true, 7, LSB, 7);
        table.count(BACKLOG, REFUSED, 503, 7, 9, 0, ADDRESS, false, 8, LSB, 8);
        assertEquals(7, table.keys());
        assertEquals(7, table.flush(ring, JournalRing.Room.SUMMARY));
        List<byte[]> records = drain();
        assertEquals(8, records.stream().mapToLong(r -> read(r).count()).sum());
        assertTrue(records.stream().anyMatch(r -> read(r).count() == 2 && read(r).firstTxIdMsb() == 1
                && read(r).lastTxIdMsb() == 8), "the first key counted twice, ids 1 to 8");
        assertTrue(records.stream().anyMatch(r -> read(r).clientAddressIsIpv6()));
    }

    @Test
    void shouldFoldKeysBeyondItsSizeIntoOnePerOutcomeWithoutDroppingACount() {
        ring = JournalRing.open(dir.resolve("ring"), 64 * 1024, 1);
        RefusalSummaryTable table = new RefusalSummaryTable(2);
        for (int client = 0; client < 10; client++) {
            table.count(BACKLOG, REFUSED, 503, 7, 9, 0, ADDRESS + client, false, client, LSB, client);
        }
        assertEquals(8, table.folded());
        assertEquals(3, table.keys(), "two keys of its own, then one folded key");
        assertEquals(3, table.flush(ring, JournalRing.Room.SUMMARY));
        List<byte[]> records = drain();
        assertEquals(10, records.stream().mapToLong(r -> read(r).count()).sum());
        RefusalSummaryFlyweight folded = records.stream().map(RefusalSummaryTableTest::read)
                .filter(s -> s.count() == 8).findFirst().orElseThrow();
        assertFalse(folded.hasClientAddress(), "the folded key counts no one address");
        assertEquals(0, folded.consumerId());
        assertEquals(0, folded.serviceId());
        assertEquals(REFUSED, folded.outcomeCode(), "but keeps the outcome and status");
        assertEquals(503, folded.httpStatus());
        assertEquals(2, folded.firstTxIdMsb());
        assertEquals(9, folded.lastTxIdMsb());
    }

    @Test
    void shouldWriteOnlyWhatTheRingHasRoomForAndKeepCountingTheRest() {
        ring = JournalRing.open(dir.resolve("ring"), 4096, 1);
        RefusalSummaryTable table = new RefusalSummaryTable(64);
        for (int client = 0; client < 40; client++) {
            table.count(BACKLOG, REFUSED, 503, 7, 9, 0, ADDRESS + client, false, client, LSB, client);
        }
        int first = table.flush(ring, JournalRing.Room.SUMMARY);
        assertTrue(first > 0 && first < 40, first + " of 40 summaries fit a 4 KiB ring");
        assertEquals(40 - first, table.pending());
        assertEquals(0, table.flush(ring, JournalRing.Room.SUMMARY), "still no room: nothing written, nothing lost");
        table.count(BACKLOG, REFUSED, 503, 7, 9, 0, ADDRESS, false, 100, LSB, 100); // a written key counts again

        List<byte[]> records = drain();
        int second = table.flush(ring, JournalRing.Room.SUMMARY);
        records.addAll(drain());
        while (table.pending() > 0) {
            assertTrue(table.flush(ring, JournalRing.Room.SUMMARY) > 0);
            records.addAll(drain());
        }
        assertTrue(second > 0);
        assertEquals(41, records.stream().mapToLong(r -> read(r).count()).sum(), "every count written once");
        assertEquals(0, table.keys());
    }
}
