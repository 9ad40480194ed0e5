package io.gozargah.engine.journal;

import io.gozargah.codec.journal.DictionaryEntryFlyweight;
import io.gozargah.codec.journal.MethodCode;
import io.gozargah.codec.journal.RecordType;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import io.gozargah.engine.exchange.Outcome;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalReaderTest {
    @TempDir
    Path dir;

    /** Collects what a reader hands over, copying what the flyweights only lend. */
    static final class Collected implements JournalVisitor {
        final List<byte[]> records = new ArrayList<>();
        final List<Long> ordinals = new ArrayList<>();
        final List<String> contradictions = new ArrayList<>();
        int dictionaryEntries;

        @Override
        public void dictionaryEntry(JournalPosition position, DictionaryEntryFlyweight entry, String contradicts) {
            dictionaryEntries++;
            if (contradicts != null) {
                contradictions.add(contradicts);
            }
        }

        @Override
        public void transaction(JournalPosition position, TransactionRecordFlyweight record) {
            byte[] copy = new byte[record.length()];
            record.buffer().getBytes(record.offset(), copy);
            records.add(copy);
            ordinals.add(position.ordinal());
        }
    }

    @Test
    void shouldReadEveryFieldBackWithNamesFromTheDictionary() {
        byte[] requestHash = filled(32, 0x11);
        byte[] responseHash = filled(32, 0x22);
        try (SyntheticJournal journal = SyntheticJournal.create(dir)) {
            journal.transaction().consumer("اسنپ").service("nocr/identity").method(MethodCode.POST)
                    .outcome(Outcome.RATE_LIMITED, 429).id(0x0195L, 0x42L).durations(5_000, -1).bytes(10, 20)
                    .bodyHashes(requestHash, responseHash).append();
        }

        Collected collected = new Collected();
        try (JournalReader reader = JournalReader.open(dir)) {
            assertEquals(4, reader.readAvailable(collected));
            assertEquals(3, collected.dictionaryEntries);
            TransactionRecordFlyweight r = flyweight(collected.records.get(0));
            assertEquals("اسنپ", reader.names().name(DictionaryEntryFlyweight.KIND_CONSUMER, r.consumerId()));
            assertEquals("nocr/identity", reader.names().name(DictionaryEntryFlyweight.KIND_SERVICE, r.serviceId()));
            assertEquals("http://127.0.0.1:9201", reader.names().name(DictionaryEntryFlyweight.KIND_ENDPOINT, r.endpointId()));
            assertNull(reader.names().name(DictionaryEntryFlyweight.KIND_SERVICE, r.consumerId()), "ids are per kind");
            assertEquals(MethodCode.POST, r.methodCode());
            assertEquals(OutcomeCode.of(Outcome.RATE_LIMITED), r.outcomeCode());
            assertEquals(429, r.httpStatus());
            assertEquals(0x0195L, r.txIdMsb());
            assertEquals(0x42L, r.txIdLsb());
            assertEquals(5_000, r.totalDurationNanos());
            assertEquals(-1, r.upstreamDurationNanos());
            assertEquals(10, r.requestBytes());
            assertEquals(20, r.responseBytes());
            byte[] hash = new byte[32];
            r.getRequestBodySha256(hash, 0);
            assertArrayEquals(requestHash, hash);
            r.getResponseBodySha256(hash, 0);
            assertArrayEquals(responseHash, hash);
        }
    }

    @Test
    void shouldPickUpRecordsWrittenAfterItCaughtUp() {
        try (SyntheticJournal journal = SyntheticJournal.create(dir); JournalReader reader = openAfter(journal)) {
            Collected collected = new Collected();
            assertEquals(4, reader.readAvailable(collected));
            assertFalse(reader.readNext(collected));

            journal.transaction().start("2025-03-26T00:00:00Z").append();
            journal.transaction().start("2025-03-27T00:00:00Z").append();
            int[] caughtUp = {0};
            reader.follow(collected, NoOpIdleStrategy.INSTANCE, () -> ++caughtUp[0] < 2);

            assertEquals(3, collected.records.size());
            assertEquals(List.of(3L, 4L, 5L), collected.ordinals, "three dictionary entries come first");
            assertEquals(2, caughtUp[0]);
        }
    }

    @Test
    void shouldFollowIntoTheNextCycleFile() throws IOException {
        SetTimeProvider time = new SetTimeProvider(Instant.parse("2025-03-25T08:00:00Z").toEpochMilli() * 1_000_000L);
        try (SyntheticJournal journal = SyntheticJournal.create(dir, LargeRollCycles.LARGE_HOURLY, time)) {
            journal.transaction().append();
            try (JournalReader reader = JournalReader.open(dir)) {
                Collected collected = new Collected();
                reader.readAvailable(collected);

                time.advanceMillis(TimeUnit.HOURS.toMillis(2));
                journal.transaction().append();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                reader.follow(collected, new BackoffIdleStrategy(),
                        () -> collected.records.size() < 2 && System.nanoTime() < deadline);

                assertEquals(2, collected.records.size(), "followed into the next cycle");
            }
        }
        try (Stream<Path> files = Files.list(dir.resolve(JournalQueue.QUEUE_DIRECTORY))) {
            assertEquals(2, files.filter(f -> f.toString().endsWith(".cq4")).count());
        }
    }

    @Test
    void shouldStartAtTheLastCyclesAndNameFromTheirOwnDictionary() {
        SetTimeProvider time = new SetTimeProvider(Instant.parse("2025-03-25T08:00:00Z").toEpochMilli() * 1_000_000L);
        try (SyntheticJournal journal = SyntheticJournal.create(dir, LargeRollCycles.LARGE_HOURLY, time)) {
            for (int hour = 0; hour < 4; hour++) {
                if (hour > 0) {
                    time.advanceMillis(TimeUnit.HOURS.toMillis(hour == 3 ? 2 : 1)); // the 4th an hour later: a gap
                    // The writer starts every cycle file with the whole dictionary.
                    journal.dictionaryEntry(DictionaryEntryFlyweight.KIND_CONSUMER,
                            journal.nameId(DictionaryEntryFlyweight.KIND_CONSUMER, "snapp"), "snapp");
                }
                journal.transaction().consumer("snapp").append();
            }
        }
        try (JournalReader reader = JournalReader.open(dir)) {
            assertTrue(reader.startAtLastCycles(3), "the last three cycles: one has no file");
            ConsumerHistory history = new ConsumerHistory(reader.names(), "snapp", 10);
            reader.readAvailable(history);
            assertEquals(2, history.matches(), "the transactions of the two cycles with files among the last three");
        }
        try (JournalReader reader = JournalReader.open(dir)) {
            assertTrue(reader.startAtLastCycles(100));
            ConsumerHistory history = new ConsumerHistory(reader.names(), "snapp", 10);
            reader.readAvailable(history);
            assertEquals(4, history.matches(), "more cycles than the journal has: all of it");
        }
    }

    @Test
    void shouldSkipExcerptsOfRecordTypesItDoesNotKnow() {
        try (SyntheticJournal journal = SyntheticJournal.create(dir)) {
            journal.append(99, new byte[]{1, 2, 3}, 0, 3);
            journal.transaction().append();
        }
        Collected collected = new Collected();
        try (JournalReader reader = JournalReader.open(dir)) {
            reader.readAvailable(collected);
            assertEquals(1, reader.skipped());
        }
        assertEquals(1, collected.records.size());
    }

    @Test
    void shouldReportATruncatedExcerptWithItsPosition() {
        byte[] whole = validRecord();
        try (SyntheticJournal journal = SyntheticJournal.create(dir)) {
            journal.append(RecordType.TRANSACTION, whole, 0, 60);
        }
        JournalException e = readAll();
        assertTrue(e.getMessage().contains("truncated excerpt"), e.getMessage());
        assertEquals(0, e.position().ordinal());
    }

    @Test
    void shouldRefuseBytesAfterARecordSinceTheChainDoesNotCoverThem() {
        byte[] longer = Arrays.copyOf(validRecord(), TransactionRecordFlyweight.LENGTH_WITHOUT_BODY_HASHES + 8);
        try (SyntheticJournal journal = SyntheticJournal.create(dir)) {
            journal.append(RecordType.TRANSACTION, longer, 0, longer.length);
        }
        assertTrue(readAll().getMessage().contains("excerpt too long"));
    }

    @Test
    void shouldNameAnUnknownSchemaVersion() {
        byte[] record = validRecord();
        record[TransactionRecordFlyweight.SCHEMA_VERSION_OFFSET] = 9;
        try (SyntheticJournal journal = SyntheticJournal.create(dir)) {
            journal.append(RecordType.TRANSACTION, record, 0, record.length);
        }
        JournalException e = readAll();
        assertTrue(e.getMessage().contains("schema version 9 is not supported"), e.getMessage());
    }

    @Test
    void shouldReadABatchRecordByRecordWithEachOnesPlaceInIt() {
        try (SyntheticJournal journal = SyntheticJournal.create(dir).batched(8)) {
            for (long n = 1; n <= 10; n++) {
                journal.transaction().id(0x0195L, n).append();
            }
        }
        List<String> positions = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        try (JournalReader reader = JournalReader.open(dir)) {
            reader.readAvailable(new JournalVisitor() {
                @Override
                public void transaction(JournalPosition position, TransactionRecordFlyweight record) {
                    positions.add(position.sequence() + "/" + position.record());
                    ids.add(record.txIdLsb());
                }
            });
        }
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L), ids);
        assertEquals(List.of("3/0", "3/1", "3/2", "3/3", "3/4", "3/5", "3/6", "3/7", "4/0", "4/1"), positions,
                "three dictionary excerpts, a batch of 8, then the 2 left at close");
    }

    @Test
    void shouldNameTheRecordOfABatchInItsPosition() {
        byte[] bad = validRecord();
        bad[TransactionRecordFlyweight.SCHEMA_VERSION_OFFSET] = 9;
        writeBatch(2, validRecord(), bad);
        JournalException e = readAll();
        assertTrue(e.getMessage().contains("schema version 9 is not supported"), e.getMessage());
        assertEquals(1, e.position().record());
        assertTrue(e.getMessage().contains("#0 batch record 1,"), e.getMessage());
    }

    @Test
    void shouldRefuseABatchThatSaysMoreRecordsThanItHolds() {
        writeBatch(3, validRecord(), validRecord());
        JournalException e = readAll();
        assertTrue(e.getMessage().contains("truncated excerpt: its batch says 3 transaction records"), e.getMessage());
        assertEquals(2, e.position().record());
    }

    @Test
    void shouldRefuseABatchWithBytesAfterItsRecords() {
        writeBatch(1, validRecord(), new byte[8]);
        JournalException e = readAll();
        assertTrue(e.getMessage().contains("excerpt too long: 8 bytes after the 1 transaction records"),
                e.getMessage());
    }

    @Test
    void shouldRefuseABatchCutInsideARecord() {
        writeBatch(1, Arrays.copyOf(validRecord(), 100));
        assertTrue(readAll().getMessage().contains("end inside record 0"));
    }

    @Test
    void shouldRefuseAnEmptyBatchAndOneTooShortForItsCount() {
        writeBatch(0);
        assertTrue(readAll().getMessage().contains("batch of 0 transaction records"));
        Path other = dir.resolve("short");
        try (SyntheticJournal journal = SyntheticJournal.create(other)) {
            journal.append(RecordType.TRANSACTION_BATCH, new byte[2], 0, 2);
        }
        try (JournalReader reader = JournalReader.open(other)) {
            JournalException e = assertThrows(JournalException.class, () -> reader.readAvailable(new Collected()));
            assertTrue(e.getMessage().contains("too short for a batch's count"), e.getMessage());
        }
    }

    /** One raw TRANSACTION_BATCH excerpt: {@code count} as given, then {@code parts} back to back. */
    private void writeBatch(int count, byte[]... parts) {
        int length = 4 + Arrays.stream(parts).mapToInt(b -> b.length).sum();
        UnsafeBuffer body = new UnsafeBuffer(new byte[length]);
        body.putInt(0, count, ByteOrder.LITTLE_ENDIAN);
        int at = 4;
        for (byte[] part : parts) {
            body.putBytes(at, part);
            at += part.length;
        }
        try (SyntheticJournal journal = SyntheticJournal.create(dir)) {
            journal.append(RecordType.TRANSACTION_BATCH, body.byteArray(), 0, length);
        }
    }

    @Test
    void shouldReportContradictingDictionaryEntries() {
        try (SyntheticJournal journal = SyntheticJournal.create(dir)) {
            journal.dictionaryEntry(DictionaryEntryFlyweight.KIND_CONSUMER, 1, "snapp");
            journal.dictionaryEntry(DictionaryEntryFlyweight.KIND_CONSUMER, 1, "snapp");
            journal.dictionaryEntry(DictionaryEntryFlyweight.KIND_CONSUMER, 1, "tapsi");
        }
        Collected collected = new Collected();
        try (JournalReader reader = JournalReader.open(dir)) {
            reader.readAvailable(collected);
        }
        assertEquals(List.of("consumer snapp"), collected.contradictions);
    }

    @Test
    void shouldSayWhatIsMissingWhenThereIsNoJournal() throws IOException {
        JournalException missing = assertThrows(JournalException.class, () -> JournalReader.open(dir.resolve("nope")));
        assertTrue(missing.getMessage().contains("no such directory"), missing.getMessage());

        JournalException noQueue = assertThrows(JournalException.class, () -> JournalReader.open(dir));
        assertTrue(noQueue.getMessage().contains("has no queue folder"), noQueue.getMessage());

        Files.createDirectories(dir.resolve(JournalQueue.QUEUE_DIRECTORY));
        JournalException empty = assertThrows(JournalException.class, () -> JournalReader.open(dir));
        assertTrue(empty.getMessage().contains("is empty"), empty.getMessage());
    }

    private JournalReader openAfter(SyntheticJournal journal) {
        journal.transaction().append();
        return JournalReader.open(dir);
    }

    private JournalException readAll() {
        try (JournalReader reader = JournalReader.open(dir)) {
            return assertThrows(JournalException.class, () -> reader.readAvailable(new Collected()));
        }
    }

    /** A sealed record's bytes, made in a scratch journal. */
    private static byte[] validRecord() {
        byte[] bytes = new byte[TransactionRecordFlyweight.LENGTH_WITHOUT_BODY_HASHES];
        new TransactionRecordFlyweight().wrapForWrite(new UnsafeBuffer(bytes), 0, false)
                .httpStatus(200).txId(1, 2);
        new JournalChain().seal(bytes, 0, bytes.length);
        return bytes;
    }

    static TransactionRecordFlyweight flyweight(byte[] bytes) {
        return new TransactionRecordFlyweight().wrapForRead(new UnsafeBuffer(bytes), 0);
    }

    private static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }
}
