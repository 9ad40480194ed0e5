package io.gozargah.engine.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ReferenceCountUtil;

import javax.net.ssl.SSLException;
import java.io.ByteArrayOutputStream;
import java.security.cert.X509Certificate;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/2 client over cleartext with prior knowledge (h2c) or over TLS (h2 by ALPN), built on Netty's own HTTP/2
 * codec (which we did not write; {@link java.net.http.HttpClient} cannot do prior-knowledge h2c, nor read slowly).
 * One connection, many streams.
 */
public final class H2Client implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    private final CompletableFuture<Long> goAway = new CompletableFuture<>();

    /** What came back on one stream. */
    public static final class Response {
        public volatile Http2Headers headers;
        public volatile Http2Headers trailers;
        public final ByteArrayOutputStream body = new ByteArrayOutputStream();
        /** The RST_STREAM code the server sent, or -1. */
        public volatile long resetCode = -1;

        public int status() {
            return Integer.parseInt(headers.status().toString());
        }

        public String header(String name) {
            CharSequence v = headers.get(name);
            return v == null ? null : v.toString();
        }

        public String bodyText() {
            synchronized (body) {
                return body.toString(StandardCharsets.UTF_8);
            }
        }

        public byte[] bodyBytes() {
            synchronized (body) {
                return body.toByteArray();
            }
        }
    }

    /** A stream being sent: the response completes when the server ends or resets the stream. */
    public static final class Exchange {
        public final Http2StreamChannel stream;
        public final CompletableFuture<Response> response;

        Exchange(Http2StreamChannel stream, CompletableFuture<Response> response) {
            this.stream = stream;
            this.response = response;
        }

        public void data(byte[] bytes, boolean end) {
            stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(bytes), end));
        }

        public void trailers(Http2Headers trailers) {
            stream.writeAndFlush(new DefaultHttp2HeadersFrame(trailers, true));
        }

        public void reset() {
            stream.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL));
        }
    }

    public H2Client(int port, int initialWindowSize, boolean ignoreServerHeaderListLimit) throws InterruptedException {
        this(port, initialWindowSize, ignoreServerHeaderListLimit, null);
    }

    /**
     * A client over TLS when {@code tls} is not null ({@link #tls} makes one that offers only h2 by ALPN), over
     * cleartext with prior knowledge otherwise.
     */
    public H2Client(int port, int initialWindowSize, boolean ignoreServerHeaderListLimit, SslContext tls)
            throws InterruptedException {
        Http2Settings settings = Http2Settings.defaultSettings().initialWindowSize(initialWindowSize);
        channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), "127.0.0.1", port));
                        }
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().initialSettings(settings)
                                .encoderIgnoreMaxHeaderListSize(ignoreServerHeaderListLimit).build());
                        ch.pipeline().addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                if (msg instanceof Http2GoAwayFrame) {
                                    goAway.complete(((Http2GoAwayFrame) msg).errorCode());
                                }
                                ReferenceCountUtil.release(msg);
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                goAway.complete(-1L);
                            }
                        });
                    }
                })
                .connect("127.0.0.1", port).sync().channel();
    }

    public H2Client(int port) throws InterruptedException {
        this(port, 65535, false);
    }

    /** A client TLS context trusting {@code ca} that offers only h2 by ALPN. */
    public static SslContext tls(X509Certificate ca) throws SSLException {
        return SslContextBuilder.forClient().trustManager(ca)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2))
                .build();
    }

    /**
     * From now on the connection reads at most {@code bytes} from its socket every {@code periodMillis}: a consumer
     * slower than the gateway's provider, so that the gateway's socket to it fills and stays full.
     */
    public void readSlowly(int bytes, int periodMillis) {
        channel.eventLoop().execute(() -> {
            channel.config().setAutoRead(false);
            channel.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(bytes).maxMessagesPerRead(1));
            channel.eventLoop().scheduleAtFixedRate(channel::read, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        });
    }

    /** Request headers for {@code path} with the given extra fields (name, value pairs). */
    public static Http2Headers request(String method, String path, String... fields) {
        Http2Headers h = new DefaultHttp2Headers().method(method).path(path).scheme("http").authority("gateway");
        for (int i = 0; i < fields.length; i += 2) {
            h.add(fields[i], fields[i + 1]);
        }
        return h;
    }

    /** Opens a stream and sends {@code headers}; with {@code end} the request has no body. */
    public Exchange open(Http2Headers headers, boolean end) throws InterruptedException {
        CompletableFuture<Response> future = new CompletableFuture<>();
        Response response = new Response();
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(channel)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        try {
                            if (msg instanceof Http2HeadersFrame) {
                                Http2HeadersFrame f = (Http2HeadersFrame) msg;
                                if (response.headers == null) {
                                    response.headers = f.headers();
                                } else {
                                    response.trailers = f.headers();
                                }
                                if (f.isEndStream()) {
                                    future.complete(response);
                                }
                            } else if (msg instanceof Http2DataFrame) {
                                Http2DataFrame f = (Http2DataFrame) msg;
                                ByteBuf content = f.content();
                                byte[] b = new byte[content.readableBytes()];
                                content.getBytes(content.readerIndex(), b);
                                synchronized (response.body) {
                                    response.body.write(b, 0, b.length);
                                }
                                if (f.isEndStream()) {
                                    future.complete(response);
                                }
                            } else if (msg instanceof Http2ResetFrame) {
                                response.resetCode = ((Http2ResetFrame) msg).errorCode();
                                future.complete(response);
                            }
                        } finally {
                            ReferenceCountUtil.release(msg);
                        }
                    }

                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        if (evt instanceof Http2ResetFrame) {
                            response.resetCode = ((Http2ResetFrame) evt).errorCode();
                            future.complete(response);
                        }
                        ctx.fireUserEventTriggered(evt);
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        future.complete(response);
                    }
                }).open().sync().getNow();
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, end));
        return new Exchange(stream, future);
    }

    /** Sends a whole request and waits for the whole response. */
    public Response send(Http2Headers headers, byte[] body) throws Exception {
        Exchange x = open(headers, body == null);
        if (body != null) {
            x.data(body, true);
        }
        return x.response.get(10, TimeUnit.SECONDS);
    }

    /** Completes with the GOAWAY error code when one arrives, or -1 when the connection closes without one. */
    public CompletableFuture<Long> goAway() {
        return goAway;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
