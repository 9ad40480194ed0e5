package io.gozargah.engine.journal;

import io.gozargah.codec.journal.DictionaryEntryFlyweight;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import io.gozargah.engine.config.JournalConfig;
import net.openhft.chronicle.queue.RollCycle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cutting a torn tail off a queue, and leaving everything else alone. */
class JournalRepairTest {
    @TempDir
    Path dir;

    /**
     * The data excerpt sequence of the third batch: the first transaction's three dictionary entries (consumer,
     * service, endpoint) come before the batches.
     */
    private static final long THIRD_BATCH = 5;

    /** A journal of 3 batches of 8 transactions (ids 1..24), then, if asked, a new name and one more transaction. */
    private void write(boolean dictionaryAfter) {
        try (SyntheticJournal j = SyntheticJournal.create(dir).batched(8)) {
            for (int i = 1; i <= 24; i++) {
                j.transaction().id(0x0195L, i).append();
            }
            if (dictionaryAfter) {
                j.transaction().id(0x0195L, 25).consumer("tapsi").append(); // tapsi's entry, then a batch of one
            }
        }
    }

    /** Zeroes the last {@code zeros} bytes of the data excerpt with {@code sequence} in the cycle file, as a cut write. */
    private byte[] tear(long sequence, int zeros) throws IOException {
        Path file = cycleFile();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long at = JournalRepair.findData(channel, sequence);
            ByteBuffer header = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(header, at);
            int length = header.getInt(0) & JournalRepair.LENGTH_MASK;
            ByteBuffer before = ByteBuffer.allocate(4 + length);
            channel.read(before, at);
            channel.write(ByteBuffer.allocate(zeros), at + 4 + length - zeros);
            return before.array();
        }
    }

    private Path cycleFile() throws IOException {
        try (var files = Files.list(dir.resolve(JournalQueue.QUEUE_DIRECTORY))) {
            return files.filter(f -> f.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
    }

    private List<String> repair(boolean dryRun) {
        List<String> said = new ArrayList<>();
        JournalRepair.repairTail(dir, dryRun, said::add);
        return said;
    }

    @Test
    void shouldVoidATornLastBatchKeepItsBytesAsideAndLeaveAJournalThatVerifies() throws IOException {
        write(false);
        byte[] original = tear(THIRD_BATCH, 100); // the third batch: its last record and part of the one before
        assertTrue(verify().failed());

        List<String> dry = repair(true);
        assertEquals(1, dry.size());
        assertTrue(dry.get(0).startsWith("would void the damaged excerpt at index 0x"), dry.get(0));
        assertTrue(verify().failed(), "a dry run changes nothing");
        assertFalse(Files.exists(dir.resolve(JournalRepair.DAMAGED_DIRECTORY)));

        List<String> said = repair(false);
        assertEquals(1, said.size(), said.toString());
        assertTrue(said.get(0).contains("chain hash mismatch"), said.get(0));
        Verified verified = verify();
        assertFalse(verified.failed(), verified.problem());
        assertEquals(16, verified.transactions(), "the two whole batches");
        try (var aside = Files.list(dir.resolve(JournalRepair.DAMAGED_DIRECTORY))) {
            Path copy = aside.findFirst().orElseThrow();
            byte[] kept = Files.readAllBytes(copy);
            assertEquals(original.length, kept.length);
            assertArrayEquals(Arrays.copyOfRange(original, 4, original.length - 100),
                    Arrays.copyOfRange(kept, 4, kept.length - 100), "the torn excerpt's bytes, as they were");
        }
        assertTrue(repair(false).isEmpty(), "a whole tail: nothing more to do");
    }

    @Test
    void shouldLookPastTheDictionaryAStartWroteAfterATornBatch() throws IOException {
        write(false);
        tear(THIRD_BATCH, 40);
        try (SyntheticJournal j = SyntheticJournal.create(dir)) {
            // what a start that failed on the torn batch journaled after it
            j.dictionaryEntry(DictionaryEntryFlyweight.KIND_CONSUMER, 1, "snapp");
            j.dictionaryEntry(DictionaryEntryFlyweight.KIND_SERVICE, 2, "nocr/identity");
        }
        assertEquals(1, repair(false).size(), "the torn batch before the dictionary entries is cut off");
        Verified verified = verify();
        assertFalse(verified.failed(), verified.problem());
        assertEquals(16, verified.transactions());
    }

    @Test
    void shouldLeaveATornExcerptAloneOnceAWholeOneFollowsIt() throws IOException {
        write(true);
        tear(THIRD_BATCH, 40); // the third batch of 8, then the dictionary entry and the batch of one are whole
        assertTrue(repair(false).isEmpty(), "not a tail: for verify to report");
        assertTrue(verify().failed());
    }

    @Test
    void shouldNeverCutOffARecordThatWasAlteredRatherThanTorn() throws IOException {
        write(false);
        Path file = cycleFile();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long at = JournalRepair.findData(channel, THIRD_BATCH);
            channel.write(ByteBuffer.wrap(new byte[] {9}), at + 4 + JournalExcerpt.BATCH_RECORDS_OFFSET
                    + TransactionRecordFlyweight.HTTP_STATUS_OFFSET);
        }
        assertTrue(verify().failed());
        assertTrue(repair(false).isEmpty(), "an altered record is evidence for verify, not a tail to repair");
        assertTrue(verify().failed());
    }

    @Test
    void shouldRefuseARepairWhileAGatewayHoldsTheJournal() {
        write(false);
        Journal journal = Journal.start(new JournalConfig(true, dir, "LARGE_DAILY", 64 * 1024,
                0, null), 1);
        try {
            JournalException e = assertThrows(JournalException.class,
                    () -> JournalRepair.repairStopped(dir, false, line -> { }));
            assertTrue(e.getMessage().contains("in use by another gateway"), e.getMessage());
        } finally {
            journal.close();
        }
        assertTrue(JournalRepair.repairStopped(dir, false, line -> { }).isEmpty());
    }

    @Test
    void shouldNameCycleFilesAsChronicleDoes() throws IOException {
        write(false);
        try (JournalQueue queue = JournalQueue.openForRead(dir)) {
            RollCycle rollCycle = queue.rollCycle();
            int cycle = rollCycle.toCycle(queue.chronicle().lastIndex());
            assertEquals(cycleFile(), JournalRepair.cycleFile(dir.resolve(JournalQueue.QUEUE_DIRECTORY), rollCycle, cycle));
        }
    }

    /** Whether the journal verifies, and how many transaction records it read. */
    private record Verified(boolean failed, long transactions, String problem) {
    }

    private Verified verify() {
        try (JournalReader reader = JournalReader.open(dir)) {
            JournalVerifier verifier = new JournalVerifier(reader.names(), false);
            try {
                reader.readAvailable(verifier);
            } catch (JournalException e) {
                return new Verified(true, verifier.transactions(), e.getMessage());
            }
            return new Verified(verifier.failed(), verifier.transactions(), String.valueOf(verifier.problem()));
        }
    }
}
