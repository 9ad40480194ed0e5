package io.gozargah.bench.cache;

import io.gozargah.codec.http1.Http1Limits;
import io.gozargah.codec.http1.HttpMethod;
import io.gozargah.codec.http1.HttpResponseParser;
import io.gozargah.codec.http1.ParseResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
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

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * How a kept answer is best held for a hit (issue 18: "one compact byte[] or off-heap pooled buffers, whichever
 * measures better"): each operation is what serving one hit does with its bytes, the head read by the response
 * parser and the head and body copied into a direct buffer (the client connection's gathering buffer, or the
 * socket's), from
 * <ul>
 *   <li>{@code arrayWrapped}: one {@code byte[]}, wrapped without copying (what the gateway does);</li>
 *   <li>{@code arrayCopied}: one {@code byte[]}, first copied into a pooled heap buffer;</li>
 *   <li>{@code pooledDirect}: a pooled direct buffer shared by every hit, each taking a retained duplicate and
 *       releasing it (a reference count every event loop touches, and an entry evicted while served must not be
 *       freed under it).</li>
 * </ul>
 * Run with {@code -prof gc} too: the array is a few hundred bytes of young garbage per hit, the direct buffer none.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 1)
public class CachedAnswerBenchmark {
    @Param({"200", "4096", "65536"})
    public int bodyBytes;

    private final PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final HttpResponseParser parser = new HttpResponseParser(new Http1Limits(8192, 100, 65536, 1024));
    private byte[] answer;
    private int headLength;
    private ByteBuf shared;
    private ByteBuf out;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nDate: Sun, 06 Dec 2026 10:00:00 GMT\r\n"
                + "Server: provider\r\nContent-Length: " + bodyBytes + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        headLength = head.length;
        answer = new byte[head.length + bodyBytes];
        System.arraycopy(head, 0, answer, 0, head.length);
        for (int i = head.length; i < answer.length; i++) {
            answer[i] = (byte) ('a' + i % 26);
        }
        shared = alloc.directBuffer(answer.length);
        shared.writeBytes(answer);
        out = alloc.directBuffer(answer.length + 256);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        shared.release();
        out.release();
    }

    @Benchmark
    public int arrayWrapped() {
        return serve(Unpooled.wrappedBuffer(answer));
    }

    @Benchmark
    public int arrayCopied() {
        ByteBuf buf = alloc.heapBuffer(answer.length);
        buf.writeBytes(answer);
        return serve(buf);
    }

    @Benchmark
    public int pooledDirect() {
        return serve(shared.retainedDuplicate());
    }

    /** Reads the head, copies head and body out, releases the buffer: the bytes' part of one hit. */
    private int serve(ByteBuf buf) {
        parser.reset();
        parser.expectResponseTo(HttpMethod.GET);
        if (parser.parse(buf) == ParseResult.ERROR) {
            throw new IllegalStateException(parser.error().toString());
        }
        out.clear();
        out.writeBytes(buf, 0, headLength);
        out.writeBytes(buf, headLength, buf.writerIndex() - headLength);
        int status = parser.head().status();
        buf.release();
        return status + out.writerIndex();
    }
}
