package io.gozargah.engine.journal;

import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Finding a queue chunk's mapping in /proc/self/maps, and mapping in the pages ahead of the appender (the
 * read-around advice itself: JournalWriterAgentTest).
 */
class QueueMappingAdviceTest {
    private static final List<String> MAPS = List.of(
            "garbage that is not a mapping",
            "7f0000000000-7f0004000000 rw-s 00000000 fd:00 1201 /var/lib/gozargah/journal/queue/20261128.cq4",
            "7f0004000000-7f0004100000 rw-p 00000000 00:00 0 ",
            "7f0008000000-7f0008010000 rw-s 00000000 fd:00 1202 /var/lib/gozargah/journal/queue/metadata.cq4t",
            "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]");

    @Test
    void shouldGiveTheWholeMappingOfTheCycleFileThatHoldsTheAddress() {
        assertArrayEquals(new long[] {0x7f0000000000L, 0x7f0004000000L},
                QueueMappingAdvice.mappingOf(MAPS, 0x7f0000000000L));
        assertArrayEquals(new long[] {0x7f0000000000L, 0x7f0004000000L},
                QueueMappingAdvice.mappingOf(MAPS, 0x7f0003ffffffL));
    }

    @Test
    void shouldGiveNothingForAnAddressOutsideEveryCycleFile() {
        assertNull(QueueMappingAdvice.mappingOf(MAPS, 0x7f0004000000L), "the end is not in the mapping; anonymous");
        assertNull(QueueMappingAdvice.mappingOf(MAPS, 0x7f0008000000L), "the queue's metadata is not a cycle file");
        assertNull(QueueMappingAdvice.mappingOf(MAPS, 0x1000L), "mapped by nothing");
        assertNull(QueueMappingAdvice.mappingOf(MAPS, 0xffffffffff600000L), "unsigned addresses compare as such");
        assertNull(QueueMappingAdvice.mappingOf(List.of(), 0x7f0000000000L));
    }

    @Test
    void shouldMapInThePagesAheadOfTheAppenderOnlyWhenAskedTo(@TempDir Path with, @TempDir Path without)
            throws IOException {
        assumeTrue(Files.isReadable(Path.of("/proc/self/smaps")), "resident pages are read from Linux's smaps");
        long populated = residentKibAfterOneExcerpt(with, QueueMappingAdvice.POPULATE_AHEAD);
        long faulted = residentKibAfterOneExcerpt(without, 0);
        assertTrue(populated >= QueueMappingAdvice.POPULATE_AHEAD / 1024,
                "the next " + QueueMappingAdvice.POPULATE_AHEAD / 1024 + " KiB are mapped in: " + populated + " KiB");
        assertTrue(faulted < QueueMappingAdvice.POPULATE_AHEAD / 1024 / 2,
                "without it only the pages written are: " + faulted + " KiB");
    }

    /** KiB of the cycle file mapped in (Rss) after one small excerpt and the advice that follows every append. */
    private static long residentKibAfterOneExcerpt(Path dir, long populateAhead) throws IOException {
        JournalQueue queue = JournalQueue.openForWrite(dir, LargeRollCycles.LARGE_DAILY,
                new JournalWriterAgent.WriterClock());
        try (ExcerptAppender appender = queue.appender()) {
            QueueMappingAdvice advice = new QueueMappingAdvice(populateAhead);
            try (DocumentContext dc = appender.writingDocument()) {
                dc.wire().bytes().write(new byte[128]);
            }
            advice.afterAppend(appender);
            return cycleFileRssKib(dir);
        } finally {
            queue.close();
        }
    }

    private static long cycleFileRssKib(Path dir) throws IOException {
        long kib = 0;
        boolean inCycleFile = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                inCycleFile = line.contains(dir.toString()) && line.endsWith(QueueMappingAdvice.CYCLE_FILE_SUFFIX);
            } else if (inCycleFile && line.startsWith("Rss:")) {
                kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return kib;
    }
}
