package io.gozargah.engine.journal;

import io.gozargah.codec.journal.DictionaryEntryFlyweight;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import io.gozargah.engine.config.JournalConfig;
import io.gozargah.engine.exchange.Exchange;
import io.gozargah.engine.exchange.ExchangeStages;
import io.gozargah.engine.exchange.Outcome;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The journal's life: one writer per directory, and a clean close drains the ring. */
class JournalTest {
    @TempDir
    Path dir;

    private JournalConfig config() {
        return new JournalConfig(true, dir, "LARGE_DAILY", 64 * 1024, 0, null);
    }

    @Test
    void shouldDrainEverythingInTheRingOnClose() {
        Journal journal = Journal.start(config(), 1);
        ExchangeStages stages = new ExchangeStages(List.of(journal.stage()));
        Exchange x = new Exchange(null);
        journal.suspendWriter(); // everything below waits in the ring
        for (long n = 1; n <= 50; n++) {
            long now = System.nanoTime();
            x.start(0x0190_0000_7000_0000L, n, now, System.currentTimeMillis() * 1_000_000L);
            stages.complete(x, Outcome.UNAUTHENTICATED, now + 1000);
        }
        assertEquals(50, journal.counters().writerLagRecords());
        journal.close();

        JournalContents c = JournalContents.read(dir);
        assertEquals(50, c.transactions.size());
        assertEquals(OutcomeCode.of(Outcome.UNAUTHENTICATED), c.transactions.get(49).flyweight().outcomeCode());
        assertEquals(1000, c.transactions.get(0).flyweight().totalDurationNanos());
    }

    @Test
    void shouldRefuseASecondWriterOnTheSameDirectory() {
        Journal first = Journal.start(config(), 1);
        try {
            JournalStartException e = assertThrows(JournalStartException.class, () -> Journal.start(config(), 1));
            assertTrue(e.getMessage().contains("in use by another gateway"), e.getMessage());
        } finally {
            first.close();
        }
        Journal.start(config(), 1).close(); // free again once closed
    }

    @Test
    void shouldStartOverATornTailCuttingItOffAndWritingTheRingOnce() throws Exception {
        // A run that died in the middle of an append: a torn excerpt in the queue, its records still in the ring.
        JournalWriterAgent.WriterClock clock = new JournalWriterAgent.WriterClock();
        JournalQueue queue = JournalQueue.openForWrite(dir, LargeRollCycles.LARGE_DAILY, clock);
        JournalRing ring = JournalRing.open(dir.resolve(Journal.RING_FILE), 64 * 1024, 1);
        FaultyQueueAppend disk = new FaultyQueueAppend(FaultyQueueAppend.Fault.TORN);
        JournalDictionary dictionary = JournalDictionary.inMemory();
        dictionary.id(DictionaryEntryFlyweight.KIND_CONSUMER, "snapp"); // appended first, starting the cycle file
        JournalWriterAgent writer = new JournalWriterAgent(ring, queue, () -> queue, dictionary, new JournalCounters(),
                clock, disk, 0);
        writer.recover();
        writer.drainAll(); // the dictionary, which starts the cycle file
        try (ExcerptAppender appender = queue.appender()) {
            try (DocumentContext dc = appender.writingDocument(true)) { // metadata: finds where the next excerpt goes
                dc.wire().bytes().writeInt(0);
            }
            disk.failAt(appender.wire().bytes().writePosition() + 300); // inside the batch's second record
        }
        for (long n = 1; n <= 10; n++) {
            int index = ring.claim(TransactionRecordFlyweight.LENGTH_WITHOUT_BODY_HASHES, false);
            new TransactionRecordFlyweight().wrapForWrite(ring.buffer(), index, false).txId(0x0190L, n);
            ring.commit(index);
        }
        writer.drainAll();
        assertFalse(writer.appending());
        assertEquals(1, disk.failures());
        queue.close();
        ring.close();

        Journal journal = Journal.start(config(), 1);
        journal.close();

        JournalContents c = JournalContents.read(dir);
        assertEquals(10, c.transactions.size(), "each record of the torn excerpt once, from the ring");
        assertEquals(-1, c.firstBrokenLink);
        try (var aside = Files.list(dir.resolve(JournalRepair.DAMAGED_DIRECTORY))) {
            assertEquals(1, aside.count());
        }
    }
}
