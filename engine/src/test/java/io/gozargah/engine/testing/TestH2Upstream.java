package io.gozargah.engine.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in HTTP/2 provider on 127.0.0.1 built on Netty's HTTP/2 server codec (an implementation we did not
 * write): h2c with prior knowledge, or h2 over TLS when given a server context with ALPN. Each request is
 * gathered whole (headers, body, trailers) and handed to the test's {@link Responder}, which may answer at
 * once, later (hold it), or reset the stream.
 */
public final class TestH2Upstream implements AutoCloseable {

    /** Sees each complete request, on the stream's event loop. */
    @FunctionalInterface
    public interface Responder {
        void respond(Request request);
    }

    /** One request as the provider received it, with ways to answer it from any thread. */
    public record Request(Channel connection, Http2StreamChannel stream, Http2Headers headers, byte[] body,
                          Http2Headers trailers) {

        public String path() {
            return headers.path().toString();
        }

        public int streamId() {
            return stream.stream().id();
        }

        /** {@code status} with {@code body} and its content-length, in one DATA frame (none for HEAD). */
        public void respond(int status, String body) {
            byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            Http2Headers h = new DefaultHttp2Headers().status(Integer.toString(status))
                    .setInt("content-length", bytes.length).set("content-type", "text/plain");
            boolean head = "HEAD".contentEquals(headers.method());
            stream.eventLoop().execute(() -> {
                // A response to HEAD has the fields of the GET response and no content (RFC 9110 §9.3.2).
                stream.write(new DefaultHttp2HeadersFrame(h, head));
                if (!head) {
                    stream.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(bytes), true));
                }
                stream.flush();
            });
        }

        /** {@code status} with no content-length: {@code body} in DATA frames of {@code frameBytes}, then trailers if any. */
        public void respondInFrames(int status, byte[] body, int frameBytes, Http2Headers trailers) {
            Http2Headers h = new DefaultHttp2Headers().status(Integer.toString(status));
            stream.eventLoop().execute(() -> {
                stream.write(new DefaultHttp2HeadersFrame(h, false));
                for (int at = 0; at < body.length; at += frameBytes) {
                    int n = Math.min(frameBytes, body.length - at);
                    boolean last = at + n >= body.length && trailers == null;
                    stream.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body, at, n), last));
                }
                if (trailers != null) {
                    stream.write(new DefaultHttp2HeadersFrame(trailers, true));
                }
                stream.flush();
            });
        }

        /**
         * {@code totalBytes} of zeros with their content-length, all handed to Netty's flow controller at once;
         * {@code sent} grows as frames actually leave (the peer's window allowing).
         */
        public void respondStreaming(long totalBytes, java.util.concurrent.atomic.AtomicLong sent) {
            Http2Headers h = new DefaultHttp2Headers().status("200").setLong("content-length", totalBytes);
            stream.eventLoop().execute(() -> {
                ByteBuf frame = Unpooled.directBuffer(FRAME_BYTES).writeZero(FRAME_BYTES);
                stream.write(new DefaultHttp2HeadersFrame(h, false));
                for (long at = 0; at < totalBytes; at += FRAME_BYTES) {
                    int n = (int) Math.min(FRAME_BYTES, totalBytes - at);
                    stream.write(new DefaultHttp2DataFrame(frame.retainedSlice(0, n), at + n >= totalBytes))
                            .addListener(f -> {
                                if (f.isSuccess()) {
                                    sent.addAndGet(n);
                                }
                            });
                }
                frame.release();
                stream.flush();
            });
        }

        /** A head whose field {@code name} has {@code value} taken as is, unvalidated (to send malformed ones). */
        public void respondWithField(int status, String name, String value) {
            Http2Headers h = new DefaultHttp2Headers(false).status(Integer.toString(status)).add(name, value)
                    .setInt("content-length", 0);
            stream.eventLoop().execute(() -> stream.writeAndFlush(new DefaultHttp2HeadersFrame(h, true)));
        }

        /** RST_STREAM with {@code error}. */
        public void reset(Http2Error error) {
            stream.eventLoop().execute(() -> stream.writeAndFlush(new DefaultHttp2ResetFrame(error)));
        }
    }

    private static final int FRAME_BYTES = 16 * 1024;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final List<Channel> connections = new CopyOnWriteArrayList<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Long> resetsReceived = new CopyOnWriteArrayList<>();
    private final AtomicInteger openStreams = new AtomicInteger();
    private final AtomicInteger maxOpenStreams = new AtomicInteger();

    private TestH2Upstream(SslContext tls, Http2Settings settings, Responder responder) throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().initialSettings(settings).build());
                        ch.pipeline().addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                            @Override
                            protected void initChannel(Http2StreamChannel stream) {
                                stream.pipeline().addLast(new StreamHandler(ch, responder));
                            }
                        }));
                        // Refused handshakes are what some tests are about: close quietly.
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close();
                            }
                        });
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    /** Cleartext HTTP/2 with prior knowledge. */
    public static TestH2Upstream h2c(Http2Settings settings, Responder responder) throws InterruptedException {
        return new TestH2Upstream(null, settings, responder);
    }

    /** HTTP/2 over TLS; {@code tls} decides ALPN (offer h2, or only http/1.1 to test refusal). */
    public static TestH2Upstream tls(SslContext tls, Http2Settings settings, Responder responder)
            throws InterruptedException {
        return new TestH2Upstream(tls, settings, responder);
    }

    public int port() {
        return ((java.net.InetSocketAddress) server.localAddress()).getPort();
    }

    /** Connections accepted so far. */
    public List<Channel> connections() {
        return connections;
    }

    public List<Request> requests() {
        return requests;
    }

    /** Error codes of RST_STREAM frames the gateway sent. */
    public List<Long> resetsReceived() {
        return resetsReceived;
    }

    /** The most streams open at once on all connections. */
    public int maxOpenStreams() {
        return maxOpenStreams.get();
    }

    /** Sends GOAWAY with {@code lastStreamId} (written raw, so it may be below streams already open). */
    public void goAway(Channel connection, int lastStreamId) {
        connection.eventLoop().execute(() -> {
            Http2FrameCodec codec = connection.pipeline().get(Http2FrameCodec.class);
            ChannelHandlerContext ctx = connection.pipeline().context(codec);
            codec.encoder().frameWriter().writeGoAway(ctx, lastStreamId, Http2Error.NO_ERROR.code(),
                    Unpooled.EMPTY_BUFFER, ctx.newPromise());
            ctx.flush();
        });
    }

    /** Stops the provider; once only, so a test may close it early and its set-up again after the test. */
    @Override
    public void close() {
        if (group.isShuttingDown()) {
            return;
        }
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class StreamHandler extends ChannelInboundHandlerAdapter {
        private final Channel connection;
        private final Responder responder;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private Http2Headers headers;

        StreamHandler(Channel connection, Responder responder) {
            this.connection = connection;
            this.responder = responder;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            int open = openStreams.incrementAndGet();
            maxOpenStreams.accumulateAndGet(open, Math::max);
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            openStreams.decrementAndGet();
            ctx.fireChannelInactive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame h) {
                    if (headers == null) {
                        headers = h.headers();
                        if (h.isEndStream()) {
                            done(ctx, null);
                        }
                    } else {
                        done(ctx, h.headers());
                    }
                } else if (msg instanceof Http2DataFrame d) {
                    ByteBuf c = d.content();
                    byte[] bytes = new byte[c.readableBytes()];
                    c.readBytes(bytes);
                    body.write(bytes, 0, bytes.length);
                    if (d.isEndStream()) {
                        done(ctx, null);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void done(ChannelHandlerContext ctx, Http2Headers trailers) {
            Request r = new Request(connection, (Http2StreamChannel) ctx.channel(), headers, body.toByteArray(),
                    trailers);
            requests.add(r);
            responder.respond(r);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame reset) {
                resetsReceived.add(reset.errorCode());
            }
            ReferenceCountUtil.release(evt);
        }
    }
}
