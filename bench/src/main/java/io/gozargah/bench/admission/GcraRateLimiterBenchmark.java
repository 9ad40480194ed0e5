package io.gozargah.bench.admission;

import io.gozargah.engine.admission.GcraRateLimiter;
import io.gozargah.engine.admission.NanoClock;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cost of one {@link GcraRateLimiter#tryAcquire(int)} decision, clock reading included (the proxy
 * reads {@link System#nanoTime()} once per request for it), on one thread, on 4 threads sharing one key,
 * and on 4 threads with a key each.
 *
 * <p>{@code outcome} chooses which path is measured:
 * <ul>
 * <li>{@code ADMIT}: 1e9 per second with a burst of 1e9, so every call finds capacity and does its
 * compare-and-set; on a shared key this is the contended case.</li>
 * <li>{@code REJECT}: 1 per 1000 s with a burst of 1, exhausted in {@code @Setup}, so every call only reads
 * the TAT and returns the wait: what an abusive client costs us.</li>
 * </ul>
 * {@link #clockOnly} is the baseline to subtract; {@link #singleThreadGivenTime} measures without it. {@code stride} spaces the per-thread keys of
 * {@link #distinctKeys4Threads}: 1 is adjacent dense ids (8 TATs per 64-byte cache line, so threads
 * false-share), 16 puts each on its own line pair; the difference is what padding would buy.
 *
 * <p>The shared machine has 2 cores, so 4 threads time-share them: read the 4-thread figures as
 * per-operation latency under oversubscription, and compare them with each other, not with 1 thread.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// The loop body is tiny and compiles early: 3 x 1 s warm-up suffices; one fork keeps a run short.
// The limiter's state is an Agrona buffer (the counters file's layout), and Agrona reaches Unsafe through
// jdk.internal.misc on Java 17: the fork needs the export the launcher and the tests already have.
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GcraRateLimiterBenchmark {

    public enum Outcome {
        ADMIT(1e9, 1_000_000_000),
        REJECT(1e-3, 1);

        final double rate;
        final int burst;

        Outcome(double rate, int burst) {
            this.rate = rate;
            this.burst = burst;
        }
    }

    private static final int MAX_THREADS = 64;
    private static final int MAX_STRIDE = 16;

    /** One limiter shared by all threads of a benchmark. */
    @State(Scope.Benchmark)
    public static class Limiter {
        @Param
        Outcome outcome;

        GcraRateLimiter limiter;
        final AtomicInteger nextThread = new AtomicInteger();

        @Setup(Level.Trial)
        public void setUp() {
            limiter = new GcraRateLimiter(outcome.rate, outcome.burst, MAX_THREADS * MAX_STRIDE, NanoClock.SYSTEM);
            for (int key = 0; key < limiter.keys(); key++) {
                // Spend the burst so REJECT rejects from the first call; ADMIT keeps ~1e9 of headroom.
                for (int i = 0; i < Math.min(outcome.burst, 1_000); i++) {
                    limiter.tryAcquire(key);
                }
                boolean admitted = GcraRateLimiter.isAdmitted(limiter.tryAcquire(key));
                if (admitted != (outcome == Outcome.ADMIT)) {
                    throw new IllegalStateException(outcome + " setup: admitted=" + admitted);
                }
            }
        }
    }

    /** A key of its own for each thread of {@link #distinctKeys4Threads}. */
    @State(Scope.Thread)
    public static class ThreadKey {
        @Param({"1", "16"})
        int stride;

        int key;

        @Setup(Level.Trial)
        public void setUp(Limiter shared) {
            key = shared.nextThread.getAndIncrement() % MAX_THREADS * stride;
        }
    }

    @Benchmark
    public long clockOnly() {
        return System.nanoTime();
    }

    /** A fake clock for {@link #singleThreadGivenTime}, 1 ns further on every operation. */
    @State(Scope.Thread)
    public static class ThreadTime {
        long now;

        @Setup(Level.Trial)
        public void setUp() {
            now = System.nanoTime();
        }
    }

    /**
     * The decision alone, clock reading excluded. One thread only: threads with clocks of their own would
     * step each other's TAT back and forth and measure something no deployment does.
     */
    @Benchmark
    @Threads(1)
    public long singleThreadGivenTime(Limiter shared, ThreadTime time) {
        return shared.limiter.tryAcquire(0, time.now++);
    }

    @Benchmark
    @Threads(1)
    public long singleThread(Limiter shared) {
        return shared.limiter.tryAcquire(0);
    }

    @Benchmark
    @Threads(4)
    public long oneKey4Threads(Limiter shared) {
        return shared.limiter.tryAcquire(0);
    }

    @Benchmark
    @Threads(4)
    public long distinctKeys4Threads(Limiter shared, ThreadKey thread) {
        return shared.limiter.tryAcquire(thread.key);
    }
}
