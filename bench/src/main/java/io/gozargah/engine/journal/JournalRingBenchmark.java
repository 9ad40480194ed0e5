package io.gozargah.engine.journal;

import io.gozargah.codec.journal.MethodCode;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import org.agrona.MutableDirectBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What an event loop pays to journal one transaction: claim a slot in the memory-mapped {@link JournalRing},
 * fill a {@link TransactionRecordFlyweight} (every field, IPv4 client), commit. One producer thread, as one event
 * loop; a consumer thread drains the ring with a no-op handler so it never fills (on the 2-core machine each
 * has a core). {@link #claimFillCommitWithBodyHashes} adds the 64 bytes of body hashes.
 *
 * <p>Lives in the journal's package (JMH benchmarks sit next to the code they measure) to reach the ring's
 * package-private parts without widening them.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {ChronicleOnJava17.MISC, ChronicleOnJava17.REF, ChronicleOnJava17.NIO_CH,
        ChronicleOnJava17.SUN_MISC, ChronicleOnJava17.JAVAC_FILE, ChronicleOnJava17.JAVAC, ChronicleOnJava17.LANG,
        ChronicleOnJava17.REFLECT, ChronicleOnJava17.IO, ChronicleOnJava17.UTIL, ChronicleOnJava17.NIO,
        ChronicleOnJava17.NO_ANALYTICS, ChronicleOnJava17.QUIET_LOG})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class JournalRingBenchmark {
    private static final byte[] HASH = new byte[32];

    @State(Scope.Benchmark)
    public static class Ring {
        Path dir;
        JournalRing ring;
        Thread consumer;
        volatile boolean running = true;
        final TransactionRecordFlyweight record = new TransactionRecordFlyweight();
        long seq;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            dir = Files.createTempDirectory("journal-ring-bench");
            ring = JournalRing.open(dir.resolve(Journal.RING_FILE), 16 << 20, 1);
            JournalRing.Drain skip = new JournalRing.Drain() {
                @Override
                public void record(int type, MutableDirectBuffer buffer, int index, int length) {
                }

                @Override
                public void end() {
                }
            };
            consumer = new Thread(() -> {
                while (running) {
                    if (ring.drain(skip, JournalWriterAgent.BATCH) == 0) {
                        Thread.onSpinWait();
                    }
                }
            }, "ring-consumer");
            consumer.setDaemon(true);
            consumer.start();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            running = false;
            consumer.join();
            ring.close();
            Files.deleteIfExists(dir.resolve(Journal.RING_FILE));
            Files.deleteIfExists(dir);
        }

        int write(boolean hashes) {
            int length = TransactionRecordFlyweight.length(hashes);
            int index;
            while ((index = ring.claim(length, true)) < 0) {
                Thread.onSpinWait(); // the consumer is behind: never measured as a fast failure
            }
            long n = ++seq;
            TransactionRecordFlyweight r = record.wrapForWrite(ring.buffer(), index, hashes)
                    .outcomeCode(1).httpStatus(200).methodCode(MethodCode.GET)
                    .consumerId(3).serviceId(7).endpointId(9)
                    .txId(0x0190_0000_7000_0000L | n, 0x8000_0000_0000_0000L | n)
                    .startEpochNanos(1_790_000_000_000_000_000L + n)
                    .totalDurationNanos(250_000).upstreamDurationNanos(200_000)
                    .requestBytes(0).responseBytes(512)
                    .clientIpv4(0x7F000001).clientPort(40_000);
            if (hashes) {
                r.requestBodySha256(HASH).responseBodySha256(HASH);
            }
            ring.commit(index);
            return index;
        }
    }

    @Benchmark
    public int claimFillCommit(Ring ring) {
        return ring.write(false);
    }

    @Benchmark
    public int claimFillCommitWithBodyHashes(Ring ring) {
        return ring.write(true);
    }
}
