package io.gozargah.bench.faults;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A stand-in provider for the resilience measurements of {@code scripts/bench-resilience}: it answers every
 * request with a small JSON document and misbehaves as told, and it counts what reached it. It speaks HTTP
 * through Netty's codec, an implementation independent of the gateway's.
 *
 * <p>Options: {@code --port N} (on 127.0.0.1), {@code --status S} (the status of every answer, 200 by default),
 * {@code --close-after N} (close each connection after its Nth answer, without {@code Connection: close}, as
 * some agency middleware does), {@code --delay-ms D} (answer after D ms), {@code --health-path P} (requests for P
 * are the gateway's health checks: answered 200 at once and counted apart), {@code --count-path P} (a GET of P,
 * sent straight to the provider, is answered at once with {@code requests=N}, the count so far, and is not counted
 * itself: a script reads the count while the provider runs). It prints one line of counts when it stops (SIGTERM)
 * and, with {@code --first-request-line}, a line with the wall-clock time of its first request that is not a health
 * check.
 */
public final class FaultyProvider {
    private static final byte[] BODY =
            "{\"nationalId\":\"0012345678\",\"firstName\":\"Ali\",\"lastName\":\"Rezaei\",\"alive\":true}"
                    .getBytes(StandardCharsets.US_ASCII);

    private final LongAdder requests = new LongAdder();
    private final LongAdder gets = new LongAdder();
    private final LongAdder posts = new LongAdder();
    private final LongAdder bodyBytes = new LongAdder();
    private final LongAdder connections = new LongAdder();
    private final LongAdder checks = new LongAdder();
    private String healthPath;
    private String countPath;
    private final AtomicLong firstRequestMillis = new AtomicLong();

    private FaultyProvider() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = 0;
        int status = 200;
        int closeAfter = 0;
        long delayMillis = 0;
        boolean firstLine = false;
        String healthPath = null;
        String countPath = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--status" -> status = Integer.parseInt(args[++i]);
                case "--close-after" -> closeAfter = Integer.parseInt(args[++i]);
                case "--delay-ms" -> delayMillis = Long.parseLong(args[++i]);
                case "--first-request-line" -> firstLine = true;
                case "--health-path" -> healthPath = args[++i];
                case "--count-path" -> countPath = args[++i];
                default -> {
                    System.err.println("FaultyProvider: unknown option " + args[i]
                            + "; options: --port N --status S --close-after N --delay-ms D --health-path P"
                            + " --count-path P --first-request-line");
                    System.exit(2);
                }
            }
        }
        if (port <= 0) {
            System.err.println("FaultyProvider: --port is required");
            System.exit(2);
        }
        FaultyProvider provider = new FaultyProvider();
        provider.healthPath = healthPath;
        provider.countPath = countPath;
        provider.run(port, HttpResponseStatus.valueOf(status), closeAfter, delayMillis, firstLine);
    }

    private void run(int port, HttpResponseStatus status, int closeAfter, long delayMillis, boolean firstLine)
            throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ChannelFuture bound = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.increment();
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                                new Answerer(status, closeAfter, delayMillis, firstLine));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", port)).await();
        if (!bound.isSuccess()) {
            // Exit rather than leave the event loop's thread holding the JVM up: a script waiting for the port
            // would otherwise find whoever holds it and count that process's requests.
            System.err.println("FaultyProvider: cannot listen on 127.0.0.1:" + port + ": " + bound.cause());
            System.exit(1);
        }
        Channel server = bound.channel();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("provider port=" + port + " requests=" + requests.sum() + " GET=" + gets.sum()
                    + " POST=" + posts.sum() + " bodyBytes=" + bodyBytes.sum() + " connections=" + connections.sum()
                    + " healthChecks=" + checks.sum());
            System.out.flush();
        }));
        System.out.println("provider port=" + port + " listening status=" + status.code() + " closeAfter=" + closeAfter
                + " delayMs=" + delayMillis + " listening-ms=" + System.currentTimeMillis());
        System.out.flush();
        server.closeFuture().sync();
    }

    private final class Answerer extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final HttpResponseStatus status;
        private final int closeAfter;
        private final long delayMillis;
        private final boolean firstLine;
        private int answered;

        Answerer(HttpResponseStatus status, int closeAfter, long delayMillis, boolean firstLine) {
            this.status = status;
            this.closeAfter = closeAfter;
            this.delayMillis = delayMillis;
            this.firstLine = firstLine;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (healthPath != null && request.uri().equals(healthPath)) {
                checks.increment();
                ByteBuf body = Unpooled.wrappedBuffer(BODY);
                FullHttpResponse ok = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
                ok.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, BODY.length);
                ctx.writeAndFlush(ok);
                return;
            }
            if (countPath != null && request.uri().equals(countPath)) {
                byte[] count = ("requests=" + requests.sum() + "\n").getBytes(StandardCharsets.US_ASCII);
                FullHttpResponse ok = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.wrappedBuffer(count));
                ok.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, count.length);
                ctx.writeAndFlush(ok);
                return;
            }
            requests.increment();
            if (firstRequestMillis.compareAndSet(0, System.currentTimeMillis()) && firstLine) {
                System.out.println("provider first-request-ms=" + firstRequestMillis.get());
                System.out.flush();
            }
            String method = request.method().name();
            if (method.equals("GET")) {
                gets.increment();
            } else if (method.equals("POST")) {
                posts.increment();
            }
            bodyBytes.add(request.content().readableBytes());
            if (delayMillis > 0) {
                ctx.executor().schedule(() -> answer(ctx), delayMillis, TimeUnit.MILLISECONDS);
            } else {
                answer(ctx);
            }
        }

        private void answer(ChannelHandlerContext ctx) {
            ByteBuf body = Unpooled.wrappedBuffer(BODY);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, BODY.length);
            answered++;
            if (closeAfter > 0 && answered >= closeAfter) {
                // No Connection: close: the close is the only notice, as from middleware that caps reuse silently.
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(response);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
