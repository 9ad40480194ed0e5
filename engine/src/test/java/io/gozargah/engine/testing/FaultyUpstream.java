package io.gozargah.engine.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
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
import io.netty.util.concurrent.GlobalEventExecutor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider endpoint on 127.0.0.1 whose faults a test switches at run time: it answers 200 (naming itself), 503,
 * nothing at all (accepts and never answers), or slowly; it can be stopped (connections refused on its port) and
 * started again on the same port. Requests to {@link #HEALTH_PATH} (after any prefix) are health checks, counted
 * and answered apart, with a mode of their own.
 */
public final class FaultyUpstream implements AutoCloseable {
    public static final String HEALTH_PATH = "/health";

    public enum Mode { OK, UNAVAILABLE, SILENT, SLOW }

    private final String name;
    private final int port;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ChannelGroup open = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger healthChecks = new AtomicInteger();
    private final AtomicInteger healthInFlight = new AtomicInteger();
    private final AtomicInteger maxHealthInFlight = new AtomicInteger();
    private volatile Mode mode = Mode.OK;
    private volatile Mode healthMode = Mode.OK;
    private volatile long slowMillis = 200;
    private Channel server;

    private FaultyUpstream(String name, int port) {
        this.name = name;
        this.port = port;
    }

    /** An endpoint answering 200 with {@code name} as its body. */
    public static FaultyUpstream start(String name) throws InterruptedException {
        FaultyUpstream u = new FaultyUpstream(name, 0);
        u.bind(0);
        return u;
    }

    /** An endpoint whose port refuses connections until {@link #restart()}. */
    public static FaultyUpstream down(String name) throws IOException {
        return new FaultyUpstream(name, freePort());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private int boundPort = -1;

    private void bind(int at) throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        open.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Handler());
                    }
                })
                .bind("127.0.0.1", at).sync().channel();
        boundPort = ((InetSocketAddress) server.localAddress()).getPort();
    }

    public String name() {
        return name;
    }

    public int port() {
        return boundPort >= 0 ? boundPort : port;
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public void mode(Mode m) {
        mode = m;
    }

    public void healthMode(Mode m) {
        healthMode = m;
    }

    public void slowMillis(long millis) {
        slowMillis = millis;
    }

    /** Requests other than health checks that reached it. */
    public int requests() {
        return requests.get();
    }

    public int healthChecks() {
        return healthChecks.get();
    }

    /** The most health checks it ever had unanswered at once (their connection still open). */
    public int maxHealthInFlight() {
        return maxHealthInFlight.get();
    }

    /** Connections open to it now. */
    public int openConnections() {
        return open.size();
    }

    /** Stops listening and closes every connection: its port refuses connections from now on. */
    public void stop() {
        if (server != null) {
            server.close().syncUninterruptibly();
            server = null;
        }
        open.close().syncUninterruptibly();
    }

    /** Listens again on the same port. */
    public void restart() throws InterruptedException {
        bind(port());
    }

    @Override
    public void close() {
        stop();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private boolean healthPending;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            boolean health = req.uri().endsWith(HEALTH_PATH);
            Mode m;
            if (health) {
                healthChecks.incrementAndGet();
                int now = healthInFlight.incrementAndGet();
                maxHealthInFlight.accumulateAndGet(now, Math::max);
                healthPending = true;
                m = healthMode;
            } else {
                requests.incrementAndGet();
                m = mode;
            }
            switch (m) {
                case OK -> answer(ctx, HttpResponseStatus.OK, name);
                case UNAVAILABLE -> answer(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, name + " unavailable");
                case SILENT -> { }
                case SLOW -> ctx.executor().schedule(() -> answer(ctx, HttpResponseStatus.OK, name), slowMillis,
                        TimeUnit.MILLISECONDS);
            }
        }

        private void answer(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
            if (healthPending) {
                healthPending = false;
                healthInFlight.decrementAndGet();
            }
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
            ctx.writeAndFlush(resp);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (healthPending) {
                healthPending = false;
                healthInFlight.decrementAndGet();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
