package io.gozargah.engine.journal;

import io.gozargah.codec.journal.RecordType;
import io.gozargah.codec.journal.RefusalSummaryFlyweight;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
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
 * yet, then seals the record with the chain hash ({@link JournalChain}) and adds it to the batch it is making:
 * up to {@link #RECORDS_PER_EXCERPT} records in one TRANSACTION_BATCH excerpt ({@link JournalExcerpt}). A batch
 * is appended when it is full, before a dictionary entry, and at the end of every drain, so it never waits for
 * records that have not come: the queue holds every record the ring gave up. Chronicle's fixed cost per excerpt
 * (write lock, header, index entry) is paid once per batch. What remains per record is the copy, the SHA-256
 * chain (about 230 ns) and the kernel's zero-filling of the cycle file's new pages as they are first written,
 * in the kernel's read-around or one page per fault, by the backlog ({@link QueueMappingAdvice}).
 *
 * <h2>Start-up: exactly once</h2>
 * {@link #recover()} runs before the event loops do. It journals the whole dictionary, finds the last transaction
 * record in the queue (the last of the last batch) and continues the chain from its hash. The ring frees a
 * drain's records only after the writer appended them ({@link JournalRing#drain}), so a crash between the two
 * leaves records in the ring that are already in the queue: they are exactly the ring's records up to and
 * including the queue's last transaction id (the ring and the queue keep the same order, and ids are unique). If
 * the ring holds that id, every record up to it is skipped; if it does not, nothing is. Claims a dead producer
 * never committed are skipped too (their exchanges were never answered). {@link #drainAll()} then empties the
 * ring before the gateway accepts a connection.
 *
 * <h2>Failure</h2>
 * If appending fails (a full disk, a broken queue) the record that failed stays in the ring, the writer stops and
 * says so ({@link JournalCounters#writerFailed()}), and admission refuses new work until a restart drains the
 * ring. Nothing is dropped.
 */
public final class JournalWriterAgent implements Agent, JournalRing.Drain {
    private static final Logger log = LoggerFactory.getLogger(JournalWriterAgent.class);

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** How often the writer reads its own CPU time (a system call) for {@link JournalCounters#writerCpuNanos()}. */
    private static final long CPU_READ_INTERVAL_MILLIS = 1000;

    /** Records per duty cycle: one consumer-position update (and one ring zeroing) per this many records. */
    static final int BATCH = 1024;

    /**
     * Transaction records per excerpt, at most: 8 KiB (12 KiB with body hashes) of records, Chronicle's cost
     * per excerpt spread 64 ways.
     */
    static final int RECORDS_PER_EXCERPT = 64;

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
    /** The batch being made: a whole TRANSACTION_BATCH excerpt body (type, count, records), sealed in place. */
    private final byte[] batch = new byte[JournalExcerpt.BATCH_RECORDS_OFFSET
            + RECORDS_PER_EXCERPT * TransactionRecordFlyweight.LENGTH_WITH_BODY_HASHES];
    private final UnsafeBuffer batchBuffer = new UnsafeBuffer(batch);
    private int batchCount;
    private int batchLength = JournalExcerpt.BATCH_RECORDS_OFFSET;
    /**
     * One excerpt's bytes in native memory, handed whole to {@code ExcerptAppender.writeBytes}: measured at a
     * third of the cost of a {@code writingDocument()} context. Native, because Chronicle copies a heap source
     * a long at a time with a thread-safety check on each (measured: half the writer's time), and a native one
     * with one memory copy.
     */
    private final Bytes<?> excerpt = Bytes.allocateElasticDirect(batch.length);
    private ExcerptAppender appender;
    /** Read-around or not on the appender's page faults, by the backlog: see {@link QueueMappingAdvice}. */
    private final QueueMappingAdvice advice = new QueueMappingAdvice();
    private int cycle = Integer.MIN_VALUE;
    /** Dictionary entries journaled in the current cycle: ids up to this are known to its readers. */
    private int journaledIds;
    /** A refusal summary being sealed: summaries are appended one per excerpt, between batches. */
    private final byte[] summary = new byte[RefusalSummaryFlyweight.LENGTH];
    private boolean recovering;
    /** While recovering: ring records up to the one whose type and bytes before its chain hash are these are skipped. */
    private boolean skipping;
    private int skipType;
    private byte[] skipCovered;
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

    /**
     * Finds the last chained record in the queue (a transaction, the last of a batch, or a refusal summary),
     * continues the chain from its hash, and skips the ring up to it when the ring still holds it.
     */
    private void findLastTransaction() {
        UnsafeBuffer view = new UnsafeBuffer(0, 0);
        byte[] scratch = new byte[batch.length];
        TransactionRecordFlyweight r = new TransactionRecordFlyweight();
        RefusalSummaryFlyweight summary = new RefusalSummaryFlyweight();
        try (ExcerptTailer tailer = queue.tailer().direction(TailerDirection.BACKWARD).toEnd()) {
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        return;
                    }
                    Bytes<?> bytes = dc.wire().bytes();
                    int type = JournalExcerpt.type(bytes);
                    DirectBuffer record;
                    int at;
                    int covered;
                    if (type == RecordType.TRANSACTION) {
                        JournalExcerpt.wrapRecord(bytes, view, scratch);
                        r.wrapForRead(view, 0);
                        record = view;
                        at = 0;
                        covered = r.chainHashOffset();
                    } else if (type == RecordType.TRANSACTION_BATCH) {
                        if (scratch.length < bytes.readRemaining()) {
                            scratch = new byte[(int) bytes.readRemaining()];
                        }
                        int length = JournalExcerpt.wrap(bytes, JournalExcerpt.BATCH_RECORDS_OFFSET, view, scratch);
                        int count = JournalExcerpt.batchCount(bytes);
                        at = 0;
                        for (int i = 0; i < count; i++) {
                            r.wrapForRead(view, at);
                            at += r.length();
                        }
                        if (count < 1 || at != length) {
                            throw new JournalException("the journal's last batch of transactions is malformed: "
                                    + count + " records said, " + length + " bytes", null, null);
                        }
                        at -= r.length();
                        record = view;
                        covered = r.chainHashOffset();
                        type = RecordType.TRANSACTION;
                    } else if (type == RecordType.REFUSAL_SUMMARY) {
                        JournalExcerpt.wrapRecord(bytes, view, scratch);
                        summary.wrapForRead(view, 0);
                        record = view;
                        at = 0;
                        covered = summary.chainHashOffset();
                    } else {
                        continue;
                    }
                    byte[] hash = new byte[TransactionRecordFlyweight.CHAIN_HASH_LENGTH];
                    record.getBytes(at + covered, hash, 0, hash.length);
                    chain.continueFrom(hash, 0);
                    byte[] coveredBytes = new byte[covered];
                    record.getBytes(at, coveredBytes, 0, covered);
                    if (ring.contains(type, coveredBytes)) {
                        skipping = true;
                        skipType = type;
                        skipCovered = coveredBytes;
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
            int n = drain();
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
        int n = drain();
        advice.drained(n, BATCH);
        return n;
    }

    /** One drain of the ring; a failure fails the writer, leaving the records in the ring. */
    private int drain() {
        try {
            return ring.drain(this, BATCH);
        } catch (RuntimeException | Error e) {
            fail(e);
            return 0;
        }
    }

    @Override
    public void record(int type, MutableDirectBuffer buffer, int index, int length) {
        if (type != RecordType.TRANSACTION && type != RecordType.REFUSAL_SUMMARY) {
            return; // nothing else is put in the ring; a future type is not ours to journal
        }
        if (skipping) {
            counters.duplicatesSkipped.lazySet(counters.duplicatesSkipped.get() + 1);
            if (type == skipType && JournalRing.matches(buffer, index, length, skipCovered)) {
                skipping = false;
            }
            return;
        }
        int consumer = buffer.getInt(index + TransactionRecordFlyweight.CONSUMER_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
        int service = buffer.getInt(index + TransactionRecordFlyweight.SERVICE_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
        if (type == RecordType.REFUSAL_SUMMARY) {
            appendBatch();
            if (Integer.compareUnsigned(Math.max(consumer, service), journaledIds) > 0) {
                journalDictionary();
            }
            buffer.getBytes(index, summary, 0, RefusalSummaryFlyweight.LENGTH);
            chain.seal(summary, 0, RefusalSummaryFlyweight.LENGTH);
            append(RecordType.REFUSAL_SUMMARY, summary, RefusalSummaryFlyweight.LENGTH);
            counters.summaryRecordsWritten.lazySet(counters.summaryRecordsWritten.get() + 1);
            return;
        }
        int endpoint = buffer.getInt(index + TransactionRecordFlyweight.ENDPOINT_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
        int maxId = Math.max(consumer, Math.max(service, endpoint));
        if (Integer.compareUnsigned(maxId, journaledIds) > 0) {
            appendBatch();
            journalDictionary();
        }
        if (batchCount == RECORDS_PER_EXCERPT) {
            appendBatch();
        }
        buffer.getBytes(index, batch, batchLength, length);
        chain.seal(batch, batchLength, length);
        batchLength += length;
        batchCount++;
    }

    /** The end of a drain: what it gave is appended before the ring forgets it. */
    @Override
    public void end() {
        appendBatch();
    }

    /** Appends the batch being made, if it holds a record, as one TRANSACTION_BATCH excerpt. */
    private void appendBatch() {
        if (batchCount == 0) {
            return;
        }
        batchBuffer.putInt(JournalExcerpt.TYPE_OFFSET, RecordType.TRANSACTION_BATCH, ByteOrder.LITTLE_ENDIAN);
        batchBuffer.putInt(JournalExcerpt.BATCH_COUNT_OFFSET, batchCount, ByteOrder.LITTLE_ENDIAN);
        append(batchBuffer, batchLength);
        counters.recordsWritten.lazySet(counters.recordsWritten.get() + batchCount);
        if (recovering) {
            counters.recoveredRecords.lazySet(counters.recoveredRecords.get() + batchCount);
        }
        batchCount = 0;
        batchLength = JournalExcerpt.BATCH_RECORDS_OFFSET;
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
        advice.afterAppend(appender);
    }

    /** Appends {@code body[0, length)}, a whole excerpt body, with one copy into native memory. */
    private void append(UnsafeBuffer body, int length) {
        excerpt.clear();
        excerpt.unsafeWriteObject(body.byteArray(), (int) body.addressOffset(), length);
        appender.writeBytes(excerpt);
        advice.afterAppend(appender);
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

    /** The advice given to the queue's mapped chunks (tests). */
    QueueMappingAdvice advice() {
        return advice;
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
