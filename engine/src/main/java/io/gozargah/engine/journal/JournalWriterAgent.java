package io.gozargah.engine.journal;

import io.gozargah.codec.journal.RecordType;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteOrder;

/**
 * The one thread that moves records from the {@link JournalRing} into the {@link JournalQueue}: a duty-cycle
 * {@link Agent}, run by an {@code AgentRunner}. Each duty cycle takes the time once, starts a new roll cycle's
 * file with the whole dictionary when the time has moved into one, and drains up to {@link #BATCH} records;
 * for each transaction record it first journals any dictionary entry the record uses that is not journaled
 * yet, then seals the record with the chain hash ({@link JournalChain}) and appends it, one excerpt per record.
 *
 * <h2>Start-up: exactly once</h2>
 * {@link #recover()} runs before the event loops do. It journals the whole dictionary, finds the last transaction
 * record in the queue and continues the chain from its hash. The writer advances the ring's consumer position
 * only after a batch is appended, so a crash between the two leaves records in the ring that are already in the
 * queue: they are exactly the ring's records up to and including the queue's last transaction id (the ring and
 * the queue keep the same order, and ids are unique). If the ring holds that id, every record up to it is skipped;
 * if it does not, nothing is. Claims a dead producer never committed are skipped too (their exchanges were never
 * answered). {@link #drainAll()} then empties the ring before the gateway accepts a connection.
 *
 * <h2>Failure</h2>
 * If appending fails (a full disk, a broken queue) the record that failed stays in the ring, the writer stops and
 * says so ({@link JournalCounters#writerFailed()}), and admission refuses new work until a restart drains the
 * ring. Nothing is dropped.
 */
