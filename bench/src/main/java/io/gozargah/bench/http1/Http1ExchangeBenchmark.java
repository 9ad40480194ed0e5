package io.gozargah.bench.http1;

import io.gozargah.bench.loop.EventLoopThreads;
import io.gozargah.engine.admission.Admission;
import io.gozargah.engine.admission.AdmissionStage;
import io.gozargah.engine.admission.NanoClock;
import io.gozargah.engine.auth.ApiKeys;
import io.gozargah.engine.config.ConfigLoader;
import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.exchange.ExchangeStage;
import io.gozargah.engine.exchange.ExchangeStages;
import io.gozargah.engine.http1.Http1Connection;
import io.gozargah.engine.journal.ChronicleOnJava17;
import io.gozargah.engine.journal.Journal;
import io.gozargah.engine.metrics.MetricsRegistry;
import io.gozargah.engine.server.ServerContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One keep-alive HTTP/1.1 exchange through the whole front end and its driver, on embedded channels: the
 * consumer's request into {@link Http1Connection} (parse, route, authenticate, admit, forward head), the pooled
 * upstream connection's answer back through it (parse, render to the client), with the admission and metrics
 * stages on. No sockets and no other thread: what is measured is the gateway's own work per request, and with
 * {@code -prof gc} its allocation, whose budget on this path is nothing beyond pooled buffers (the request and
 * response bytes here are pooled buffers too). It runs on an event-loop kind of thread ({@link EventLoopThreads}),
 * where Netty's recycled objects come from their pool as they do in the gateway.
 *
 * <p>{@code stages} chooses what is on. {@code admissionMetrics}: one grant's rate limit and the metrics stage.
 * {@code all}: everything {@code bench/config/bench-gozargah-all.yaml} turns on, in the gateway's order: the
 * journal stage of a real {@link Journal} (its ring, its writer agent on its own thread, Chronicle Queue in a
 * temporary folder), admission with every check (consumer and grant rates, daily and monthly quotas, the
 * provider's and the service's in-flight limits), and metrics. The writer drains the ring on its own thread as
 * in the gateway; the benchmark thread only claims and commits records.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled", EventLoopThreads.JMH_EXECUTOR,
        EventLoopThreads.JMH_EXECUTOR_CLASS, ChronicleOnJava17.MISC, ChronicleOnJava17.REF, ChronicleOnJava17.NIO_CH,
        ChronicleOnJava17.SUN_MISC, ChronicleOnJava17.JAVAC_FILE, ChronicleOnJava17.JAVAC, ChronicleOnJava17.LANG,
        ChronicleOnJava17.REFLECT, ChronicleOnJava17.IO, ChronicleOnJava17.UTIL, ChronicleOnJava17.NIO,
        ChronicleOnJava17.NO_ANALYTICS})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class Http1ExchangeBenchmark {
    private static final String KEY = "gzk_bench_0123456789abcdef0123456789";
    private static final byte[] REQUEST = ("GET /nocr/identity/0012345679?full=1 HTTP/1.1\r\nHost: gateway\r\n"
            + "User-Agent: bench\r\nAccept: application/json\r\nX-Api-Key: " + KEY + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + "Content-Length: 27\r\n\r\n{\"id\":\"0012345679\",\"ok\":1}\n").getBytes(StandardCharsets.US_ASCII);

    @Param({"admissionMetrics", "all"})
    public String stages;

    private final List<EmbeddedChannel> upstreams = new ArrayList<>();
    private Path dir;
    private Admission admission;
    private Journal journal;
    private EmbeddedChannel client;
    private EmbeddedChannel upstream;
    private ByteBufAllocator alloc;

    @Setup
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("bench-http1");
        Path file = dir.resolve("gateway.yaml");
        boolean all = "all".equals(stages);
        Files.writeString(file, ""
                + "server:\n  listeners: [ { port: 0 } ]\n"
                + "admission: { countersFile: counters.dat }\n"
                + "providers:\n  nocr:\n    endpoints: [ \"http://127.0.0.1:9201/api\" ]\n"
                + (all ? "    maxConnectionsPerLoop: 64\n    maxInFlight: 100000\n" : "")
                + "    services:\n      identity: { path: /identity, methods: [ GET ]"
                + (all ? ", maxInFlight: 100000" : "") + " }\n"
                + "consumers:\n  snapp:\n    apiKeys: [ \"" + ApiKeys.configHash(KEY) + "\" ]\n"
                + (all ? "    rate: 1000000\n    burst: 1000000\n" : "")
                + "    grants: [ { service: nocr/identity, rate: 1000000, burst: 1000000"
                + (all ? ", quotaDay: 1000000000000, quotaMonth: 1000000000000" : "") + " } ]\n"
                + (all ? "journal:\n  dir: journal\n" : ""));
        GatewayConfig config = ConfigLoader.load(file);
        admission = Admission.open(config.admission(), NanoClock.SYSTEM);
        MetricsRegistry metrics = new MetricsRegistry(true, 4096);
        List<ExchangeStage> stageList = new ArrayList<>();
        if (all) {
            journal = Journal.start(config.journal(), 1);
            stageList.add(journal.stage());
        }
        stageList.add(new AdmissionStage(admission));
        stageList.add(metrics.stage());
        ServerContext server = new ServerContext(config, () -> {
            EmbeddedChannel ch = new EmbeddedChannel(DefaultChannelId.newInstance(), false, false);
            upstreams.add(ch);
            return ch;
        }, new ExchangeStages(stageList), admission, journal == null ? null : journal.dictionary(), NanoClock.SYSTEM);
        client = new EmbeddedChannel(new Http1Connection(server));
        alloc = client.alloc();
        // The first exchange opens the upstream connection; every measured one reuses it from the pool.
        exchange();
        client.pipeline().fireChannelRead(alloc.buffer(REQUEST.length).writeBytes(REQUEST));
        client.pipeline().fireChannelReadComplete();
        drain(upstream);
        upstream.pipeline().fireChannelRead(alloc.buffer(RESPONSE.length).writeBytes(RESPONSE));
        upstream.pipeline().fireChannelReadComplete();
        ByteBuf answer = client.readOutbound();
        String head = answer == null ? "nothing" : answer.toString(StandardCharsets.US_ASCII);
        if (answer != null) {
            answer.release();
        }
        if (!head.startsWith("HTTP/1.1 200 ") || upstreams.size() != 1) {
            throw new IllegalStateException("the set-up exchange was not proxied on a pooled connection: " + head);
        }
    }

    @TearDown
    public void tearDown() throws Exception {
        for (EmbeddedChannel ch : upstreams) {
            ch.finishAndReleaseAll();
        }
        client.finishAndReleaseAll();
        admission.close();
        if (journal != null) {
            long refusals = journal.counters().refusals();
            journal.close();
            long written = journal.counters().recordsWritten();
            // A refusal (a full ring) would have measured 503s instead of proxied exchanges.
            if (refusals != 0 || written == 0) {
                throw new IllegalStateException("the journal refused " + refusals + " exchanges and wrote " + written
                        + " records");
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    /** One request in and its answer out; returns the bytes the client received. */
    @Benchmark
    public int exchange() {
        client.pipeline().fireChannelRead(alloc.buffer(REQUEST.length).writeBytes(REQUEST));
        client.pipeline().fireChannelReadComplete();
        if (upstream == null) {
            client.runPendingTasks(); // the first connect completes on the loop
            if (upstreams.isEmpty()) {
                throw new IllegalStateException("no upstream connection was opened");
            }
            upstream = upstreams.get(0);
        }
        drain(upstream);
        upstream.pipeline().fireChannelRead(alloc.buffer(RESPONSE.length).writeBytes(RESPONSE));
        upstream.pipeline().fireChannelReadComplete();
        return drain(client);
    }

    /**
     * The baseline for {@link #exchange}'s allocation: the four pooled buffers an exchange takes (the request and
     * response bytes as a socket would read them, the forward head, the client's gathering buffer), alone. What
     * the exchange allocates beyond this figure is the gateway's own.
     */
    @Benchmark
    public int pooledBuffersAlone() {
        ByteBuf request = alloc.buffer(REQUEST.length).writeBytes(REQUEST);
        ByteBuf head = alloc.ioBuffer(REQUEST.length + 256).writeBytes(REQUEST);
        ByteBuf response = alloc.buffer(RESPONSE.length).writeBytes(RESPONSE);
        ByteBuf out = alloc.ioBuffer(4096).writeBytes(RESPONSE);
        int bytes = request.readableBytes() + head.readableBytes() + response.readableBytes() + out.readableBytes();
        request.release();
        head.release();
        response.release();
        out.release();
        return bytes;
    }

    private static int drain(EmbeddedChannel channel) {
        int bytes = 0;
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            bytes += buf.readableBytes();
            buf.release();
        }
        return bytes;
    }
}
