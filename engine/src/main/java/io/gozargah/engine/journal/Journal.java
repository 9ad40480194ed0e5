package io.gozargah.engine.journal;

import io.gozargah.engine.config.JournalConfig;
import io.gozargah.engine.exchange.ExchangeStage;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The transaction journal of a running gateway: the ring the event loops write into, the writer agent that
 * drains it into the queue, the dictionary, retention, and the {@link ExchangeStage} that ties them to every
 * exchange. {@link #start} drains what a previous run left in the ring before it returns (so before the gateway
 * accepts anything); {@link #close} is called once the event loops have stopped and returns once everything
 * in the ring is in the queue.
 */
public final class Journal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Journal.class);

    /** The ring's file in the journal directory. */
    public static final String RING_FILE = "ring";
    /** Locked while a gateway writes the journal: two writers would share one ring and fork the chain. */
    public static final String LOCK_FILE = "lock";

    /**
     * When the ring is empty the writer sleeps. It shares the machine's cores with the event loops, so it must
     * not spin, and waking for a handful of records costs a context switch and cold caches each time, for the
     * writer and for the event loop it wakes: the longer it sleeps, the more records each wake-up carries and the
     * less CPU each record costs (bench/README.md, "The journal writer's idle sleep and excerpts", has the
     * figures). A record loses nothing by waiting in the ring, which is crash-safe; the only limit is room: the
     * sleep never exceeds the time the ring takes to fill a quarter at 1,000,000 records a second (see
     * {@link #idleSleepNanos}). While records keep coming the writer does not sleep at all.
     */
    private static final long MAX_IDLE_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long MIN_IDLE_SLEEP_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    private static final long NANOS_PER_RECORD_AT_PEAK = 1_000;

    /** Below this many records the writer's CPU per record is mostly its start-up, not worth a log line. */
    private static final long CPU_REPORT_MIN_RECORDS = 100_000;
    /** How often retention looks for closed cycle files past their time; they are days old, minutes do not matter. */
    private static final long RETENTION_PERIOD_MINUTES = 10;

    private final Path dir;
    private final JournalRing ring;
    private final JournalDictionary dictionary;
    private final JournalCounters counters;
    private final JournalWriterAgent writer;
    private final AgentRunner runner;
    private final JournalStage stage;
    private final ScheduledExecutorService retentionThread;
    private final FileChannel lock;
    private boolean closed;

    private Journal(FileChannel lock, Path dir, JournalRing ring, JournalDictionary dictionary,
                    JournalCounters counters, JournalWriterAgent writer, JournalRetention retention,
                    JournalConfig config) {
        this.lock = lock;
        this.dir = dir;
        this.ring = ring;
        this.dictionary = dictionary;
        this.counters = counters;
        this.writer = writer;
        this.stage = new JournalStage(ring, counters, writer, config.summaryInterval().toNanos(), config.summaryKeys());
        IdleStrategy idle = new SleepingIdleStrategy(idleSleepNanos(ring.capacity()));
        this.runner = new AgentRunner(idle, e -> log.error("journal writer error", e), null, writer);
        AgentRunner.startOnThread(runner, r -> {
            Thread t = new Thread(r, "gozargah-journal-writer");
            t.setDaemon(true);
            return t;
        });
        if (retention != null) {
            retentionThread = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "gozargah-journal-retention");
                t.setDaemon(true);
                return t;
            });
            retentionThread.scheduleWithFixedDelay(retention, 0, RETENTION_PERIOD_MINUTES, TimeUnit.MINUTES);
        } else {
            retentionThread = null;
        }
    }

    /**
     * Opens the journal of {@code config} (creating its directory), drains what a previous run left in the ring,
     * and starts the writer.
     *
     * @throws JournalStartException when it cannot (the message says why, in one line)
     * @param eventLoops how many event loops will write into the ring (each may be one record past a check)
     */
    public static Journal start(JournalConfig config, int eventLoops) {
        try {
            return open(config, eventLoops);
        } catch (RuntimeException e) {
            String reason = e instanceof UncheckedIOException u ? u.getMessage() + ": " + u.getCause() : e.getMessage();
            throw new JournalStartException("cannot open the journal in " + config.dir() + ": " + reason, e);
        }
    }

    private static Journal open(JournalConfig config, int eventLoops) {
        Path dir = config.dir();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory", e);
        }
        FileChannel lock = lock(dir);
        RollCycle rollCycle = rollCycle(config.rollCycle());
        JournalWriterAgent.WriterClock clock = new JournalWriterAgent.WriterClock();
        JournalQueue queue;
        try {
            // A run that stopped in the middle of an append (the old writer on a full disk) left a torn excerpt:
            // it is cut off before the queue is opened, and its records are still in the ring.
            List<JournalRepair.Voided> voided = JournalRepair.repairTail(dir, false, line -> log.warn("journal: {}", line));
            if (!voided.isEmpty()) {
                log.warn("journal: the queue's tail was repaired; its last excerpt now chains on from the one before it,"
                        + " and the ring's records are written again next");
            }
            queue = JournalQueue.openForWrite(dir, rollCycle, clock);
        } catch (RuntimeException e) {
            closeQuietly(lock);
            throw e;
        }
        JournalCounters counters = new JournalCounters();
        JournalWriterAgent[] current = new JournalWriterAgent[1];
        long checkpointMillis = config.checkpointInterval().toMillis();
        try {
            CheckpointSigner signer = signer(config);
            JournalDictionary dictionary = JournalDictionary.open(dir, queue);
            Path ringFile = dir.resolve(RING_FILE);
            int capacity = (int) config.ringBytes();
            JournalRing ring = JournalRing.open(ringFile, capacity, eventLoops);
            Supplier<JournalQueue> reopen = () -> JournalQueue.openForWrite(dir, rollCycle, clock);
            JournalWriterAgent writer = new JournalWriterAgent(ring, queue, reopen, dictionary, counters, clock,
                    QueueAppend.RESERVED, config.minFreeBytes(), signer, checkpointMillis);
            writer.recover();
            writer.drainAll();
            if (!writer.appending()) {
                if (!writer.lastFailureWasSpace()) {
                    throw new IllegalStateException("the queue cannot be written (see the error above)");
                }
                log.warn("journal: starting with {} bytes in the ring that there is no room to write yet: new requests"
                        + " are refused until there is, and then they are written first", ring.occupancy());
            }
            if (ring.capacity() != capacity) {
                if (ring.occupancy() > 0) {
                    log.warn("journal ring kept at {} bytes (configured: {}) until what it holds is written",
                            ring.capacity(), capacity);
                } else {
                    log.info("journal ring resized from {} to {} bytes", ring.capacity(), capacity);
                    ring.close();
                    Files.delete(ringFile);
                    ring = JournalRing.open(ringFile, capacity, eventLoops);
                    writer = new JournalWriterAgent(ring, writer.queue(), reopen, dictionary, counters, clock,
                            QueueAppend.RESERVED, config.minFreeBytes(), signer, checkpointMillis);
                    writer.recover();
                    writer.drainAll(); // the new ring is empty: this only ends the recovery
                }
            }
            current[0] = writer;
            counters.ring(ring);
            JournalRetention retention = config.retainDays() > 0
                    ? new JournalRetention(queue.queueDir(), rollCycle, config.retainDays(), config.archiveDir(),
                            counters, System::currentTimeMillis,
                            () -> current[0].queue().chronicle().refreshDirectoryListing())
                    : null;
            log.info("journal in {} (roll cycle {}, ring {} bytes{}{})", dir, queue.rollCycle(), ring.capacity(),
                    retention == null ? "" : ", closed cycles kept " + config.retainDays() + " days",
                    signer == null ? "" : ", checkpoints signed by key " + java.util.HexFormat.of().formatHex(signer.keyId())
                            + " every " + config.checkpointInterval().toSeconds() + " s");
            return new Journal(lock, dir, ring, dictionary, counters, writer, retention, config);
        } catch (IOException e) {
            closeWriterQueue(current[0], queue);
            closeQuietly(lock);
            throw new UncheckedIOException("cannot replace the ring", e);
        } catch (RuntimeException e) {
            closeWriterQueue(current[0], queue);
            closeQuietly(lock);
            throw e;
        }
    }

    /** The checkpoint signer of {@code config}'s signing key, or null when it names none. */
    private static CheckpointSigner signer(JournalConfig config) {
        if (config.signingKeyFile() == null) {
            return null;
        }
        try {
            return new CheckpointSigner(CheckpointKeys.readPrivate(config.signingKeyFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the signing key " + config.signingKeyFile(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(config.signingKeyFile() + ": " + e.getMessage(), e);
        }
    }

    private static void closeWriterQueue(JournalWriterAgent writer, JournalQueue queue) {
        (writer == null ? queue : writer.queue()).close();
    }

    /** Takes the journal directory's lock (released by the OS if the process dies), or says who holds it. */
    static FileChannel lock(Path dir) {
        Path file = dir.resolve(LOCK_FILE);
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock held = null;
            try {
                held = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                // held by this very process: as much in use as by another
            }
            if (held == null) {
                channel.close();
                throw new IllegalStateException("in use by another gateway (" + file + " is locked)");
            }
            return channel;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot take its lock", e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            log.warn("closing the journal lock failed", e);
        }
    }

    /** How long the writer sleeps on an empty ring of {@code capacity} bytes: the 20 ms cap for the default 16 MiB. */
    static long idleSleepNanos(int capacity) {
        long quarter = capacity / 4 / JournalRing.SLOT_BYTES;
        return Math.max(MIN_IDLE_SLEEP_NANOS, Math.min(MAX_IDLE_SLEEP_NANOS, quarter * NANOS_PER_RECORD_AT_PEAK));
    }

    /** The Chronicle roll cycle named in the config ({@link JournalConfig#ROLL_CYCLES}). */
    static RollCycle rollCycle(String name) {
        for (LargeRollCycles c : LargeRollCycles.values()) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return RollCycles.valueOf(name);
    }

    /** The stage to put in the gateway's stage list, after admission. */
    public ExchangeStage stage() {
        return stage;
    }

    public JournalDictionary dictionary() {
        return dictionary;
    }

    public JournalCounters counters() {
        return counters;
    }

    public Path dir() {
        return dir;
    }

    /** Stops the writer draining until {@link #resumeWriter()}: tests use it to fill the ring. */
    public void suspendWriter() {
        writer.suspend();
    }

    public void resumeWriter() {
        writer.resume();
    }

    /** Call once no event loop writes any more: drains the ring into the queue, then closes everything. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (retentionThread != null) {
            retentionThread.shutdownNow();
        }
        long unwritten = stage.flushAtClose();
        runner.close();
        long left = ring.occupancy();
        ring.close();
        writer.queue().close();
        closeQuietly(lock);
        if (unwritten > 0) {
            log.error("journal closed with {} refusals counted for summaries that found no room in the ring: they were"
                    + " answered and are not in the journal", unwritten);
        }
        if (left > 0) {
            log.error("journal closed with {} bytes still in the ring; they are drained at the next start", left);
        } else {
            long records = counters.recordsWritten();
            log.info("journal closed: {} records written{}", records, records < CPU_REPORT_MIN_RECORDS ? ""
                    : String.format(", the writer's CPU time %.0f ns per record", (double) counters.writerCpuNanos() / records));
        }
    }
}
