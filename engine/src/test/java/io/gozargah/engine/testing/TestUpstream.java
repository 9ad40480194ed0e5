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
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in provider on 127.0.0.1 that counts what reaches it. It speaks HTTP through Netty's own codec
 * (an implementation we did not write) unless a test installs a raw handler to misbehave on purpose.
 */
public final class TestUpstream implements AutoCloseable {

    /** Answers one aggregated request; the request is released by the upstream after the call. */
    @FunctionalInterface
    public interface Responder {
        void respond(ChannelHandlerContext ctx, FullHttpRequest request);
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Recorded> recorded = new CopyOnWriteArrayList<>();
    /** Every byte each connection received, in arrival order, a stream per connection (http upstreams). */
    private final List<java.io.ByteArrayOutputStream> received = new CopyOnWriteArrayList<>();

    /** What a request looked like when it arrived. */
    public record Recorded(String method, String uri, io.netty.handler.codec.http.HttpHeaders headers, byte[] body) {
    }

    private TestUpstream(ChannelInitializer<SocketChannel> initializer) throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        ch.pipeline().addLast(initializer);
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    /** An upstream that aggregates each request (up to 1 MiB) and lets {@code responder} answer it. */
    public static TestUpstream http(Responder responder) throws InterruptedException {
        TestUpstream[] self = new TestUpstream[1];
        self[0] = new TestUpstream(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
                self[0].received.add(log);
                ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf bytes = (ByteBuf) msg;
                        byte[] copy = new byte[bytes.readableBytes()];
                        bytes.getBytes(bytes.readerIndex(), copy);
                        synchronized (log) {
                            log.writeBytes(copy);
                        }
                        ctx.fireChannelRead(msg);
                    }
                });
                ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                        new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                FullHttpRequest req = (FullHttpRequest) msg;
                                try {
                                    byte[] body = new byte[req.content().readableBytes()];
                                    req.content().getBytes(req.content().readerIndex(), body);
                                    self[0].recorded.add(new Recorded(req.method().name(), req.uri(),
                                            req.headers().copy(), body));
                                    self[0].requests.incrementAndGet();
                                    responder.respond(ctx, req);
                                } finally {
                                    req.release();
                                }
                            }
                        });
            }
        });
        return self[0];
    }

    /** Answers every request 200 with {@code body} (UTF-8) and its Content-Length, as most tests' providers do. */
    public static Responder answering(String body) {
        return (ctx, req) -> {
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
            ctx.writeAndFlush(resp);
        };
    }

    /** An upstream whose connections are handled by {@code handler} as raw bytes (counting is the handler's job). */
    public static TestUpstream raw(java.util.function.Supplier<io.netty.channel.ChannelHandler> handler)
            throws InterruptedException {
        return new TestUpstream(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(handler.get());
            }
        });
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Requests that reached the upstream. */
    public int requests() {
        return requests.get();
    }

    /** For raw upstreams: count one request. */
    public void countRequest() {
        requests.incrementAndGet();
    }

    /** TCP connections accepted. */
    public int connections() {
        return connections.get();
    }

    public List<Recorded> recorded() {
        return recorded;
    }

    /**
     * The raw bytes each connection has received so far (ISO-8859-1), one string per connection in the order
     * they were accepted: what a provider's own parser would see, before any HTTP decoding.
     */
    public List<String> received() {
        List<String> out = new java.util.ArrayList<>();
        for (java.io.ByteArrayOutputStream log : received) {
            synchronized (log) {
                out.add(log.toString(java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        }
        return out;
    }

    /** All bytes received on all connections, joined. */
    public String receivedText() {
        return String.join("", received());
    }

    public Recorded last() {
        return recorded.get(recorded.size() - 1);
    }

    /** Writes a raw response, below any HTTP encoder in the pipeline. */
    public static void writeRaw(ChannelHandlerContext ctx, String response) {
        ctx.pipeline().firstContext().writeAndFlush(
                Unpooled.copiedBuffer(response, java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    /** Releases a raw message. */
    public static void release(Object msg) {
        if (msg instanceof ByteBuf) {
            ((ByteBuf) msg).release();
        }
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
}
