package io.gozargah.engine.journal;

import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Retention over cycle files named as Chronicle names them, with a clock the test sets. */
class JournalRetentionTest {
    @TempDir
    Path dir;

    private final JournalCounters counters = new JournalCounters();
    private final AtomicInteger refreshed = new AtomicInteger();

    private static long at(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    private Path file(String name) throws Exception {
        return Files.createFile(dir.resolve("queue").resolve(name));
    }

    @Test
    void shouldRemoveDailyCyclesThatEndedMoreThanRetainDaysAgo() throws Exception {
        Files.createDirectories(dir.resolve("queue"));
        Path old = file("20261101L.cq4");
        Path edge = file("20261118L.cq4");
        Path kept = file("20261120L.cq4");
        Path today = file("20261127L.cq4");
        Path metadata = file("metadata.cq4t");
        Path stranger = file("notes.cq4");
        JournalRetention retention = new JournalRetention(dir.resolve("queue"), LargeRollCycles.LARGE_DAILY, 8, null,
                counters, () -> at("2026-11-27T00:00:01Z"), refreshed::incrementAndGet);

        assertEquals(2, retention.sweep());

        assertFalse(Files.exists(old));
        assertFalse(Files.exists(edge), "its cycle ended 8 days and 1 second ago");
        assertTrue(Files.exists(kept));
        assertTrue(Files.exists(today), "the current cycle is never touched");
        assertTrue(Files.exists(metadata));
        assertTrue(Files.exists(stranger), "a name that is not a cycle's is left alone");
        assertEquals(2, counters.retiredFiles());
        assertEquals(1, refreshed.get(), "the queue is told its files changed");
        assertEquals(0, retention.sweep(), "nothing more to do");
    }

    @Test
    void shouldMoveHourlyCyclesToTheArchive() throws Exception {
        Files.createDirectories(dir.resolve("queue"));
        Path old = file("20261125-07F.cq4");
        Path kept = file("20261126-23F.cq4");
        Path archive = dir.resolve("archive");
        JournalRetention retention = new JournalRetention(dir.resolve("queue"), RollCycles.FAST_HOURLY,
                1, archive, counters, () -> at("2026-11-27T10:30:00Z"), refreshed::incrementAndGet);

        assertEquals(at("2026-11-25T07:00:00Z"), retention.cycleStartMillis("20261125-07F.cq4"));
        assertEquals(1, retention.sweep());

        assertFalse(Files.exists(old));
        assertTrue(Files.exists(archive.resolve("20261125-07F.cq4")));
        assertTrue(Files.exists(kept), "ended at 2026-11-27T00:00Z, less than a day ago");
    }
}
