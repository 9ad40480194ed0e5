package io.gozargah.engine.journal;

import io.gozargah.codec.journal.DictionaryEntryFlyweight;
import io.gozargah.codec.journal.RecordType;
import io.gozargah.codec.journal.RefusalSummaryFlyweight;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import io.gozargah.engine.exchange.Outcome;
import io.gozargah.engine.exchange.TransactionIds;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every case runs on a journal framed both ways: one transaction per excerpt (journals written before batches)
 * and batches of up to 8 (as the writer frames them now; a tampered copy is framed the same way).
 */
@ParameterizedClass
@ValueSource(ints = {1, 8})
class JournalVerifierTest {
    /** Transactions in the journal under test; ids' low bits are 1..COUNT. */
    private static final int COUNT = 20;
    private static final long MSB = 0x0195_b3c2_8f1e_7abcL;

    @TempDir
    Path dir;

    @Parameter
    int batch;

    private Path journal;

    @BeforeEach
    void writeJournal() {
        journal = dir.resolve("journal");
        try (SyntheticJournal j = SyntheticJournal.create(journal).batched(batch)) {
            String[] consumers = {"snapp", "tapsi", "medu"};
            String[] services = {"nocr/identity", "post/address", "sms/send"};
            for (int i = 1; i <= COUNT; i++) {
                j.transaction().consumer(consumers[i % 3]).service(services[i % 3]).id(MSB, lsb(i)).append();
            }
        }
    }

    @Test
    void shouldFindAnIntactJournalIntact() {
        JournalVerifier verifier = verify(journal, false);
        assertNull(verifier.problem());
        assertEquals(COUNT, verifier.transactions());
        assertEquals(7, verifier.dictionaryEntries(), "three consumers, three services, one endpoint");
    }

    @Test
    void shouldDetectAByteFlippedInTheCycleFile() throws IOException {
        // Response bytes of transaction 7, changed where the queue keeps it on disk.
        flipByteInCycleFile(lsb(7), TransactionRecordFlyweight.RESPONSE_BYTES_OFFSET);

        JournalVerifier verifier = verify(journal, false);
        assertBrokenAt(verifier, 7);
        assertTrue(verifier.problem().what().contains("chain hash mismatch"), verifier.problem().what());
        assertEquals(1, verifier.problems(), "the chain resumes after the altered record");
    }

    @Test
    void shouldDetectAFlippedByteInTheChainHashItself() throws IOException {
        flipByteInCycleFile(lsb(3), TransactionRecordFlyweight.chainHashOffset(false) + 5);
        assertBrokenAt(verify(journal, false), 3);
    }

    @Test
    void shouldDetectADeletedRecordAtTheOneAfterIt() {
        List<SyntheticJournal.Excerpt> excerpts = SyntheticJournal.excerpts(journal);
        excerpts.remove(transactionExcerpt(excerpts, 10));
        Path copy = dir.resolve("deleted");
        SyntheticJournal.write(copy, excerpts, batch);

        JournalVerifier verifier = verify(copy, false);
        assertBrokenAt(verifier, 11);
        assertEquals(1, verifier.problems());
        assertEquals(COUNT - 1, verifier.transactions());
    }

    @Test
    void shouldDetectASwappedPair() {
        List<SyntheticJournal.Excerpt> excerpts = SyntheticJournal.excerpts(journal);
        Collections.swap(excerpts, transactionExcerpt(excerpts, 15), transactionExcerpt(excerpts, 16));
        Path copy = dir.resolve("swapped");
        SyntheticJournal.write(copy, excerpts, batch);

        JournalVerifier verifier = verify(copy, false);
        assertBrokenAt(verifier, 16);
    }

    @Test
    void shouldDetectTheFirstRecordRemovedUnlessVerifyingAfterRetention() {
        List<SyntheticJournal.Excerpt> excerpts = SyntheticJournal.excerpts(journal);
        excerpts.remove(transactionExcerpt(excerpts, 1));
        Path copy = dir.resolve("first-removed");
        SyntheticJournal.write(copy, excerpts, batch);

        JournalVerifier strict = verify(copy, false);
        assertBrokenAt(strict, 2);
        assertTrue(strict.problem().what().contains("--after-retention"), strict.problem().what());
        assertNull(verify(copy, true).problem(), "anchored at its first record, the rest of the chain holds");
    }

    @Test
    void shouldDetectAnIdUsedBeforeItIsDefined() {
        List<SyntheticJournal.Excerpt> excerpts = SyntheticJournal.excerpts(journal);
        excerpts.removeIf(e -> e.type() == RecordType.DICTIONARY && name(e).equals("tapsi"));
        Path copy = dir.resolve("undefined");
        SyntheticJournal.write(copy, excerpts, batch);

        JournalVerifier verifier = verify(copy, false);
        assertBrokenAt(verifier, 1);
        assertTrue(verifier.problem().what().contains("consumer id 1 is used before the journal defines it"),
                verifier.problem().what());
    }

