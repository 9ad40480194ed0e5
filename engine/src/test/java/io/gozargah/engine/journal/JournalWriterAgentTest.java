package io.gozargah.engine.journal;

import io.gozargah.codec.journal.DictionaryEntryFlyweight;
import io.gozargah.codec.journal.RecordType;
import io.gozargah.codec.journal.RefusalSummaryFlyweight;
import io.gozargah.codec.journal.SummaryReason;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import io.gozargah.engine.exchange.Exchange;
import io.gozargah.engine.exchange.Outcome;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The writer driven step by step, no thread: start-up recovery, dictionary order, the chain, a stalled ring. */
class JournalWriterAgentTest {
    private static final int LENGTH = TransactionRecordFlyweight.LENGTH_WITHOUT_BODY_HASHES;

    @TempDir
    Path dir;

    private final JournalCounters counters = new JournalCounters();
    private final JournalWriterAgent.WriterClock clock = new JournalWriterAgent.WriterClock();
    private JournalQueue queue;
    private JournalRing ring;
    private JournalWriterAgent writer;

    @AfterEach
    void close() {
        if (ring != null) {
            ring.close();
        }
        if (queue != null) {
            queue.close();
        }
        if (writer != null) {
            writer.queue().close(); // another queue when a failure made it open the journal again
        }
    }

    private void open() {
        queue = JournalQueue.openForWrite(dir, LargeRollCycles.LARGE_DAILY, clock);
        ring = JournalRing.open(dir.resolve(Journal.RING_FILE), 64 * 1024, 2);
    }

    private JournalWriterAgent writer(JournalDictionary dictionary) {
        writer = new JournalWriterAgent(ring, queue, dictionary, counters, clock);
        return writer;
    }

    private JournalWriterAgent writer(QueueAppend append) {
        writer = new JournalWriterAgent(ring, queue, () -> JournalQueue.openForWrite(dir, LargeRollCycles.LARGE_DAILY, clock),
                JournalDictionary.inMemory(), counters, clock, append, 0);
        return writer;
    }

