package io.gozargah.engine.journal;

import io.gozargah.codec.journal.DictionaryEntryFlyweight;
import io.gozargah.codec.journal.MethodCode;
import io.gozargah.codec.journal.RecordType;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The journal writer's throughput on its one thread: each operation is one {@link JournalWriterAgent#doWork()}
 * duty cycle (up to {@link JournalWriterAgent#BATCH} records: copy out of the ring, dictionary check, SHA-256
 * chain hash, one Chronicle excerpt per {@link JournalWriterAgent#RECORDS_PER_EXCERPT} records, into a
 * LARGE_DAILY queue on disk). Every record names a subject (its 16-byte keyed hash, as a service with a
 * {@code subject} rule writes them), and with {@code checkpointMillis} above 0 the writer appends an Ed25519-signed
 * checkpoint that often, as {@code journal.signingKeyFile} and {@code checkpointInterval} have it (0: no signing
 * key, no checkpoints; 1000 is the shortest interval the config allows, 60000 its default). A producer thread keeps
 * the ring
 * full, so the writer never idles; it parks while the ring is full, so it hardly competes for the CPU. The
 * {@code records} counter is the figure: records appended per second, sustained over the 30 s of measurement
 * (3 x 10 s, after 2 x 5 s of warm-up).
 *
 * <p>At tear-down it prints the queue's bytes per record: the file positions of the first and the last excerpt
 * of the cycle, over the records between them, so Chronicle's 4-byte header, our type and count, the 128-byte
 * records and Chronicle's index are all in.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {ChronicleOnJava17.MISC, ChronicleOnJava17.REF, ChronicleOnJava17.NIO_CH,
        ChronicleOnJava17.SUN_MISC, ChronicleOnJava17.JAVAC_FILE, ChronicleOnJava17.JAVAC, ChronicleOnJava17.LANG,
        ChronicleOnJava17.REFLECT, ChronicleOnJava17.IO, ChronicleOnJava17.UTIL, ChronicleOnJava17.NIO,
        ChronicleOnJava17.NO_ANALYTICS, ChronicleOnJava17.QUIET_LOG})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
public class JournalWriterBenchmark {

    private static final long PRODUCER_PARK_NANOS = 100_000;

    @State(Scope.Benchmark)
    public static class Writer {
        /** How often a signed checkpoint is due, in milliseconds; 0 for none. */
        @Param({"60000", "1000", "0"})
        public long checkpointMillis;

        Path dir;
        JournalQueue queue;
        JournalRing ring;
        JournalWriterAgent writer;
        Thread producer;
        volatile boolean running = true;

        @Setup(Level.Trial)
        public void setUp() throws IOException, GeneralSecurityException {
            dir = Files.createTempDirectory("journal-writer-bench");
            JournalWriterAgent.WriterClock clock = new JournalWriterAgent.WriterClock();
            queue = JournalQueue.openForWrite(dir, LargeRollCycles.LARGE_DAILY, clock);
            ring = JournalRing.open(dir.resolve(Journal.RING_FILE), 16 << 20, 1);
            JournalDictionary dictionary = JournalDictionary.inMemory();
            int consumer = dictionary.id(DictionaryEntryFlyweight.KIND_CONSUMER, "snapp");
            int service = dictionary.id(DictionaryEntryFlyweight.KIND_SERVICE, "nocr/identity");
            int endpoint = dictionary.id(DictionaryEntryFlyweight.KIND_ENDPOINT, "http://10.0.0.5:8080");
            CheckpointSigner signer = checkpointMillis == 0 ? null
                    : new CheckpointSigner(KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate());
            writer = new JournalWriterAgent(ring, queue, () -> JournalQueue.openForWrite(dir,
                    LargeRollCycles.LARGE_DAILY, clock), dictionary, new JournalCounters(), clock,
                    QueueAppend.RESERVED, 0, signer, checkpointMillis);
            writer.recover();
            writer.drainAll();
            producer = new Thread(() -> produce(consumer, service, endpoint), "ring-producer");
            producer.setDaemon(true);
            producer.start();
            writer.onStart();
        }