public final class JournalWriterAgent implements Agent, ControlledMessageHandler {
    private static final Logger log = LoggerFactory.getLogger(JournalWriterAgent.class);

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** How often the writer reads its own CPU time (a system call) for {@link JournalCounters#writerCpuNanos()}. */
    private static final long CPU_READ_INTERVAL_MILLIS = 1000;

    /** Records per duty cycle: one consumer-position update (and one ring zeroing) per this many records. */
    static final int BATCH = 1024;

    /**
     * The time that places excerpts in roll cycles: read once per duty cycle by the writer, and what the queue
     * is told, so that the writer knows which cycle it appends to before it appends.
     */
    static final class WriterClock implements TimeProvider {
        private volatile long millis = System.currentTimeMillis();

        void tick() {
            millis = System.currentTimeMillis();
        }

        @Override
        public long currentTimeMillis() {
            return millis;
        }
    }

    private final JournalRing ring;
    private final JournalQueue queue;
    private final JournalDictionary dictionary;
    private final JournalCounters counters;
    private final WriterClock clock;
    private final JournalChain chain = new JournalChain();
    private final byte[] record = new byte[TransactionRecordFlyweight.LENGTH_WITH_BODY_HASHES];
    private final UnsafeBuffer recordBuffer = new UnsafeBuffer(record);
    /**
     * One excerpt's bytes, handed whole to {@code ExcerptAppender.writeBytes}: measured at a third of the cost
     * of a {@code writingDocument()} context per excerpt.
     */
    private final Bytes<?> excerpt = Bytes.allocateElasticDirect(
            JournalExcerpt.RECORD_OFFSET + TransactionRecordFlyweight.LENGTH_WITH_BODY_HASHES);
    private ExcerptAppender appender;
    private int cycle = Integer.MIN_VALUE;
    /** Dictionary entries journaled in the current cycle: ids up to this are known to its readers. */
    private int journaledIds;
    private boolean recovering;
    private boolean skipping;
    private long skipMsb;
    private long skipLsb;
    private long cpuAtStart;
    private long cpuReadMillis;
    private volatile boolean suspended;
    private volatile boolean failed;

    JournalWriterAgent(JournalRing ring, JournalQueue queue, JournalDictionary dictionary, JournalCounters counters,
                       WriterClock clock) {
        this.ring = ring;
        this.queue = queue;
        this.dictionary = dictionary;
        this.counters = counters;
        this.clock = clock;
    }

    @Override
    public String roleName() {
        return "journal-writer";
    }

    /** Start-up, before any producer runs: see the class comment. */
    void recover() {
        appender = queue.appender();
        clock.tick();
        startCycle();
        findLastTransaction();
        recovering = true;
    }

    private void findLastTransaction() {
        UnsafeBuffer view = new UnsafeBuffer(0, 0);
        byte[] scratch = new byte[TransactionRecordFlyweight.LENGTH_WITH_BODY_HASHES];
        TransactionRecordFlyweight r = new TransactionRecordFlyweight();
        try (ExcerptTailer tailer = queue.tailer().direction(TailerDirection.BACKWARD).toEnd()) {
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        return;
                    }
                    Bytes<?> bytes = dc.wire().bytes();
                    if (JournalExcerpt.type(bytes) != RecordType.TRANSACTION) {
                        continue;
                    }
                    JournalExcerpt.wrapRecord(bytes, view, scratch);
                    r.wrapForRead(view, 0);
                    byte[] hash = new byte[TransactionRecordFlyweight.CHAIN_HASH_LENGTH];
                    r.getChainHash(hash, 0);
                    chain.continueFrom(hash, 0);
                    if (ring.containsTransaction(r.txIdMsb(), r.txIdLsb())) {
                        skipping = true;
                        skipMsb = r.txIdMsb();
                        skipLsb = r.txIdLsb();
                    }
                    return;
                }
            }
        }
    }

    /** Drains the ring completely; at start-up (after {@link #recover()}) and when the gateway has stopped. */
    void drainAll() {
        while (!failed) {
            clock.tick();
            startCycleIfDue();
            int n = ring.read(this, BATCH);
            if (n == 0) {
                if (recovering && ring.skipAbandonedAtHead()) {
                    counters.abandonedClaims.lazySet(counters.abandonedClaims.get() + 1);
                    continue;
                }
                break;
            }
        }
        if (recovering) {
            recovering = false;
            if (skipping) {
                throw new IllegalStateException("the journal's last transaction was in the ring but not found when"
                        + " draining it");
            }
            long recovered = counters.recoveredRecords.get();
            if (recovered > 0 || counters.duplicatesSkipped() > 0 || counters.abandonedClaims() > 0) {
                log.warn("journal: drained {} records a previous run left in the ring ({} already in the queue"
                        + " skipped, {} never-committed claims skipped)", recovered, counters.duplicatesSkipped(),
                        counters.abandonedClaims());
            }
        }
    }

    @Override
    public int doWork() {
        if (suspended || failed) {
            return 0;
        }
        clock.tick();
        if (clock.currentTimeMillis() - cpuReadMillis >= CPU_READ_INTERVAL_MILLIS) {
            cpuReadMillis = clock.currentTimeMillis();
            counters.writerCpuNanos.lazySet(THREADS.getCurrentThreadCpuTime() - cpuAtStart);
        }
        startCycleIfDue();
        return ring.read(this, BATCH);
    }

    @Override
    public Action onMessage(int type, MutableDirectBuffer buffer, int index, int length) {
        if (type != RecordType.TRANSACTION) {
            return Action.CONTINUE; // nothing else is put in the ring; a future type is not ours to journal
        }
        if (skipping) {
            counters.duplicatesSkipped.lazySet(counters.duplicatesSkipped.get() + 1);
            if (buffer.getLong(index + TransactionRecordFlyweight.TX_ID_MSB_OFFSET, ByteOrder.LITTLE_ENDIAN) == skipMsb
                    && buffer.getLong(index + TransactionRecordFlyweight.TX_ID_LSB_OFFSET, ByteOrder.LITTLE_ENDIAN) == skipLsb) {
                skipping = false;
            }
            return Action.CONTINUE;
        }
        try {
            buffer.getBytes(index, record, 0, length);
            int maxId = Math.max(recordBuffer.getInt(TransactionRecordFlyweight.CONSUMER_ID_OFFSET, ByteOrder.LITTLE_ENDIAN),
                    Math.max(recordBuffer.getInt(TransactionRecordFlyweight.SERVICE_ID_OFFSET, ByteOrder.LITTLE_ENDIAN),
                            recordBuffer.getInt(TransactionRecordFlyweight.ENDPOINT_ID_OFFSET, ByteOrder.LITTLE_ENDIAN)));
            if (Integer.compareUnsigned(maxId, journaledIds) > 0) {
                journalDictionary();
            }
            chain.seal(record, 0, length);
            append(RecordType.TRANSACTION, record, length);
        } catch (RuntimeException | Error e) {
            fail(e);
            return Action.ABORT;
        }
        counters.recordsWritten.lazySet(counters.recordsWritten.get() + 1);
        if (recovering) {
            counters.recoveredRecords.lazySet(counters.recoveredRecords.get() + 1);
        }
        return Action.CONTINUE;
    }

    private void startCycleIfDue() {
        if (queue.chronicle().cycle() != cycle) {
            startCycle();
        }
    }

    /** A new roll cycle (or a new run) begins with the whole dictionary, so each cycle file reads on its own. */
    private void startCycle() {
        cycle = queue.chronicle().cycle();
        journaledIds = 0;
        journalDictionary();
    }

    /** Journals the dictionary entries published since the last call. */
    private void journalDictionary() {
        JournalDictionary.Entry[] entries = dictionary.entries();
        for (int i = journaledIds; i < entries.length; i++) {
            JournalDictionary.Entry e = entries[i];
            if (e != null) {
                byte[] bytes = e.encoded();
                append(RecordType.DICTIONARY, bytes, bytes.length);
                counters.dictionaryEntriesWritten.lazySet(counters.dictionaryEntriesWritten.get() + 1);
            }
        }
        journaledIds = entries.length;
    }

    private void append(int type, byte[] bytes, int length) {
        excerpt.clear();
        JournalExcerpt.write(excerpt, type, bytes, 0, length);
        appender.writeBytes(excerpt);
    }

    private void fail(Throwable e) {
        failed = true;
        counters.writerFailed(true);
        log.error("journal writer failed; new requests are refused until a restart drains the ring", e);
    }

    /** Stops draining without failing, until {@link #resume()} (tests: a stalled writer). */
    void suspend() {
        suspended = true;
    }

    void resume() {
        suspended = false;
    }

    boolean failed() {
        return failed;
    }

    /**
     * The appender and the excerpt bytes were first used by {@link #recover()} on the starting thread (Chronicle
     * checks that one thread uses them); from now on this thread owns them.
     */
    @Override
    public void onStart() {
        appender.singleThreadedCheckReset();
        cpuAtStart = THREADS.getCurrentThreadCpuTime();
        cpuReadMillis = clock.currentTimeMillis();
        excerpt.singleThreadedCheckReset();
    }

    /** On the writer's thread when the runner closes: everything left in the ring reaches the queue. */
    @Override
    public void onClose() {
        suspended = false;
        drainAll();
        if (cpuReadMillis != 0) {
            counters.writerCpuNanos.lazySet(THREADS.getCurrentThreadCpuTime() - cpuAtStart);
        }
        if (appender != null) {
            appender.close();
        }
        excerpt.releaseLast();
    }
}
