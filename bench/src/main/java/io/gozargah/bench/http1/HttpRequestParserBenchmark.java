package io.gozargah.bench.http1;

import io.gozargah.codec.http1.Http1Limits;
import io.gozargah.codec.http1.HttpRequestParser;
import io.gozargah.codec.http1.ParseResult;
import io.gozargah.codec.http1.RequestHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
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

import java.util.concurrent.TimeUnit;

/**
 * Our HTTP/1.1 request parser against Netty's {@link HttpRequestDecoder}, on the same bytes: one whole
 * request per operation, head and body, as a keep-alive connection delivers them.
 *
 * <p>Both sides read one direct, pooled buffer filled once in {@code @Setup} and re-read every operation
 * (reader index reset, no copy), both parse the head and the body to the end of the message, and both
 * return what they saw so nothing is dead code:
 * <ul>
 * <li>{@link #gozargah}: {@code parse} until MESSAGE_COMPLETE, skipping the BODY bytes as the caller
 * must. The parser is reused across operations like one connection's parser across its requests.</li>
 * <li>{@link #netty}: the decoder in an {@link EmbeddedChannel} followed by one handler that reads and
 * releases every decoded message (what the next handler of a real server pipeline does). Each operation
 * fires {@code channelRead} with a retained duplicate of the input and then {@code channelReadComplete},
 * exactly what a transport's read loop does for one read. The decoder takes the duplicate as its
 * cumulation without copying, slices the body out of it, and releases it when drained.</li>
 * </ul>
 * The difference being measured is the design's: offsets into the buffer versus Netty's request object,
 * header map and strings. Run with {@code -prof gc} to see it as bytes per operation.
 *
 * <p>Each state checks in {@code @Setup} that its parser produces exactly the expected request, so a
 * broken parser fails the benchmark instead of measuring garbage. The two states are separate so that either
 * side can be measured alone ({@code -p} or a benchmark name pattern).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// One fork keeps a run short on the shared 2-core machine; use -f 3 or more for figures to publish.
// Warm-up is 5 x 2 s: in a smoke run there, Netty's decoder was still 4x off its steady speed in the
// second warm-up second (C2 compiles its large decode loop late); our parser is smaller but gets the
// same. Measurement is 5 x 1 s, enough to see whether a result is steady. Leak detection is off because
// Netty's default (SIMPLE) samples allocations at random and would add noise to one side only.
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled",
        "-Dlogback.configurationFile=logback-bench.xml"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
public class HttpRequestParserBenchmark {

    /** Our parser over the request. */
    @State(Scope.Thread)
    public static class GozargahState {
        @Param
        SampleRequest request;

        ByteBuf input;
        HttpRequestParser parser;

        @Setup(Level.Trial)
        public void setUp() {
            input = directCopy(request);
            parser = new HttpRequestParser(Http1Limits.defaults());
            verify();
        }

        private void verify() {
            input.readerIndex(0);
            check(parser.parse(input) == ParseResult.HEAD, "first result is not HEAD");
            RequestHead head = parser.head();
            check(head.method() == request.method(), "method " + head.method());
            check(request.target().equals(head.targetString()), "target " + head.targetString());
            check(head.versionMinor() == 1, "version minor " + head.versionMinor());
            check(head.headers().size() == SampleRequest.HEADER_COUNT, "header count " + head.headers().size());
            check(head.framing() == request.framing(), "framing " + head.framing());
            check(head.headLength() == request.length() - request.bodyLength(), "head length " + head.headLength());
            long expectedContentLength = request.bodyLength() == 0 ? -1 : request.bodyLength();
            check(head.contentLength() == expectedContentLength, "content length " + head.contentLength());
            check(head.keepAlive(), "not keep-alive");
            parser.reset();
            // The benchmark's own loop must then see the rest of the message, twice over: the second
            // time proves the parser is ready for the next message on the connection.
            input.readerIndex(0);
            long expected = gozargah(this);
            check(expected == request.length() + SampleRequest.HEADER_COUNT, "benchmark saw " + expected);
            check(gozargah(this) == expected, "second message differs");
            check(!input.isReadable(), "bytes left unread: " + input.readableBytes());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            input.release();
        }
    }

    /** Netty's decoder over the same request. */
    @State(Scope.Thread)
    public static class NettyState {
        @Param
        SampleRequest request;

        ByteBuf input;
        EmbeddedChannel channel;
        ChannelPipeline pipeline;
        DecodedMessageSink sink;

        @Setup(Level.Trial)
        public void setUp() {
            input = directCopy(request);
            sink = new DecodedMessageSink();
            channel = new EmbeddedChannel(new HttpRequestDecoder(), sink);
            pipeline = channel.pipeline();
            verify();
        }

        private void verify() {
            long seen = netty(this);
            HttpRequest r = sink.lastRequest;
            check(sink.requests == 1 && sink.lastMessages == 1, "requests " + sink.requests + ", ends " + sink.lastMessages);
            check(r != null && r.decoderResult().isSuccess(), "decoder result " + (r == null ? null : r.decoderResult()));
            check(r.method().name().equals(request.method().name()), "method " + r.method());
            check(request.target().equals(r.uri()), "uri " + r.uri());
            check(r.headers().size() == SampleRequest.HEADER_COUNT, "header count " + r.headers().size());
            check(seen == request.bodyLength() + SampleRequest.HEADER_COUNT, "benchmark saw " + seen);
            check(netty(this) == 2 * seen, "second message differs");
            check(input.refCnt() == 1 && input.readerIndex() == 0, "input changed: refCnt " + input.refCnt());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            check(!channel.finish(), "decoder left messages behind");
            input.release();
        }
    }

    /** Reads and releases every decoded message, as the handler after the decoder in a server would. */
    static final class DecodedMessageSink extends ChannelInboundHandlerAdapter {
        long seen;
        int requests;
        int lastMessages;
        HttpRequest lastRequest;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequest request) {
                    requests++;
                    lastRequest = request;
                    seen += request.headers().size();
                }
                if (msg instanceof HttpContent content) {
                    seen += content.content().readableBytes();
                }
                if (msg instanceof LastHttpContent) {
                    lastMessages++;
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    /** Returns bytes of the whole request plus the number of header fields. */
    @Benchmark
    public static long gozargah(GozargahState s) {
        ByteBuf in = s.input;
        HttpRequestParser parser = s.parser;
        in.readerIndex(0);
        long seen = 0;
        while (true) {
            ParseResult result = parser.parse(in);
            switch (result) {
                case HEAD -> seen += parser.head().headLength() + parser.head().headers().size();
                case BODY -> {
                    int n = parser.bodyBytes();
                    in.skipBytes(n);
                    seen += n;
                }
                case MESSAGE_COMPLETE -> {
                    return seen;
                }
                // The whole message is in the buffer: anything else is a parser bug.
                default -> throw new IllegalStateException(result + " at index " + in.readerIndex()
                        + " of a whole " + s.request + (result == ParseResult.ERROR ? ": " + parser.error() : ""));
            }
        }
    }

    /** Returns the running count of body bytes plus header fields the decoder has produced. */
    @Benchmark
    public static long netty(NettyState s) {
        s.pipeline.fireChannelRead(s.input.retainedDuplicate());
        s.pipeline.fireChannelReadComplete();
        return s.sink.seen;
    }

    static ByteBuf directCopy(SampleRequest request) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(request.length(), request.length());
        return buf.writeBytes(request.bytes());
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("parser sanity check failed: " + what);
        }
    }
}
