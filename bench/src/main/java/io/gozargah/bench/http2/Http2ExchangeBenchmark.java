package io.gozargah.bench.http2;

import io.gozargah.bench.loop.EventLoopThreads;
import io.gozargah.engine.admission.Admission;
import io.gozargah.engine.admission.AdmissionStage;
import io.gozargah.engine.admission.NanoClock;
import io.gozargah.engine.auth.ApiKeys;
import io.gozargah.engine.auth.ClientCertificate;
import io.gozargah.engine.config.ConfigLoader;
import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.exchange.ExchangeStage;
import io.gozargah.engine.exchange.ExchangeStages;
import io.gozargah.engine.http2.Http2Connection;
import io.gozargah.engine.metrics.MetricsRegistry;
import io.gozargah.engine.server.ServerContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Settings;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/2 stream through the whole front end and its driver, on embedded channels, as
 * {@code Http1ExchangeBenchmark} does for HTTP/1.1: the consumer's HEADERS into {@link Http2Connection} (HPACK,
 * the stream, its exchange: route, authenticate, admit, forward head), the pooled HTTP/1.1 upstream connection's
 * answer back through it (HEADERS and DATA to the client), with the admission and metrics stages on. For
 * {@code -prof gc}: what the HTTP/2 path allocates per request.
 *
 * <p>The client's frames are encoded once, never indexed (so the same bytes decode the same way every time): each
 * operation patches the stream id of the HEADERS and returns the response's DATA to the connection window with a
 * WINDOW_UPDATE in the same read.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled",
        "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", EventLoopThreads.JMH_EXECUTOR,
        EventLoopThreads.JMH_EXECUTOR_CLASS})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class Http2ExchangeBenchmark {
    private static final String KEY = "gzk_bench_0123456789abcdef0123456789";
    private static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + "Content-Length: 27\r\n\r\n{\"id\":\"0012345679\",\"ok\":1}\n").getBytes(StandardCharsets.US_ASCII);
    private static final int BODY_BYTES = 27;
    /** Where a frame's stream id sits in its 9-byte header (RFC 9113 §4.1). */
    private static final int STREAM_ID_OFFSET = 5;

    private final List<EmbeddedChannel> upstreams = new ArrayList<>();
    private Path dir;
    private Admission admission;
    private EmbeddedChannel client;
    private EmbeddedChannel upstream;
    private ByteBufAllocator alloc;
    /** The HEADERS frame (stream id patched per operation) followed by WINDOW_UPDATE on stream 0. */
    private byte[] request;
    private int streamId = 1;

    @Setup
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("bench-http2");
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, ""
                + "server:\n  listeners: [ { port: 0 } ]\n"
                + "admission: { countersFile: counters.dat }\n"
                + "providers:\n  nocr:\n    endpoints: [ \"http://127.0.0.1:9201/api\" ]\n"
                + "    services:\n      identity: { path: /identity, methods: [ GET ] }\n"
                + "consumers:\n  snapp:\n    apiKeys: [ \"" + ApiKeys.configHash(KEY) + "\" ]\n"
                + "    grants: [ { service: nocr/identity, rate: 1000000, burst: 1000000 } ]\n");
        GatewayConfig config = ConfigLoader.load(file);
        admission = Admission.open(config.admission(), NanoClock.SYSTEM);
        MetricsRegistry metrics = new MetricsRegistry(true, 4096);
        List<ExchangeStage> stages = List.of(new AdmissionStage(admission), metrics.stage());
        ServerContext server = new ServerContext(config, () -> {
            EmbeddedChannel ch = new EmbeddedChannel(DefaultChannelId.newInstance(), false, false);
            upstreams.add(ch);
            return ch;
        }, new ExchangeStages(stages), admission, null, NanoClock.SYSTEM);
        client = new EmbeddedChannel();
        Http2Connection.addHandlers(client.pipeline(), server, false, ClientCertificate.NONE);
        alloc = client.alloc();
        encodeClientFrames();
        // The first exchange opens the upstream connection; every measured one reuses it from the pool.
        exchange();
        if (upstreams.size() != 1 || exchange() < BODY_BYTES || upstreams.size() != 1) {
            throw new IllegalStateException("the set-up exchanges were not proxied on one pooled connection");
        }
    }

    private void encodeClientFrames() throws Exception {
        EmbeddedChannel framing = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        ChannelHandlerContext ctx = framing.pipeline().firstContext();
        DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter(Http2HeadersEncoder.ALWAYS_SENSITIVE);
        Http2Headers headers = new DefaultHttp2Headers().method("GET").scheme("https").authority("gateway")
                .path("/nocr/identity/0012345679?full=1");
        headers.add("user-agent", "bench").add("accept", "application/json").add("x-api-key", KEY);
        ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
        writer.writeSettings(ctx, new Http2Settings(), ctx.newPromise());
        ctx.flush();
        client.writeInbound(Unpooled.wrappedBuffer(preface, readAll(framing)));
        drain(client);
        writer.writeHeaders(ctx, 1, headers, 0, true, ctx.newPromise());
        writer.writeWindowUpdate(ctx, 0, BODY_BYTES, ctx.newPromise());
        ctx.flush();
        ByteBuf frames = readAll(framing);
        request = new byte[frames.readableBytes()];
        frames.readBytes(request);
        frames.release();
        framing.finishAndReleaseAll();
    }

    @TearDown
    public void tearDown() throws Exception {
        for (EmbeddedChannel ch : upstreams) {
            ch.finishAndReleaseAll();
        }
        client.finishAndReleaseAll();
        admission.close();
    }

    /** One stream in and its answer out; returns the bytes the client received. */
    @Benchmark
    public int exchange() {
        ByteBuf in = alloc.buffer(request.length).writeBytes(request);
        in.setInt(STREAM_ID_OFFSET, streamId);
        streamId += 2;
        client.pipeline().fireChannelRead(in);
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

    private static ByteBuf readAll(EmbeddedChannel channel) {
        ByteBuf all = Unpooled.buffer();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            all.writeBytes(buf);
            buf.release();
        }
        return all;
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