        private void produce(int consumer, int service, int endpoint) {
            TransactionRecordFlyweight record = new TransactionRecordFlyweight();
            int length = TransactionRecordFlyweight.LENGTH_WITHOUT_BODY_HASHES;
            for (long n = 1; running; n++) {
                int index;
                while ((index = ring.claim(length, true)) < 0) {
                    if (!running) {
                        return;
                    }
                    // Full: the writer has 120,000 records to go. Park rather than spin, so the producer does not
                    // take CPU from the writer it is measuring (on 2 cores each has one only if it idles).
                    LockSupport.parkNanos(PRODUCER_PARK_NANOS);
                }
                record.wrapForWrite(ring.buffer(), index, false)
                        .outcomeCode(1).httpStatus(200).methodCode(MethodCode.GET)
                        .consumerId(consumer).serviceId(service).endpointId(endpoint)
                        .txId(0x0190_0000_7000_0000L | n, 0x8000_0000_0000_0000L | n)
                        .startEpochNanos(System.currentTimeMillis() * 1_000_000L)
                        .totalDurationNanos(250_000).upstreamDurationNanos(200_000)
                        .requestBytes(0).responseBytes(512)
                        .clientIpv4(0x0A000001).clientPort(40_000)
                        .subjectHash(0x5EED_0000_0000_0000L | n, 0x0DD0_0000_0000_0000L ^ n * 0x9E37_79B9_7F4A_7C15L);
                ring.commit(index);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            running = false;
            producer.join();
            printBytesPerRecord();
            writer.onClose();
            ring.close();
            queue.close();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }

        /** Walks the last cycle: from the first excerpt's start to the last excerpt's end, over its records. */
        private void printBytesPerRecord() {
            int cycle = queue.chronicle().rollCycle().toCycle(queue.chronicle().lastIndex());
            long first = -1;
            long end = -1;
            long records = 0;
            long excerpts = 0;
            long checkpoints = 0;
            try (ExcerptTailer tailer = queue.tailer()) {
                if (!tailer.moveToCycle(cycle)) {
                    return;
                }
                while (true) {
                    try (DocumentContext dc = tailer.readingDocument()) {
                        if (!dc.isPresent()) {
                            break;
                        }
                        Bytes<?> bytes = dc.wire().bytes();
                        if (first < 0) {
                            first = bytes.readPosition();
                        }
                        end = bytes.readLimit();
                        excerpts++;
                        if (JournalExcerpt.type(bytes) == RecordType.TRANSACTION_BATCH) {
                            records += JournalExcerpt.batchCount(bytes);
                        } else if (JournalExcerpt.type(bytes) == RecordType.CHECKPOINT) {
                            checkpoints++;
                        }
                    }
                }
            }
            if (records > 0) {
                System.out.printf("%njournal queue: %,d records in %,d excerpts (%,d signed checkpoints), %.2f bytes"
                        + " per record in the cycle file (record %d bytes)%n", records, excerpts, checkpoints,
                        (double) (end - first) / records, TransactionRecordFlyweight.LENGTH_WITHOUT_BODY_HASHES);
            }
        }
    }

    /**
     * Records appended, reported per second; and, printed after each iteration, the writer thread's own CPU
     * time per record: on a machine shared with other work the wall-clock rate is what the writer got, the CPU
     * time is what it costs, and 1e9 / that is what one dedicated core sustains.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Appended {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

        public long records;
        private long cpuAtStart;
        private long wallAtStart;

        @Setup(Level.Iteration)
        public void start() {
            records = 0;
            cpuAtStart = THREADS.getCurrentThreadCpuTime();
            wallAtStart = System.nanoTime();
        }

        @TearDown(Level.Iteration)
        public void report() {
            long cpu = THREADS.getCurrentThreadCpuTime() - cpuAtStart;
            long wall = System.nanoTime() - wallAtStart;
            if (records > 0) {
                System.out.printf("%n  writer thread: %.0f CPU ns per record (%.0f%% of the wall time on CPU),"
                        + " %,.0f records/s per dedicated core%n", (double) cpu / records, 100.0 * cpu / wall,
                        records * 1e9 / cpu);
            }
        }
    }

    @Benchmark
    public int dutyCycle(Writer w, Appended appended) {
        int n = w.writer.doWork();
        appended.records += n;
        return n;
    }
}
