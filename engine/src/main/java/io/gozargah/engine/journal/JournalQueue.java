package io.gozargah.engine.journal;

import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The journal's Chronicle Queue: where it lives in a journal directory and how it is opened, by the one writer
 * or by any number of readers, on a live or a stopped journal. Everything that reads or writes a journal goes
 * through here, so the layout is decided in one place.
 *
 * <h2>Journal directory</h2>
 * <pre>
 *   DIR/queue/          the Chronicle Queue: one *.cq4 file per roll cycle, and metadata.cq4t
 *   DIR/ring            the memory-mapped ring buffer in front of the writer (writer side only)
 *   DIR/dictionary      the names' ids, so they stay stable across restarts (writer side only)
 *   DIR/lock            locked by the gateway writing the journal (writer side only)
 * </pre>
 * Readers need only {@code DIR/queue}; an archived cycle file is readable when put in a {@code queue/} folder
 * of its own.
 *
 * <h2>Excerpts</h2>
 * Laid out by {@link JournalExcerpt}: the {@link io.gozargah.codec.journal.RecordType} as a little-endian int, then
 * one record ({@link io.gozargah.codec.journal.DictionaryEntryFlyweight}, a
 * {@link io.gozargah.codec.journal.RefusalSummaryFlyweight}, or a
 * {@link io.gozargah.codec.journal.TransactionRecordFlyweight} in journals written before batches), or a batch of
 * transaction records with their count (TRANSACTION_BATCH, what the writer appends now: up to 64 per excerpt).
 * Records are in the order the writer appended them; within one event loop that is the order the transactions
 * completed.
 *
 * <h2>Dictionary</h2>
 * Consumer, service and endpoint ids in transaction records are unsigned 32-bit dictionary ids. They come from
 * one sequence shared by all kinds, starting at 1; 0 means "none" (no authenticated consumer, no routed service,
 * never sent upstream). An id once given to a name is never reused nor given to another name in the same
 * journal directory. Service names are {@code provider/service}; endpoint names are the endpoint URL as
 * configured. The DICTIONARY excerpt of an id always precedes the first TRANSACTION excerpt that uses it, and
 * the writer journals the whole dictionary again at each start and at the start of each roll cycle, so every
 * cycle file names all the ids its records use and stays readable after retention removed older ones. An id
 * may therefore appear many times, always with the same kind and name.
 *
 * <h2>Chain</h2>
 * Every TRANSACTION record and every REFUSAL_SUMMARY carries the SHA-256 chain hash of
 * {@link io.gozargah.codec.journal.TransactionRecordFlyweight}, computed by {@link JournalChain} over those
 * records only, in excerpt order, across cycle files and restarts; the first chains from 32 zero bytes. DICTIONARY excerpts are not chained: they are repeated, so a changed name shows up as two names for one
 * id. After retention removed cycles, verification starts from the first remaining record's predecessor hash,
 * which cannot be checked (the removed cycles took it with them).
 */
public final class JournalQueue implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JournalQueue.class);

    /** The queue's folder inside a journal directory. */
    public static final String QUEUE_DIRECTORY = "queue";

    private final Path dir;
    private final SingleChronicleQueue queue;

    private JournalQueue(Path dir, SingleChronicleQueue queue) {
        this.dir = dir;
        this.queue = queue;
    }

    /**
     * Opens (creating it if needed) the journal in {@code dir} for its one writer. A journal that already exists
     * keeps the roll cycle it was created with; a different {@code rollCycle} is then ignored with a warning.
     *
     * @param timeProvider the time that decides an excerpt's cycle; the writer passes its own so that it knows
     *                     which cycle it is appending to (and journals the dictionary first in a new one)
     */
    public static JournalQueue openForWrite(Path dir, RollCycle rollCycle, TimeProvider timeProvider) {
        Path queueDir = dir.resolve(QUEUE_DIRECTORY);
        try {
            Files.createDirectories(queueDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the journal directory " + queueDir, e);
        }
        SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(queueDir)
                .rollCycle(rollCycle)
                .timeProvider(timeProvider)
                .build();
        if (!queue.rollCycle().equals(rollCycle)) {
            log.warn("the journal in {} was created with roll cycle {} and keeps it (configured: {}); a new roll"
                    + " cycle applies to a new journal directory", dir, queue.rollCycle(), rollCycle);
        }
        return new JournalQueue(dir, queue);
    }

    /**
     * Opens the journal in {@code dir} to read it, whether a writer is running or not. The roll cycle is the one
     * the journal was created with.
     *
     * @throws IllegalArgumentException if {@code dir} holds no journal
     */
    public static JournalQueue openForRead(Path dir) {
        Path queueDir = dir.resolve(QUEUE_DIRECTORY);
        if (!Files.isDirectory(queueDir)) {
            throw new IllegalArgumentException("no journal in " + dir + " (no " + QUEUE_DIRECTORY + " folder)");
        }
        return new JournalQueue(dir, SingleChronicleQueueBuilder.binary(queueDir).readOnly(true).build());
    }

    /** The journal directory. */
    public Path dir() {
        return dir;
    }

    /** The queue's folder, {@code dir()/queue}. */
    public Path queueDir() {
        return dir.resolve(QUEUE_DIRECTORY);
    }

    public RollCycle rollCycle() {
        return queue.rollCycle();
    }

    /** A new appender; the writer has exactly one, used from its own thread. */
    public ExcerptAppender appender() {
        return queue.createAppender();
    }

    /** A new tailer at the start of the journal. */
    public ExcerptTailer tailer() {
        return queue.createTailer();
    }

    /** The Chronicle queue itself, for what this class does not cover (cycles, indexes, store files). */
    public SingleChronicleQueue chronicle() {
        return queue;
    }

    @Override
    public void close() {
        queue.close();
    }
}
