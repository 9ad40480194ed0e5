package io.gozargah.engine.journal;

import io.gozargah.codec.journal.CheckpointFlyweight;
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
import java.util.function.Supplier;

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
 * {@link #recover()} runs before the event loops do. It finds the last chained record in the queue (the last of
 * the last batch, or a refusal summary) and continues the chain from its hash. The ring frees a drain's records
 * only after the writer appended them ({@link JournalRing#drain}), so a crash between the two leaves records in
 * the ring that are already in the queue: they are exactly the ring's records up to and including the queue's
 * last chained record (the ring and the queue keep the same order, and no two records are alike). If the ring
 * holds that record, every record up to it is skipped; if it does not, nothing is. Claims a dead producer never
 * committed are skipped too (their exchanges were never answered). {@link #drainAll()} then journals the whole
 * dictionary and empties the ring before the gateway accepts a connection.
 *
 * <h2>Failure: nothing half-written, nothing dropped, and no restart needed</h2>
 * Every excerpt goes through {@link QueueAppend}, which first reserves its room on disk ({@link QueueSpace}): on
 * a full disk the append is refused before a byte of it is written ({@link JournalSpaceException}). The drain
 * that met it ends there without freeing anything in the ring, so the records it had not appended, and those it
 * had, are still in the ring; the writer forgets the batch it was making, continues the chain from the last record
 * it did append, and skips the ring up to that record, exactly as a start-up would. It tries again after a pause
 * that doubles from {@link #MIN_RETRY_MILLIS} to {@link #MAX_RETRY_MILLIS}, and admission refuses new work
 * ({@link JournalCounters#writerFailed()}) until an attempt succeeds; then it says so and goes on. Any other
 * failure of an append (a fault in Chronicle's copy, which the JVM raises as an {@code InternalError}, or an
 * exception from the queue) may have left a torn excerpt: the writer then closes the queue, cuts the damaged
 * tail off ({@link JournalRepair}), opens the queue again and recovers as at start-up, and goes on the same way.
 * The free space of the queue's file system is read every {@link #SPACE_CHECK_MILLIS}: below
 * {@code journal.minFreeBytes} admission refuses new work before the disk is full
 * ({@link JournalCounters#spaceLow()}).
 *
 * <h2>Signed checkpoints</h2>
 * With a {@link CheckpointSigner}, every checkpoint interval (once records were appended since the last one) and at
 * close, the writer appends a CHECKPOINT excerpt after a drain's records: the chain hash of the last record in the
 * queue, how many chained records lead to it from the journal's first, the time, a sequence number one past the
 * last checkpoint's, signed ({@link CheckpointFlyweight}). {@link #open()} takes the sequence and the count up from
 * the last checkpoint in the queue and the chained records after it, read backward (the whole queue once, when it
 * holds no checkpoint yet). A checkpoint whose append fails is simply due again: the count and sequence move only
 * when it is in the queue.
 */
public final class JournalWriterAgent implements Agent, JournalRing.Drain {
    private static final Logger log = LoggerFactory.getLogger(JournalWriterAgent.class);

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** How often the writer reads its own CPU time (a system call) for {@link JournalCounters#writerCpuNanos()}. */
    private static final long CPU_READ_INTERVAL_MILLIS = 1000;

    /** Records per duty cycle: one consumer-position update (and one ring zeroing) per this many records. */
    static final int BATCH = 1024;

    /** The first pause before a failed append is tried again; it doubles up to {@link #MAX_RETRY_MILLIS}. */
    static final long MIN_RETRY_MILLIS = 10;
    static final long MAX_RETRY_MILLIS = 1000;
    /** While appends keep failing the same way, one log line per this long. */
    static final long FAILURE_LOG_MILLIS = 10_000;
    /** How often the free space of the queue's file system is read (a statvfs). */
    static final long SPACE_CHECK_MILLIS = 250;

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
    private final Supplier<JournalQueue> reopen;
    private final JournalDictionary dictionary;
    private final JournalCounters counters;
    private final WriterClock clock;
    private final QueueAppend appendOp;
    private final long minFreeBytes;
    private final JournalChain chain = new JournalChain();
    /** The batch being made: a whole TRANSACTION_BATCH excerpt body (type, count, records), sealed in place. */
    private final byte[] batch = new byte[JournalExcerpt.BATCH_RECORDS_OFFSET
            + RECORDS_PER_EXCERPT * TransactionRecordFlyweight.MAX_LENGTH];
    private final UnsafeBuffer batchBuffer = new UnsafeBuffer(batch);
    private int batchCount;
    private int batchLength = JournalExcerpt.BATCH_RECORDS_OFFSET;
    private int lastRecordLength;
    /**
     * One excerpt's bytes in native memory, handed whole to {@code ExcerptAppender.writeBytes}, which costs less
     * than filling a {@code writingDocument()} context. Native, because Chronicle copies a heap source a long at
     * a time with a thread-safety check on each, and a native one with one memory copy (bench/README.md, "The
     * journal writer's idle sleep and excerpts", has the figures).
     */
    private final Bytes<?> excerpt = Bytes.allocateElasticDirect(batch.length);
    private volatile JournalQueue queue;
    private ExcerptAppender appender;
    private QueueSpace space;
    /** Read-around or not on the appender's page faults, by the backlog: see {@link QueueMappingAdvice}. */
    private final QueueMappingAdvice advice = new QueueMappingAdvice();
    private int cycle = Integer.MIN_VALUE;
    /** Dictionary entries journaled in the current cycle: ids up to this are known to its readers. */
    private int journaledIds;
    /** A refusal summary being sealed: summaries are appended one per excerpt, between batches. */
    private final byte[] summary = new byte[RefusalSummaryFlyweight.LENGTH];
    /**
     * The last chained record in the queue, as far as this writer knows: its type, bytes before its chain hash,
     * and chain hash. Where the chain and the ring's skipping resume after a failed append.
     */
    private boolean appended;
    private int appendedType;
    private final byte[] appendedCovered = new byte[TransactionRecordFlyweight.MAX_LENGTH];
    private int appendedCoveredLength;
    private final byte[] appendedHash = new byte[TransactionRecordFlyweight.CHAIN_HASH_LENGTH];
    private boolean recovering;
    /** Signs checkpoints, or null for none. */
    private final CheckpointSigner signer;
    private final long checkpointIntervalMillis;
    private long nextCheckpointMillis;
    /** Chained records in the queue from the journal's first, as far as this writer knows. */
    private long chainedRecords;
    /** {@link #chainedRecords} at the last checkpoint, and its sequence number (0: none yet). */
    private long checkpointedRecords;
    private long checkpointSequence;
    private final byte[] checkpoint = new byte[CheckpointFlyweight.LENGTH];
    private final UnsafeBuffer checkpointBuffer = new UnsafeBuffer(checkpoint);
    private final CheckpointFlyweight checkpointRecord = new CheckpointFlyweight();
    private final byte[] signedScratch = new byte[CheckpointFlyweight.SIGNATURE_OFFSET];
    /** Ring records up to the one whose type and bytes before its chain hash are these are skipped. */
    private boolean skipping;
    private int skipType;
    private final byte[] skipCovered = new byte[TransactionRecordFlyweight.MAX_LENGTH];
    private int skipCoveredLength;
    private long cpuAtStart;
    private long cpuReadMillis;
    /** When the free space was last read; 0 so that the first look is at once. */
    private long spaceCheckMillis;
    private volatile boolean suspended;
    /** False from a failed append until an attempt succeeds; admission refuses new work meanwhile. */
    private volatile boolean appending = true;
    private boolean needsReopen;
    private boolean lastFailureWasSpace;
    private long failureLoggedMillis;
    private long failingSinceMillis;
    private long failedAttempts;
    private long retryAtMillis;
    private long retryMillis;

    /** A writer that reserves room with {@link QueueAppend#RESERVED} and keeps no free-space floor (tests). */
    JournalWriterAgent(JournalRing ring, JournalQueue queue, JournalDictionary dictionary, JournalCounters counters,
                       WriterClock clock) {
        this(ring, queue, () -> JournalQueue.openForWrite(queue.dir(), queue.rollCycle(), clock), dictionary, counters,
                clock, QueueAppend.RESERVED, 0, null, 0);
    }

    /** A writer without checkpoints. */
    JournalWriterAgent(JournalRing ring, JournalQueue queue, Supplier<JournalQueue> reopen,
                       JournalDictionary dictionary, JournalCounters counters, WriterClock clock, QueueAppend appendOp,
                       long minFreeBytes) {
        this(ring, queue, reopen, dictionary, counters, clock, appendOp, minFreeBytes, null, 0);
    }

    /**
     * @param queue        the queue it appends to, open for writing
     * @param reopen       opens the queue for writing again, after a failure closed it
     * @param appendOp     how an excerpt is appended ({@link QueueAppend#RESERVED}, or a test's faults)
     * @param minFreeBytes below this many free bytes on the queue's file system, {@link JournalCounters#spaceLow()}
     * @param signer       signs checkpoints, or null for none
     * @param checkpointIntervalMillis how often a checkpoint is due while records come
     */
    JournalWriterAgent(JournalRing ring, JournalQueue queue, Supplier<JournalQueue> reopen,
                       JournalDictionary dictionary, JournalCounters counters, WriterClock clock, QueueAppend appendOp,
                       long minFreeBytes, CheckpointSigner signer, long checkpointIntervalMillis) {
        this.signer = signer;
        this.checkpointIntervalMillis = checkpointIntervalMillis;
        this.ring = ring;
        this.queue = queue;
        this.reopen = reopen;
        this.dictionary = dictionary;
        this.counters = counters;
        this.clock = clock;
        this.appendOp = appendOp;
        this.minFreeBytes = minFreeBytes;
    }

    @Override
    public String roleName() {
        return "journal-writer";
    }

    /** Start-up, before any producer runs: see the class comment. */
    void recover() {
        open();
        checkSpace(clock.currentTimeMillis());
        recovering = true;
    }

    /** Takes up the queue: its appender, where the chain ends, and what of the ring it already holds. */
    private void open() {
        appender = queue.appender();
        space = new QueueSpace(queue.queueDir());
        clock.tick();
        cycle = Integer.MIN_VALUE;
        JournalTail.Chained last = JournalTail.lastChained(queue);
        if (signer != null) {
            JournalTail.Checkpointed checkpointed = JournalTail.lastCheckpoint(queue);
            checkpointSequence = checkpointed.sequence();
            checkpointedRecords = checkpointed.recordCount();
            chainedRecords = checkpointed.recordCount() + checkpointed.recordsAfter();
            nextCheckpointMillis = clock.currentTimeMillis() + checkpointIntervalMillis;
        }
        appended = last != null;
        if (appended) {
            appendedType = last.type();
            appendedCoveredLength = last.covered().length;
            System.arraycopy(last.covered(), 0, appendedCovered, 0, appendedCoveredLength);
            System.arraycopy(last.hash(), 0, appendedHash, 0, appendedHash.length);
        }
        resumeAfterAppended();
    }

    /**
     * Continues the chain from the last record in the queue, and skips the ring up to that record when the ring
     * still holds it: at start-up, and after an append failed in the middle of a drain whose records are all still
     * in the ring, some of them appended.
     */
    private void resumeAfterAppended() {
        batchCount = 0;
        batchLength = JournalExcerpt.BATCH_RECORDS_OFFSET;
        skipping = false;
        if (!appended) {
            chain.reset();
            return;
        }
        chain.continueFrom(appendedHash, 0);
        if (ring.contains(appendedType, appendedCovered, appendedCoveredLength)) {
            skipping = true;
            skipType = appendedType;
            skipCoveredLength = appendedCoveredLength;
            System.arraycopy(appendedCovered, 0, skipCovered, 0, skipCoveredLength);
        }
    }

    /**
     * After {@code records} chained records reached the queue, the last of them {@code length} bytes at
     * {@code offset} of {@code bytes}.
     */
    private void appended(int type, byte[] bytes, int offset, int length, int records) {
        appended = true;
        chainedRecords += records;
        appendedType = type;
        appendedCoveredLength = length - TransactionRecordFlyweight.CHAIN_HASH_LENGTH;
        System.arraycopy(bytes, offset, appendedCovered, 0, appendedCoveredLength);
        System.arraycopy(bytes, offset + appendedCoveredLength, appendedHash, 0, appendedHash.length);
    }

    /**
     * Drains the ring completely; at start-up (after {@link #recover()}) and when the gateway has stopped. Returns
     * early, with what is left still in the ring, when an append fails ({@link #appending()} is then false).
     */
    void drainAll() {
        while (true) {
            clock.tick();
            int n = attempt();
            if (n < 0) {
                return;
            }
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
                throw new IllegalStateException("the journal's last record was in the ring but not found when"
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
        if (suspended) {
            return 0;
        }
        clock.tick();
        long now = clock.currentTimeMillis();
        if (now - cpuReadMillis >= CPU_READ_INTERVAL_MILLIS) {
            cpuReadMillis = now;
            counters.writerCpuNanos.lazySet(THREADS.getCurrentThreadCpuTime() - cpuAtStart);
        }
        checkSpace(now);
        if (!appending && now < retryAtMillis) {
            return 0;
        }
        int n = attempt();
        if (n < 0) {
            return 0;
        }
        advice.drained(n, BATCH);
        if (signer != null && now >= nextCheckpointMillis) {
            if (chainedRecords == checkpointedRecords) {
                nextCheckpointMillis = now + checkpointIntervalMillis;
            } else if (attemptCheckpoint()) {
                nextCheckpointMillis = now + checkpointIntervalMillis;
            }
        }
        return n;
    }

    /** Appends a checkpoint, failing as an append of records does; returns whether it is in the queue. */
    private boolean attemptCheckpoint() {
        try {
            appendCheckpoint();
            return true;
        } catch (JournalSpaceException e) {
            appendFailed(e, false);
            return false;
        } catch (RuntimeException | Error e) {
            appendFailed(e, true);
            return false;
        }
    }

    /** Signs and appends a checkpoint of the queue as it is: its last chained record, and the count up to it. */
    private void appendCheckpoint() {
        CheckpointFlyweight c = checkpointRecord.wrapForWrite(checkpointBuffer, 0)
                .sequence(checkpointSequence + 1)
                .epochNanos(clock.currentTimeMillis() * 1_000_000L)
                .recordCount(chainedRecords)
                .chainHead(appendedHash, 0);
        signer.sign(c, signedScratch);
        append(RecordType.CHECKPOINT, checkpoint, CheckpointFlyweight.LENGTH);
        checkpointSequence++;
        checkpointedRecords = chainedRecords;
        counters.checkpointsWritten.lazySet(counters.checkpointsWritten.get() + 1);
    }

    /**
     * One try: the queue taken up again if a failure closed it, the dictionary at a new cycle, one drain of the
     * ring. Returns the records drained, or -1 when an append failed (see the class comment).
     */
    private int attempt() {
        try {
            if (needsReopen) {
                reopen();
            }
            startCycleIfDue();
            int n = ring.drain(this, BATCH);
            if (!appending) {
                resumed();
            }
            return n;
        } catch (JournalSpaceException e) {
            appendFailed(e, false);
            return -1;
        } catch (RuntimeException | Error e) {
            appendFailed(e, true);
            return -1;
        }
    }

    private void appendFailed(Throwable e, boolean damaging) {
        long now = clock.currentTimeMillis();
        failedAttempts++;
        counters.appendFailures.lazySet(counters.appendFailures.get() + 1);
        String what = damaging ? e.toString() : e.getMessage();
        if (appending) {
            appending = false;
            counters.writerFailed(true);
            failingSinceMillis = now;
            failureLoggedMillis = now;
            retryMillis = MIN_RETRY_MILLIS;
            if (damaging) {
                log.error("journal: an append failed and may have left a torn excerpt; the writer repairs the queue's"
                        + " tail and tries again, and new requests are refused meanwhile", e);
            } else {
                log.warn("journal: {}; new requests are refused with 503 journal-unavailable and the writer tries"
                        + " again until there is room", what);
            }
        } else {
            retryMillis = Math.min(MAX_RETRY_MILLIS, retryMillis * 2);
            if (damaging != !lastFailureWasSpace || now - failureLoggedMillis >= FAILURE_LOG_MILLIS) {
                failureLoggedMillis = now;
                log.warn("journal: still cannot append ({} attempts): {}", failedAttempts, what);
            }
        }
        lastFailureWasSpace = !damaging;
        retryAtMillis = now + retryMillis;
        if (damaging) {
            needsReopen = true;
        } else {
            resumeAfterAppended();
        }
    }

    private void resumed() {
        appending = true;
        counters.writerFailed(false);
        log.info("journal: appending again after {} ms and {} failed attempts; {} bytes waited in the ring",
                clock.currentTimeMillis() - failingSinceMillis, failedAttempts, ring.occupancy());
        failedAttempts = 0;
    }

    /** Closes the queue, cuts a damaged tail off it, opens it again and takes it up as at start-up. */
    private void reopen() {
        closeQueue();
        JournalRepair.repairTail(queue.dir(), false, line -> log.warn("journal: {}", line));
        queue = reopen.get();
        open();
        needsReopen = false;
    }

    private void closeQueue() {
        if (appender != null) {
            appender.close();
            appender = null;
        }
        if (space != null) {
            space.close();
            space = null;
        }
        queue.close();
    }

    /** Reads the file system's free space every {@link #SPACE_CHECK_MILLIS}; says when it crosses the floor. */
    private void checkSpace(long now) {
        if (now - spaceCheckMillis < SPACE_CHECK_MILLIS || space == null) {
            return;
        }
        spaceCheckMillis = now;
        long free;
        try {
            free = space.freeBytes();
        } catch (RuntimeException e) {
            return; // the next append finds out what is wrong with the file system
        }
        counters.freeBytes.lazySet(free);
        boolean low = free < minFreeBytes;
        if (low != counters.spaceLow()) {
            counters.spaceLow(low);
            if (low) {
                log.warn("journal: {} bytes free on the file system of {}, below journal.minFreeBytes ({}): new"
                        + " requests are refused with 503 journal-unavailable until there is more", free,
                        queue.queueDir(), minFreeBytes);
            } else {
                log.info("journal: {} bytes free on the file system of {} again (journal.minFreeBytes {}): taking"
                        + " new requests", free, queue.queueDir(), minFreeBytes);
            }
        }
    }

    @Override
    public void record(int type, MutableDirectBuffer buffer, int index, int length) {
        if (type != RecordType.TRANSACTION && type != RecordType.REFUSAL_SUMMARY) {
            return; // nothing else is put in the ring; a future type is not ours to journal
        }
        if (skipping) {
            counters.duplicatesSkipped.lazySet(counters.duplicatesSkipped.get() + 1);
            if (type == skipType && JournalRing.matches(buffer, index, length, skipCovered, skipCoveredLength)) {
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
            appended(RecordType.REFUSAL_SUMMARY, summary, 0, RefusalSummaryFlyweight.LENGTH, 1);
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
        lastRecordLength = length;
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
        appended(RecordType.TRANSACTION, batch, batchLength - lastRecordLength, lastRecordLength, batchCount);
        counters.recordsWritten.lazySet(counters.recordsWritten.get() + batchCount);
        if (recovering) {
            counters.recoveredRecords.lazySet(counters.recoveredRecords.get() + batchCount);
        }
        batchCount = 0;
        batchLength = JournalExcerpt.BATCH_RECORDS_OFFSET;
    }

    /**
     * A new roll cycle (or a new run) begins with the whole dictionary, so each cycle file reads on its own. The
     * cycle counts as begun once all of it is appended: an append that fails on the way has it journaled again.
     */
    private void startCycleIfDue() {
        int now = queue.chronicle().cycle();
        if (now != cycle) {
            journaledIds = 0;
            journalDictionary();
            cycle = now;
        }
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
        appendOp.append(space, appender, queue.chronicle().cycle(), excerpt);
        advice.afterAppend(appender);
    }

    /** Appends {@code body[0, length)}, a whole excerpt body, with one copy into native memory. */
    private void append(UnsafeBuffer body, int length) {
        excerpt.clear();
        excerpt.unsafeWriteObject(body.byteArray(), (int) body.addressOffset(), length);
        appendOp.append(space, appender, queue.chronicle().cycle(), excerpt);
        advice.afterAppend(appender);
    }

    /** Stops draining without failing, until {@link #resume()} (tests: a stalled writer). */
    void suspend() {
        suspended = true;
    }

    void resume() {
        suspended = false;
    }

    /** False from a failed append until an attempt succeeds: new work is refused meanwhile. */
    boolean appending() {
        return appending;
    }

    /** Whether the last failed append was refused for room, nothing written (rather than something worse). */
    boolean lastFailureWasSpace() {
        return lastFailureWasSpace;
    }

    /** The queue it appends to: another one after a failure made it take the queue up again. */
    JournalQueue queue() {
        return queue;
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
        if (signer != null && appending && chainedRecords != checkpointedRecords) {
            clock.tick();
            attemptCheckpoint();
        }
        if (cpuReadMillis != 0) {
            counters.writerCpuNanos.lazySet(THREADS.getCurrentThreadCpuTime() - cpuAtStart);
        }
        if (appender != null) {
            appender.close();
        }
        if (space != null) {
            space.close();
        }
        excerpt.releaseLast();
    }
}