    @Test
    void shouldDetectANameChangedInARepeatedDictionaryEntry() {
        try (SyntheticJournal j = SyntheticJournal.create(dir.resolve("renamed")).batched(batch)) {
            int snapp = j.nameId(DictionaryEntryFlyweight.KIND_CONSUMER, "snapp");
            j.transaction().append();
            j.dictionaryEntry(DictionaryEntryFlyweight.KIND_CONSUMER, snapp, "not-snapp");
        }
        JournalVerifier verifier = verify(dir.resolve("renamed"), false);
        assertFalse(verifier.problem() == null);
        assertTrue(verifier.problem().what().contains("was defined as consumer snapp and is now defined as consumer"
                + " not-snapp"), verifier.problem().what());
    }

    @Test
    void shouldChainRefusalSummariesWithTheTransactionsAndDetectOneAltered() {
        Path withSummary = dir.resolve("summary");
        try (SyntheticJournal j = SyntheticJournal.create(withSummary).batched(batch)) {
            for (int i = 1; i <= 3; i++) {
                j.transaction().id(MSB, lsb(i)).append();
            }
            j.summary("snapp", "nocr/identity", Outcome.JOURNAL_UNAVAILABLE, 503, 40,
                    Instant.parse("2025-03-25T08:31:00Z"), MSB + 1, lsb(100));
            for (int i = 4; i <= 6; i++) {
                j.transaction().id(MSB, lsb(i)).append();
            }
        }
        JournalVerifier intact = verify(withSummary, false);
        assertNull(intact.problem());
        assertEquals(6, intact.transactions());
        assertEquals(1, intact.summaries());
        assertEquals(40, intact.summarized());

        List<SyntheticJournal.Excerpt> excerpts = SyntheticJournal.excerpts(withSummary);
        int at = 0;
        while (excerpts.get(at).type() != RecordType.REFUSAL_SUMMARY) {
            at++;
        }
        byte[] edited = excerpts.get(at).bytes().clone();
        edited[RefusalSummaryFlyweight.COUNT_OFFSET] = 4; // 40 refusals become 4
        excerpts.set(at, new SyntheticJournal.Excerpt(RecordType.REFUSAL_SUMMARY, edited));
        Path altered = dir.resolve("summary-altered");
        SyntheticJournal.write(altered, excerpts, batch);
        JournalVerifier verifier = verify(altered, false);
        assertTrue(verifier.failed());
        assertTrue(verifier.problem().what().startsWith("refusal summary: chain hash mismatch"), verifier.problem().what());
        assertEquals(1, verifier.problems());

        excerpts.remove(at);
        Path removed = dir.resolve("summary-removed");
        SyntheticJournal.write(removed, excerpts, batch);
        assertBrokenAt(verify(removed, false), 4);
    }

    private static JournalVerifier verify(Path dir, boolean afterRetention) {
        try (JournalReader reader = JournalReader.open(dir)) {
            JournalVerifier verifier = new JournalVerifier(reader.names(), afterRetention);
            reader.readAvailable(verifier);
            return verifier;
        }
    }

    private static void assertBrokenAt(JournalVerifier verifier, int transaction) {
        assertTrue(verifier.failed(), "not detected");
        assertEquals(TransactionIds.toText(MSB, lsb(transaction)), verifier.problem().transactionId(),
                verifier.problem().toString());
    }

    private static long lsb(int n) {
        return 0x8000_0000_0000_0000L | n;
    }

    /** Index in {@code excerpts} of the transaction whose id ends in {@code n}. */
    private static int transactionExcerpt(List<SyntheticJournal.Excerpt> excerpts, int n) {
        for (int i = 0; i < excerpts.size(); i++) {
            SyntheticJournal.Excerpt e = excerpts.get(i);
            if (e.type() == RecordType.TRANSACTION && JournalReaderTest.flyweight(e.bytes()).txIdLsb() == lsb(n)) {
                return i;
            }
        }
        throw new AssertionError("no transaction " + n);
    }

    private static String name(SyntheticJournal.Excerpt e) {
        return new DictionaryEntryFlyweight().wrapForRead(new UnsafeBuffer(e.bytes()), 0).name();
    }

    /**
     * Finds the record of the transaction whose id is {@code (MSB, lsb)} in the queue's cycle file, by its id's
     * 16 bytes, and flips one bit of the byte at {@code recordOffset} of that record, in place on disk.
     */
    private void flipByteInCycleFile(long lsb, int recordOffset) throws IOException {
        List<Path> cycles;
        try (Stream<Path> files = Files.list(journal.resolve(JournalQueue.QUEUE_DIRECTORY))) {
            cycles = files.filter(f -> f.toString().endsWith(".cq4")).toList();
        }
        assertEquals(1, cycles.size(), cycles.toString());
        try (FileChannel channel = FileChannel.open(cycles.get(0), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer file = channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size());
            file.order(ByteOrder.LITTLE_ENDIAN);
            List<Integer> found = new ArrayList<>();
            for (int at = 0; at + 16 <= file.limit(); at += 4) {
                if (file.getLong(at) == MSB && file.getLong(at + 8) == lsb) {
                    found.add(at);
                }
            }
            assertEquals(1, found.size(), "the id occurs once");
            int target = found.get(0) - TransactionRecordFlyweight.TX_ID_MSB_OFFSET + recordOffset;
            file.put(target, (byte) (file.get(target) ^ 0x01));
            file.force();
        }
    }
}
