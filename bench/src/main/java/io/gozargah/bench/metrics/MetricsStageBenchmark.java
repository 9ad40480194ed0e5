package io.gozargah.bench.metrics;

import io.gozargah.engine.config.ConfigLoader;
import io.gozargah.engine.exchange.Exchange;
import io.gozargah.engine.exchange.ExchangeStage;
import io.gozargah.engine.exchange.Outcome;
import io.gozargah.engine.metrics.MetricsRegistry;
import io.gozargah.engine.route.RoutingSnapshot;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What the metrics stage adds to one exchange: {@code complete()} for a proxied request (counters, bytes, two
 * latency recordings into packed HdrHistograms, fixed buckets), with latencies drawn from a spread of 50 us to
 * 50 ms so the recorders touch many buckets, as real traffic does. A proxied request costs tens of
 * microseconds of CPU in bench-proxy; this is the part of it the stage is. Run with {@code -prof gc} to see the
 * allocation per operation (the budget is none).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 1)
public class MetricsStageBenchmark {
    private static final int SPREAD = 1024;

    private ExchangeStage stage;
    private MetricsRegistry registry;
    private Exchange exchange;
    private final long[] upstreamNanos = new long[SPREAD];
    private int next;

    @Setup
    public void setUp() throws Exception {
        Path file = Files.createTempFile("bench-metrics", ".yaml");
        Files.writeString(file, ""
                + "server:\n  listeners: [ { port: 0 } ]\n"
                + "providers:\n  nocr:\n    endpoints: [ \"http://127.0.0.1:9201\" ]\n"
                + "    services:\n      identity: { path: /api }\n"
                + "consumers:\n  snapp:\n    apiKeys: [ \"" + "0".repeat(64) + "\" ]\n"
                + "    grants: [ { service: nocr/identity } ]\n");
        RoutingSnapshot snapshot = RoutingSnapshot.build(ConfigLoader.load(file));
        Files.delete(file);
        registry = new MetricsRegistry(true, 4096);
        stage = registry.stage();
        exchange = new Exchange(null);
        exchange.start(1, 2, 1_000, 1_000);
        exchange.snapshot(snapshot);
        exchange.service(snapshot.services().get(0));
        exchange.consumer(snapshot.consumer("snapp"));
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < SPREAD; i++) {
            // log-uniform from 50 us to 50 ms
            upstreamNanos[i] = (long) (50_000 * Math.pow(1000, random.nextDouble()));
        }
    }

    @Benchmark
    public long completeProxied() {
        Exchange x = exchange;
        long upstream = upstreamNanos[next++ & (SPREAD - 1)];
        x.upstreamStartNanos(2_000);
        x.responseHeadNanos(2_000 + upstream / 2);
        x.addResponseBodyBytes(37);
        x.status(200);
        x.outcome(Outcome.PROXIED);
        x.endNanos(2_000 + upstream + 20_000);
        stage.complete(x);
        return x.endNanos();
    }
}
