package io.gozargah.engine.journal;

import net.openhft.chronicle.queue.RollCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.function.LongSupplier;

/**
 * Removes closed cycle files past {@code journal.retainDays}, or moves them to {@code journal.archiveDir}. A cycle
 * file is past it when its cycle ended more than that many days ago; the cycle is read from the file's name,
 * which Chronicle derives from the roll cycle's format (UTC). The current cycle is never touched. Runs on its own
 * thread, never on an event loop or the writer; an archived file can be read by putting it in a
 * {@code queue/} folder of its own (see {@link JournalQueue}).
 */
final class JournalRetention implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(JournalRetention.class);
    private static final String SUFFIX = ".cq4";
    private static final long DAY_MILLIS = 86_400_000L;

    private final Path queueDir;
    private final RollCycle rollCycle;
    private final DateTimeFormatter names;
    private final long retainMillis;
    private final Path archiveDir;
    private final JournalCounters counters;
    private final LongSupplier clock;
    private final Runnable afterChange;

    JournalRetention(Path queueDir, RollCycle rollCycle, int retainDays, Path archiveDir, JournalCounters counters,
                     LongSupplier clock, Runnable afterChange) {
        this.queueDir = queueDir;
        this.rollCycle = rollCycle;
        this.names = new DateTimeFormatterBuilder().appendPattern(rollCycle.format())
                .parseDefaulting(ChronoField.HOUR_OF_DAY, 0)
                .toFormatter()
                .withZone(ZoneOffset.UTC);
        this.retainMillis = retainDays * DAY_MILLIS;
        this.archiveDir = archiveDir;
        this.counters = counters;
        this.clock = clock;
        this.afterChange = afterChange;
    }

    @Override
    public void run() {
        try {
            sweep();
        } catch (IOException | RuntimeException e) {
            log.error("journal retention failed in {} (tried again later)", queueDir, e);
        }
    }

    /** One pass; returns how many files it removed or moved. */
    int sweep() throws IOException {
        long now = clock.getAsLong();
        int retired = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(queueDir, "*" + SUFFIX)) {
            for (Path file : files) {
                long start = cycleStartMillis(file.getFileName().toString());
                if (start < 0) {
                    continue;
                }
                long end = start + rollCycle.lengthInMillis();
                if (end > now || now - end <= retainMillis) {
                    continue; // the current cycle, or one still within retention
                }
                if (archiveDir != null) {
                    Files.createDirectories(archiveDir);
                    Files.move(file, archiveDir.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    log.info("journal retention: archived {} to {}", file.getFileName(), archiveDir);
                } else {
                    Files.delete(file);
                    log.info("journal retention: removed {}", file.getFileName());
                }
                retired++;
            }
        }
        if (retired > 0) {
            counters.retiredFiles.addAndGet(retired);
            afterChange.run();
        }
        return retired;
    }

    /** The start of the cycle a file name stands for (epoch millis), or -1 for a name that is not a cycle's. */
    long cycleStartMillis(String fileName) {
        if (!fileName.endsWith(SUFFIX)) {
            return -1;
        }
        String stem = fileName.substring(0, fileName.length() - SUFFIX.length());
        try {
            return LocalDateTime.parse(stem, names).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException e) {
            return -1;
        }
    }
}
