package io.gozargah.engine.http1;

import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.RawHttpClient.Response;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 50 MB bodies both ways through the gateway, which must stream them (DESIGN.md "Bodies stream"): the
 * upstream counts request bytes without aggregating, and a response pushed by the upstream as fast as its
 * channel allows stalls, with a bounded amount in flight, while the client does not read.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LargeBodyIT {
    private static final long BODY = 50L * 1024 * 1024;
    private static final int BLOCK = 64 * 1024;
    /** What may sit between a stalled client and the upstream: kernel buffers of three sockets and Netty's watermarks. */
    private static final long MAX_IN_FLIGHT = 20L * 1024 * 1024;
    private static final byte[] PATTERN = new byte[BLOCK];

    static {
        for (int i = 0; i < BLOCK; i++) {
            PATTERN[i] = (byte) (i * 31 + (i >>> 8) * 7);
        }
    }

    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private GatewayFixture gateway;

    private void startGateway() throws Exception {
        gateway = setup.start(setup.standardYaml(null,
                "  maxRequestBodyBytes: " + (2 * BODY) + "\n"));
    }

    private static long expectedCrc() {
        CRC32 crc = new CRC32();
        for (long n = 0; n < BODY; n += BLOCK) {
            crc.update(PATTERN, 0, (int) Math.min(BLOCK, BODY - n));
        }
        return crc.getValue();
    }

    /** Counts and checksums request content as it arrives (never aggregated), answering "bytes crc framing". */
    private static final class CountingHandler extends ChannelInboundHandlerAdapter {
        private final TestUpstream[] owner;
        private final AtomicLong largestPiece;
        private long bytes;
        private final CRC32 crc = new CRC32();
        private String framing;

        CountingHandler(TestUpstream[] owner, AtomicLong largestPiece) {
            this.owner = owner;
            this.largestPiece = largestPiece;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequest req) {
                    bytes = 0;
                    crc.reset();
                    framing = HttpUtil.isTransferEncodingChunked(req) ? "chunked"
                            : "length:" + req.headers().get(HttpHeaderNames.CONTENT_LENGTH);
                }
                if (msg instanceof HttpContent content) {
                    ByteBuf b = content.content();
                    bytes += b.readableBytes();
                    largestPiece.accumulateAndGet(b.readableBytes(), Math::max);
                    crc.update(b.nioBuffer());
                }
                if (msg instanceof LastHttpContent) {
                    owner[0].countRequest();
                    FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                            Unpooled.copiedBuffer(bytes + " " + crc.getValue() + " " + framing, StandardCharsets.UTF_8));
                    resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
                    ctx.writeAndFlush(resp);
                }
            } finally {
                io.netty.util.ReferenceCountUtil.release(msg);
            }
        }
    }

    private void startCountingUpstream(AtomicLong largestPiece) throws Exception {
        startCountingUpstream(largestPiece, false);
    }

    /**
     * @param stuttering the upstream stops reading for a moment after every few reads, so that the
     *                   gateway keeps body slices queued behind a full socket while more input arrives
     */
    private void startCountingUpstream(AtomicLong largestPiece, boolean stuttering) throws Exception {
        TestUpstream[] self = new TestUpstream[1];
        upstream = setup.provider(TestUpstream.raw(() -> new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                if (stuttering) {
                    ch.pipeline().addLast(new StutteringReader());
                }
                ch.pipeline().addLast(new HttpServerCodec(), new CountingHandler(self, largestPiece));
            }
        }));
        self[0] = upstream;
    }

    /** Pauses reading for 2 ms after every 8 reads: a provider that drains its socket unevenly. */
    private static final class StutteringReader extends ChannelInboundHandlerAdapter {
        private int reads;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.fireChannelRead(msg);
            if (++reads % 8 == 0) {
                ctx.channel().config().setAutoRead(false);
                ctx.executor().schedule(() -> ctx.channel().config().setAutoRead(true), 2,
                        java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        }
    }

    private String upload(boolean chunked) throws Exception {
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            c.send("POST /prov/svc HTTP/1.1\r\nHost: gw.test\r\nX-Api-Key: " + ALICE_KEY + "\r\n"
                    + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + BODY + "\r\n") + "\r\n");
            OutputStream out = c.output();
            for (long n = 0; n < BODY; n += BLOCK) {
                int len = (int) Math.min(BLOCK, BODY - n);
                if (chunked) {
                    out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                }
                out.write(PATTERN, 0, len);
                if (chunked) {
                    out.write(new byte[] {'\r', '\n'});
                }
            }
            if (chunked) {
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.flush();
            Response r = c.read();
            assertEquals(200, r.status(), r.bodyText());
            return r.bodyText();
        }
    }

    @Test
    void shouldStreamLargeRequestBodyWithContentLength() throws Exception {
        AtomicLong largestPiece = new AtomicLong();
        startCountingUpstream(largestPiece);
        startGateway();
        assertEquals(BODY + " " + expectedCrc() + " length:" + BODY, upload(false));
        assertEquals(1, upstream.requests());
    }

    @Test
    void shouldStreamLargeRequestBodyChunked() throws Exception {
        AtomicLong largestPiece = new AtomicLong();
        startCountingUpstream(largestPiece);
        startGateway();
        assertEquals(BODY + " " + expectedCrc() + " chunked", upload(true));
        assertEquals(1, upstream.requests());
        assertTrue(largestPiece.get() < 4 * 1024 * 1024, "forwarded in pieces, not as one aggregate: "
                + largestPiece.get());
    }

    @Test
    void shouldKeepBodyBytesIntactWhileTheUpstreamDrainsUnevenly() throws Exception {
        // Regression: compacting the input buffer while slices of it were still queued for the upstream
        // moved their bytes before they were written (right length, wrong content).
        AtomicLong largestPiece = new AtomicLong();
        startCountingUpstream(largestPiece, true);
        startGateway();
        assertEquals(BODY + " " + expectedCrc() + " chunked", upload(true));
        assertEquals(BODY + " " + expectedCrc() + " length:" + BODY, upload(false));
    }

    /** Writes a 50 MB response in blocks, only while its channel is writable, and records what backpressure it met. */
    private static final class PushingHandler extends ChannelInboundHandlerAdapter {
        final AtomicLong written;
        final AtomicBoolean unwritableNow;
        final CountDownLatch becameUnwritable;
        final CountDownLatch finished;
        private boolean pushing;
        private boolean inPush;

        PushingHandler(AtomicLong written, AtomicBoolean unwritableNow, CountDownLatch becameUnwritable,
                       CountDownLatch finished) {
            this.written = written;
            this.unwritableNow = unwritableNow;
            this.becameUnwritable = becameUnwritable;
            this.finished = finished;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            // Small send buffer: what the upstream has written is then close to what the gateway has taken.
            ctx.channel().config().setOption(io.netty.channel.ChannelOption.SO_SNDBUF, 64 * 1024);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            boolean last = msg instanceof LastHttpContent;
            io.netty.util.ReferenceCountUtil.release(msg);
            if (last && !pushing) {
                pushing = true;
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                head.headers().set(HttpHeaderNames.CONTENT_LENGTH, BODY);
                ctx.write(head);
                push(ctx);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            unwritableNow.set(!ctx.channel().isWritable());
            // Fired from inside our own write when the buffer crosses the high watermark: resume only from outside.
            if (pushing && !inPush && ctx.channel().isWritable()) {
                push(ctx);
            }
            ctx.fireChannelWritabilityChanged();
        }

        private void push(ChannelHandlerContext ctx) {
            inPush = true;
            try {
                pushSome(ctx);
            } finally {
                inPush = false;
            }
        }

        private void pushSome(ChannelHandlerContext ctx) {
            for (;;) {
                while (ctx.channel().isWritable() && written.get() < BODY) {
                    int len = (int) Math.min(BLOCK, BODY - written.get());
                    ctx.write(new DefaultHttpContent(ctx.alloc().buffer(len).writeBytes(PATTERN, 0, len)));
                    written.addAndGet(len);
                    if (!ctx.channel().isWritable()) {
                        unwritableNow.set(true);
                        if (written.get() > 2 * 1024 * 1024) {
                            // Only past what the paused client reads first (1 MB) does this mean the gateway held back.
                            becameUnwritable.countDown();
                        }
                    }
                }
                if (written.get() == BODY) {
                    pushing = false;
                    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                    finished.countDown();
                    return;
                }
                ctx.flush();
                if (!ctx.channel().isWritable()) {
                    // Still above the watermark after the flush: the writability event resumes us later.
                    return;
                }
            }
        }
    }

    @Test
    void shouldStreamLargeResponseWithBackpressureToTheUpstream() throws Exception {
        AtomicLong written = new AtomicLong();
        AtomicBoolean unwritableNow = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        CountDownLatch becameUnwritable = new CountDownLatch(1);
        upstream = setup.provider(TestUpstream.raw(() -> new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpServerCodec(), new PushingHandler(written, unwritableNow, becameUnwritable, finished));
            }
        }));
        startGateway();

        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(64 * 1024);
            s.setSoTimeout(10_000);
            s.connect(new InetSocketAddress("127.0.0.1", gateway.port()));
            s.getOutputStream().write(("GET /prov/svc HTTP/1.1\r\nHost: gw.test\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 200 "), head);
            assertTrue(head.toLowerCase(java.util.Locale.ROOT).contains("\r\ncontent-length: " + BODY + "\r\n"), head);

            CRC32 crc = new CRC32();
            byte[] buf = new byte[BLOCK];
            long read = readUpTo(in, 1024 * 1024, crc, buf);

            // The client stops reading. The upstream must be held back: it stops being writable and cannot
            // finish its 50 MB while nobody reads them.
            assertTrue(becameUnwritable.await(10, TimeUnit.SECONDS), "the upstream met backpressure");
            assertFalse(finished.await(500, TimeUnit.MILLISECONDS),
                    "the upstream finished pushing 50 MB to a client that read " + read + " bytes: the gateway buffered it");
            long inFlight = written.get() - read;
            assertTrue(inFlight < MAX_IN_FLIGHT, "in flight while the client paused: " + inFlight + " bytes");
            long used = usedDirectMemory();
            assertTrue(used < MAX_IN_FLIGHT, "Netty direct memory in use while the client paused: " + used);

            read += readUpTo(in, BODY - read, crc, buf);
            assertEquals(BODY, read);
            assertEquals(expectedCrc(), crc.getValue(), "the body arrived intact and in order");
            assertTrue(finished.await(5, TimeUnit.SECONDS));
        }
    }

    private static long usedDirectMemory() {
        ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
        if (alloc instanceof ByteBufAllocatorMetricProvider p) {
            return p.metric().usedDirectMemory();
        }
        return 0;
    }

    private static long readUpTo(InputStream in, long limit, CRC32 crc, byte[] buf) throws java.io.IOException {
        long total = 0;
        while (total < limit) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, limit - total));
            if (n < 0) {
                break;
            }
            crc.update(buf, 0, n);
            total += n;
        }
        return total;
    }

    private static String readHead(InputStream in) throws java.io.IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new java.io.EOFException("closed in the response head: " + head);
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}