    /** Runs the writer's duty cycle until it appends again, as its runner would (it waits between its tries). */
    private static void untilAppending(JournalWriterAgent writer) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!writer.appending()) {
            assertTrue(System.nanoTime() < deadline, "the writer appends again within 10 s");
            writer.doWork();
            Thread.onSpinWait();
        }
    }

    /** The file position the next excerpt starts at, plus {@code offset}. */
    private long nextExcerptAt(long offset) {
        try (ExcerptAppender appender = queue.appender()) {
            try (DocumentContext dc = appender.writingDocument(true)) { // a metadata excerpt: positions the appender
                dc.wire().bytes().writeInt(0);
            }
            return appender.wire().bytes().writePosition() + offset;
        }
    }

    /** Puts a committed transaction record with id (0, n) and consumer id {@code consumer} in the ring. */
    private void putRecord(long n, int consumer) {
        int index = ring.claim(LENGTH, false);
        new TransactionRecordFlyweight().wrapForWrite(ring.buffer(), index, false).txId(0, n).consumerId(consumer);
        ring.commit(index);
    }

    private static byte[] record(long n) {
        byte[] bytes = new byte[LENGTH];
        new TransactionRecordFlyweight().wrapForWrite(new UnsafeBuffer(bytes), 0, false).txId(0, n);
        return bytes;
    }

    private static List<Long> ids(JournalContents c) {
        return c.transactions.stream().map(t -> t.flyweight().txIdLsb()).toList();
    }

    @Test
    void shouldSkipRecordsTheQueueAlreadyHasWhenACrashCameBetweenAppendAndConsume() {
        open();
        for (long n = 1; n <= 4; n++) {
            putRecord(n, 0);
        }
        // The previous writer appended 1 and 2 (chained), then died before moving the ring's consumer position.
        JournalChain chain = new JournalChain();
        try (ExcerptAppender appender = queue.appender()) {
            for (long n = 1; n <= 2; n++) {
                byte[] r = record(n);
                chain.seal(r, 0, r.length);
                try (DocumentContext dc = appender.writingDocument()) {
                    JournalExcerpt.write(dc.wire().bytes(), RecordType.TRANSACTION, r, 0, r.length);
                }
            }
        }

        JournalWriterAgent writer = writer(JournalDictionary.inMemory());
        writer.recover();
        writer.drainAll();

        assertEquals(2, counters.duplicatesSkipped());
        assertEquals(2, counters.recoveredRecords());
        JournalContents c = JournalContents.read(dir);
        assertEquals(List.of(1L, 2L, 3L, 4L), ids(c));
        assertEquals(-1, c.firstBrokenLink, "3 chains from 2's hash");
    }

    @Test
    void shouldSkipRecordsTheQueueAlreadyHasWhenTheQueuesLastExcerptIsABatch() {
        open();
        for (long n = 1; n <= 5; n++) {
            putRecord(n, 0);
        }
        // The previous writer appended a batch of 1, 2 and 3, then died before the ring freed them.
        JournalChain chain = new JournalChain();
        try (ExcerptAppender appender = queue.appender(); DocumentContext dc = appender.writingDocument()) {
            dc.wire().bytes().writeInt(RecordType.TRANSACTION_BATCH);
            dc.wire().bytes().writeInt(3);
            for (long n = 1; n <= 3; n++) {
                byte[] r = record(n);
                chain.seal(r, 0, r.length);
                dc.wire().bytes().write(r);
            }
        }

        JournalWriterAgent writer = writer(JournalDictionary.inMemory());
        writer.recover();
        writer.drainAll();

        assertEquals(3, counters.duplicatesSkipped());
        assertEquals(2, counters.recoveredRecords());
        JournalContents c = JournalContents.read(dir);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), ids(c));
        assertEquals(-1, c.firstBrokenLink, "4 chains from 3's hash, the last of the batch");
    }

    @Test
    void shouldAppendADrainAsBatchesOfAtMostRecordsPerExcerpt() {
        open();
        JournalWriterAgent writer = writer(JournalDictionary.inMemory());
        writer.recover();
        writer.drainAll();
        int records = JournalWriterAgent.RECORDS_PER_EXCERPT + 36;
        for (long n = 1; n <= records; n++) {
            putRecord(n, 0);
        }
        assertEquals(records, writer.doWork());
        putRecord(records + 1, 0);
        assertEquals(1, writer.doWork());

        JournalContents c = JournalContents.read(dir);
        assertEquals(List.of(JournalWriterAgent.RECORDS_PER_EXCERPT, 36, 1), c.batchSizes,
                "full batches, then what the drain had left, then the next drain's one record: none waits");
        assertEquals(records + 1, c.transactions.size());
        assertEquals(1L, ids(c).get(0));
        assertEquals(records + 1L, ids(c).get(records));
        assertEquals(-1, c.firstBrokenLink, "the chain runs through and across batches");
        assertEquals(records + 1, counters.recordsWritten());
        assertEquals(0, ring.occupancy());
    }

    @Test
    void shouldMapTheQueueChunksItWritesInWithoutReadAround() throws IOException {
        assumeTrue(Files.isReadable(Path.of("/proc/self/smaps")), "madvise flags are read from Linux's smaps");
        open();
        JournalWriterAgent writer = writer(JournalDictionary.inMemory());
        writer.recover();
        writer.drainAll();
        for (long n = 1; n <= 100; n++) {
            putRecord(n, 0);
        }
        assertEquals(100, writer.doWork());

        QueueMappingAdvice advice = writer.advice();
        assertFalse(advice.streaming());
        assertCycleFileMappings(true, "a writer that keeps up: one page per fault (VmFlags rr), whole mappings");

        for (int i = 1; i < QueueMappingAdvice.STREAMING_AFTER; i++) {
            advice.drained(JournalWriterAgent.BATCH, JournalWriterAgent.BATCH);
        }
        assertFalse(advice.streaming(), "one full drain short of streaming");
        assertCycleFileMappings(true, "not streaming yet");
        advice.drained(JournalWriterAgent.BATCH, JournalWriterAgent.BATCH);
        assertTrue(advice.streaming());
        assertCycleFileMappings(false, "a writer with a backlog: the kernel's read-around");

        advice.drained(JournalWriterAgent.BATCH - 1, JournalWriterAgent.BATCH);
        assertFalse(advice.streaming(), "a drain that empties the ring ends streaming");
        assertCycleFileMappings(true, "caught up again: one page per fault");
    }

    private void assertCycleFileMappings(boolean random, String why) throws IOException {
        List<String> flags = cycleFileMappingFlags(dir);
        assertFalse(flags.isEmpty(), "the cycle file is mapped");
        for (String f : flags) {
            assertEquals(random, List.of(f.split(" ")).contains("rr"), why + ": " + f);
        }
    }

    /** The VmFlags of each mapping of a cycle file (*.cq4) under {@code dir}, from /proc/self/smaps. */
    private static List<String> cycleFileMappingFlags(Path dir) throws IOException {
        List<String> flags = new ArrayList<>();
        boolean inCycleFile = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                inCycleFile = line.contains(dir.toString()) && line.endsWith(".cq4");
            } else if (inCycleFile && line.startsWith("VmFlags:")) {
                flags.add(line.substring("VmFlags:".length()).trim());
            }
        }
        return flags;
    }

    /** Puts a committed refusal summary counting {@code count} exchanges from id (0, first) in the ring. */
    private void putSummary(long first, long count, int consumer) {
        int index = ring.claimSummary(JournalRing.Room.SUMMARY);
        new RefusalSummaryFlyweight().wrapForWrite(ring.buffer(), index).reason(SummaryReason.JOURNAL_BACKLOG)
                .count(count).firstTxId(0, first).lastTxId(0, first + count - 1).consumerId(consumer);
        ring.commit(index);
    }

    @Test
    void shouldAppendASummaryBetweenBatchesChainedAndAfterTheNameItUses() {
        open();
        JournalDictionary dictionary = JournalDictionary.inMemory();
        JournalWriterAgent writer = writer(dictionary);
        writer.recover();
        writer.drainAll();
        putRecord(1, 0);
        putRecord(2, 0);
        int snapp = dictionary.id(DictionaryEntryFlyweight.KIND_CONSUMER, "snapp");
        putSummary(3, 10, snapp);
        putRecord(13, 0);
        assertEquals(4, writer.doWork());

        JournalContents c = JournalContents.read(dir);
        assertEquals(List.of(1L, 2L, 13L), ids(c));
        assertEquals(List.of(2, 1), c.batchSizes, "the batch before the summary was cut short by it");
        assertEquals(1, c.summaries.size());
        assertEquals(2, c.summaries.get(0).chainedIndex(), "between the second and the third transaction");
        assertEquals("snapp", c.name(snapp));
        assertEquals(-1, c.firstBrokenLink);
        assertEquals(1, counters.summaryRecordsWritten());
        assertEquals(3, counters.recordsWritten());
    }

    @Test
    void shouldSkipWhatTheQueueHasWhenItsLastChainedRecordIsASummary() {
        open();
        putRecord(1, 0);
        putSummary(2, 5, 0);
        putRecord(7, 0);
        // The previous writer appended 1 and the summary, then died before the ring freed them.
        JournalChain chain = new JournalChain();
        try (ExcerptAppender appender = queue.appender()) {
            byte[] r = record(1);
            chain.seal(r, 0, r.length);
            try (DocumentContext dc = appender.writingDocument()) {
                JournalExcerpt.write(dc.wire().bytes(), RecordType.TRANSACTION, r, 0, r.length);
            }
            byte[] s = new byte[RefusalSummaryFlyweight.LENGTH];
            new RefusalSummaryFlyweight().wrapForWrite(new UnsafeBuffer(s), 0).reason(SummaryReason.JOURNAL_BACKLOG)
                    .count(5).firstTxId(0, 2).lastTxId(0, 6);
            chain.seal(s, 0, s.length);
            try (DocumentContext dc = appender.writingDocument()) {
                JournalExcerpt.write(dc.wire().bytes(), RecordType.REFUSAL_SUMMARY, s, 0, s.length);
            }
        }

        JournalWriterAgent writer = writer(JournalDictionary.inMemory());
        writer.recover();
        writer.drainAll();

        assertEquals(2, counters.duplicatesSkipped());
        JournalContents c = JournalContents.read(dir);
        assertEquals(List.of(1L, 7L), ids(c));
        assertEquals(1, c.summaries.size(), "the summary once");
        assertEquals(-1, c.firstBrokenLink, "7 chains from the summary's hash");
    }

    @Test
    void shouldSkipNothingWhenTheQueuesLastRecordIsNoLongerInTheRing() {
        open();
        JournalChain chain = new JournalChain();
        try (ExcerptAppender appender = queue.appender()) {
            byte[] r = record(1);
            chain.seal(r, 0, r.length);
            try (DocumentContext dc = appender.writingDocument()) {
                JournalExcerpt.write(dc.wire().bytes(), RecordType.TRANSACTION, r, 0, r.length);
            }
        }
        putRecord(2, 0);
        putRecord(3, 0);

        JournalWriterAgent writer = writer(JournalDictionary.inMemory());
        writer.recover();
        writer.drainAll();

        assertEquals(0, counters.duplicatesSkipped());
        assertEquals(List.of(1L, 2L, 3L), ids(JournalContents.read(dir)));
    }

    @Test
    void shouldSkipClaimsADeadProducerNeverCommitted() {
        open();
        putRecord(1, 0);
        ring.claim(LENGTH, false); // claimed, never committed: its producer died
        putRecord(3, 0);
        int abandonedAtEnd = ring.claim(LENGTH, false);
        assertTrue(abandonedAtEnd >= 0);

        JournalWriterAgent writer = writer(JournalDictionary.inMemory());
        writer.recover();
        writer.drainAll();

        assertEquals(2, counters.abandonedClaims());
        assertEquals(List.of(1L, 3L), ids(JournalContents.read(dir)));
        assertEquals(0, ring.occupancy(), "the ring is empty again");
    }

    @Test
    void shouldJournalANewNameBeforeTheFirstRecordThatUsesIt() {
        open();
        JournalDictionary dictionary = JournalDictionary.inMemory();
        int snapp = dictionary.id(DictionaryEntryFlyweight.KIND_CONSUMER, "snapp");
        JournalWriterAgent writer = writer(dictionary);
        writer.recover();
        writer.drainAll();
        putRecord(1, snapp);
        writer.doWork();
        int tapsi = dictionary.id(DictionaryEntryFlyweight.KIND_CONSUMER, "tapsi"); // a reload named a new consumer
        putRecord(2, tapsi);
        putRecord(3, snapp);
        writer.doWork();

        JournalContents c = JournalContents.read(dir);
        assertEquals(List.of(1L, 2L, 3L), ids(c));
        assertTrue(c.transactions.stream().allMatch(JournalContents.Tx::idsNamedBefore));
        assertEquals("tapsi", c.name(tapsi));
        assertEquals(2, c.dictionaryExcerpts, "each name once in this cycle");
    }

    @Test
    void shouldRefuseNewWorkWhileAppendsFailAndReopenTheQueueAndGoOnWithoutARestart() {
        open();
        JournalWriterAgent writer = writer(JournalDictionary.inMemory());
        writer.recover();
        writer.drainAll();
        queue.close(); // appending throws from now on: a queue broken under the writer
        putRecord(1, 0);
        putRecord(2, 0);
        int occupied = ring.occupancy();
        assertEquals(0, writer.doWork());

        assertFalse(writer.appending());
        assertTrue(counters.writerFailed());
        assertEquals(occupied, ring.occupancy(), "the records that could not be appended stay in the ring");
        assertEquals(0, counters.recordsWritten());
        Exchange x = new Exchange(null);
        x.start(0, 2, System.nanoTime(), 0);
        assertEquals(Outcome.JOURNAL_UNAVAILABLE, new JournalStage(ring, counters, writer, 1_000_000_000L, 16).admit(x));
        assertEquals(JournalStage.DETAIL_FAILED, x.refusalDetail());
        assertEquals(1, counters.refusals());

        untilAppending(writer);
        assertFalse(counters.writerFailed());
        assertEquals(0, ring.occupancy());
        assertEquals(List.of(1L, 2L), ids(JournalContents.read(dir)));
    }

    @Test
    void shouldLeaveTheQueueAsItWasWhenTheDiskIsFullAndWriteEverythingOnceWhenThereIsRoom() {
        open();
        FaultyQueueAppend disk = new FaultyQueueAppend(FaultyQueueAppend.Fault.NO_ROOM);
        JournalWriterAgent writer = writer(disk);
        writer.recover();
        writer.drainAll();
        // Room for two batches of 64 and part of a third: the drain fails in its middle, two batches appended.
        disk.failAt(nextExcerptAt(2 * (8 + 64 * LENGTH + 8) + 1_000));
        int records = 3 * JournalWriterAgent.RECORDS_PER_EXCERPT + 10;
        for (long n = 1; n <= records; n++) {
            putRecord(n, 0);
        }
        assertEquals(0, writer.doWork());
        assertFalse(writer.appending());
        assertEquals(1, disk.failures());
        JournalContents before = JournalContents.read(dir);
        assertEquals(2 * JournalWriterAgent.RECORDS_PER_EXCERPT, before.transactions.size(),
                "the batches before the failure are in, the one that failed is not, not even in part");
        assertEquals(-1, before.firstBrokenLink);
        assertTrue(ring.occupancy() > 0, "the whole drain is still in the ring");

        assertEquals(0, writer.doWork(), "still no room");
        disk.free();
        untilAppending(writer);
        JournalContents after = JournalContents.read(dir);
        List<Long> expected = new ArrayList<>();
        for (long n = 1; n <= records; n++) {
            expected.add(n);
        }
        assertEquals(expected, ids(after), "every record once, in order");
        assertEquals(-1, after.firstBrokenLink, "the chain goes on from the last record appended before the failure");
        assertEquals(2L * JournalWriterAgent.RECORDS_PER_EXCERPT * disk.failures(), counters.duplicatesSkipped(),
                "on every try after a failure, what the failed drain had appended was skipped in the ring");
        assertEquals(0, ring.occupancy());
    }

    @Test
    void shouldCutATornExcerptOffAndWriteItsRecordsAgainWithoutARestart() throws IOException {
        open();
        FaultyQueueAppend disk = new FaultyQueueAppend(FaultyQueueAppend.Fault.TORN);
        JournalWriterAgent writer = writer(disk);
        writer.recover();
        writer.drainAll();
        disk.failAt(nextExcerptAt(8 + 64 * LENGTH + 8 + 20 * LENGTH + 50)); // inside the second batch's 21st record
        int records = 2 * JournalWriterAgent.RECORDS_PER_EXCERPT;
        for (long n = 1; n <= records; n++) {
            putRecord(n, 0);
        }
        assertEquals(0, writer.doWork());
        assertFalse(writer.appending());
        try (JournalQueue read = JournalQueue.openForRead(dir)) {
            assertFalse(JournalTail.checkLast(read).whole(), "a torn excerpt at the end of the queue");
        }

        disk.free();
        untilAppending(writer);
        JournalContents after = JournalContents.read(dir);
        assertEquals(records, after.transactions.size(), "the torn excerpt is gone, its records written again");
        assertEquals(1L, ids(after).get(0));
        assertEquals((long) records, ids(after).get(records - 1));
        assertEquals(-1, after.firstBrokenLink);
        try (Stream<Path> aside = Files.list(dir.resolve(JournalRepair.DAMAGED_DIRECTORY))) {
            assertEquals(1, aside.count(), "the torn excerpt's bytes are kept aside");
        }
    }

    @Test
    void shouldLeaveRecordsInTheRingWhileSuspendedAndWriteThemOnResume() {
        open();
        JournalWriterAgent writer = writer(JournalDictionary.inMemory());
        writer.recover();
        writer.drainAll();
        putRecord(1, 0);
        writer.suspend();
        assertEquals(0, writer.doWork());
        assertTrue(ring.occupancy() > 0);
        writer.resume();
        assertEquals(1, writer.doWork());
        assertEquals(0, ring.occupancy());
        assertTrue(writer.appending());
    }
}
