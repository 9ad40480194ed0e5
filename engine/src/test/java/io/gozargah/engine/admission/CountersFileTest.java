package io.gozargah.engine.admission;

import io.gozargah.engine.calendar.BillingCalendar;
import io.gozargah.engine.testing.TmpfsMount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The counters file's layout upgrade, and what a full disk does to it: nothing, whatever the moment. */
class CountersFileTest {
    private static final int SLOTS = 64;

    @TempDir
    Path dir;

    private static CountersFile open(Path file) throws IOException {
        return CountersFile.open(file, SLOTS, BillingCalendar.persian(), 0);
    }

    private static void putVersion(Path file, int version) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, version),
                    CountersFile.VERSION_OFFSET);
        }
    }

    @Test
    void shouldUpgradeALayout1FileInPlaceKeepingItsCounts() throws IOException {
        Path file = dir.resolve("counters.dat");
        try (CountersFile counters = open(file)) {
            int record = counters.record(CountersFile.Kind.GRANT, "snapp nocr/identity", 0);
            counters.buffer().putLong(record + CountersFile.RATE_LIMITED_OFFSET, 7);
        }
        putVersion(file, CountersFile.VERSION_1);

        try (CountersFile counters = open(file)) {
            int record = counters.record(CountersFile.Kind.GRANT, "snapp nocr/identity", 0);
            assertEquals(7, counters.buffer().getLong(record + CountersFile.RATE_LIMITED_OFFSET));
            assertEquals(0, counters.buffer().getLong(record + CountersFile.JOURNAL_UNAVAILABLE_OFFSET));
            assertEquals(CountersFile.VERSION, counters.buffer().getInt(CountersFile.VERSION_OFFSET));
        }
        assertEquals(1, CountersReader.open(file).read().size());
    }

    @Test
    void shouldRefuseALayout1FileWithANameLayout2CannotHoldAndLeaveItAsItWas() throws IOException {
        Path file = dir.resolve("counters.dat");
        String longName = "c".repeat(100) + " " + "p/" + "s".repeat(CountersFile.MAX_NAME_BYTES - 100);
        try (CountersFile counters = open(file)) {
            counters.record(CountersFile.Kind.GRANT, "snapp nocr/identity", 0);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            // what layout 1 allowed: a name up to the end of the record
            channel.write(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, longName.length()),
                    CountersFile.HEADER_LENGTH + CountersFile.NAME_LENGTH_OFFSET);
        }
        putVersion(file, CountersFile.VERSION_1);
        byte[] before = Files.readAllBytes(file);

        IOException e = assertThrows(IOException.class, () -> open(file));
        assertTrue(e.getMessage().contains("more than layout 2 holds") && e.getMessage().contains("left as it was"),
                e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    @Test
    void shouldRefuseToCreateOnAFullDiskAndBeginAfreshFromWhatThatLeft() throws Exception {
        try (TmpfsMount disk = TmpfsMount.mount(dir.resolve("fs"), "4m")) {
            Path file = disk.dir().resolve("counters.dat");
            disk.fill();
            IOException e = assertThrows(IOException.class, () -> open(file));
            assertTrue(e.getMessage().contains("cannot reserve its") && e.getMessage().contains("begun afresh"),
                    e.getMessage());

            disk.free();
            try (CountersFile counters = open(file)) {
                counters.record(CountersFile.Kind.GRANT, "snapp nocr/identity", 0);
            }
            assertEquals(1, CountersReader.open(file).read().size(), "a counters file, begun afresh");
        }
    }

    @Test
    void shouldCountOnAFullDiskIntoAFileItReservedAndRefuseASparseOneLeavingItAsItWas() throws Exception {
        try (TmpfsMount disk = TmpfsMount.mount(dir.resolve("fs"), "4m")) {
            Path file = disk.dir().resolve("counters.dat");
            try (CountersFile counters = open(file)) {
                counters.record(CountersFile.Kind.GRANT, "snapp nocr/identity", 0);
            }
            // What an earlier version made: the header written, the records' pages never touched (holes).
            Path sparse = disk.dir().resolve("sparse.dat");
            byte[] header = new byte[CountersFile.HEADER_LENGTH];
            try (FileChannel channel = FileChannel.open(file)) {
                channel.read(ByteBuffer.wrap(header), 0);
            }
            Files.write(sparse, header);
            try (RandomAccessFile raf = new RandomAccessFile(sparse.toFile(), "rw")) {
                raf.setLength(Files.size(file));
            }
            disk.fill();

            try (CountersFile counters = open(file)) {
                int record = counters.record(CountersFile.Kind.GRANT, "tapsi post/address", 0);
                for (int page = 0; page < SLOTS; page++) {
                    counters.buffer().getAndAddLong(record + CountersFile.OVERLOADED_OFFSET, 1);
                }
                assertEquals(SLOTS, counters.buffer().getLong(record + CountersFile.OVERLOADED_OFFSET),
                        "every page of a reserved file has its block: writes cannot fault");
            }
            byte[] before = Files.readAllBytes(sparse);
            IOException e = assertThrows(IOException.class, () -> open(sparse));
            assertTrue(e.getMessage().contains("cannot reserve its") && e.getMessage().contains("left as it was"),
                    e.getMessage());
            assertArrayEquals(before, Files.readAllBytes(sparse));
        }
    }
}
