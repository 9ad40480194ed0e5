package io.gozargah.engine.upstream;

import io.gozargah.codec.http1.Http1Limits;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP/2 side of an {@link UpstreamPool}: multiplexed connections from one event loop to one endpoint.
 * Streams go to the oldest connection with room, so one connection carries the load until the peer's
 * SETTINGS_MAX_CONCURRENT_STREAMS is reached and only then is a second one opened (up to
 * {@code maxConnectionsPerLoop}). A connection is used once the peer's first SETTINGS has arrived: before it
 * the stream limit is unknown. A GOAWAY drains its connection (its streams below the last stream id finish,
 * no new ones start) and the next stream opens a new connection; a drained connection closes when its last
 * stream ends, an idle one after the idle timeout.
 *
 * <p>Each stream is an {@link Http2StreamChannel} (Netty's multiplexer) whose pipeline is an
 * {@link Http2StreamTranslator} and an {@link UpstreamConnection}: a stream channel's writability follows
 * the stream's flow-control window, and DATA it has not read is not acknowledged with WINDOW_UPDATE, so
 * turning its auto-read off when the consumer cannot take more (as on HTTP/1.1) holds the provider to one
 * window; backpressure works both ways without code of our own. Frame-level stream handling would have
 * meant re-implementing that bookkeeping.
 */
final class Http2UpstreamConnections {
    private static final Logger log = LoggerFactory.getLogger(Http2UpstreamConnections.class);
    private static final String CONNECTION = "h2-connection";

    private final UpstreamPool pool;
    private final EventLoop loop;
    private final UpstreamEndpoint endpoint;
    private final Bootstrap bootstrap;
    private final Http1Limits limits;
    private final WriteBufferWaterMark waterMark;
    private final List<Http2UpstreamConnection> connections = new ArrayList<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private int connecting;
    private long created;

    Http2UpstreamConnections(UpstreamPool pool, EventLoop loop, UpstreamEndpoint endpoint, Bootstrap bootstrap,
                             Http1Limits limits, WriteBufferWaterMark waterMark) {
        this.pool = pool;
        this.loop = loop;
        this.endpoint = endpoint;
        this.bootstrap = bootstrap;
        this.limits = limits;
        this.waterMark = waterMark;
    }

    /** Connections open or being opened, draining ones included. */
    int open() {
        return connections.size();
    }

    long created() {
        return created;
    }

    void acquire(AcquireCallback callback) {
        if (waiters.isEmpty()) {
            Http2UpstreamConnection c = withRoom();
            if (c != null) {
                openStream(c, callback);
                return;
            }
        }
        Waiter w = new Waiter(callback);
        w.timeout = loop.schedule(() -> timedOut(w), endpoint.connectTimeoutMillis(), TimeUnit.MILLISECONDS);
        waiters.addLast(w);
        grow();
    }

    /** Withdraws {@code callback}'s waiter; whether it had one (see {@link UpstreamPool#cancel}). */
    boolean cancel(AcquireCallback callback) {
        return waiters.removeIf(w -> {
            if (w.callback == callback) {
                w.timeout.cancel(false);
                return true;
            }
            return false;
        });
    }

    private Http2UpstreamConnection withRoom() {
        for (Http2UpstreamConnection c : connections) {
            if (c.hasRoom()) {
                return c;
            }
        }
        return null;
    }

    /** One connection attempt at a time, and only while someone waits and the cap allows. */
    private void grow() {
        if (!waiters.isEmpty() && connecting == 0 && usable() < endpoint.maxConnections()) {
            connect();
        }
    }

    /** Connections that count against the cap: a draining one is on its way out and is not replaced late. */
    private int usable() {
        int n = 0;
        for (Http2UpstreamConnection c : connections) {
            if (!c.draining()) {
                n++;
            }
        }
        return n;
    }

    /** Hands streams to waiters while some connection has room, then grows if some still wait. */
    void dispatch() {
        Waiter w;
        while ((w = waiters.peekFirst()) != null) {
            Http2UpstreamConnection c = withRoom();
            if (c == null) {
                break;
            }
            waiters.pollFirst();
            w.timeout.cancel(false);
            openStream(c, w.callback);
        }
        grow();
    }

    private void openStream(Http2UpstreamConnection c, AcquireCallback callback) {
        c.streamOpened();
        UpstreamConnection stream = new UpstreamConnection(pool, limits);
        Http2StreamTranslator translator = new Http2StreamTranslator(stream);
        Future<Http2StreamChannel> opened = new Http2StreamChannelBootstrap(c.channel())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("h2-stream", translator).addLast("upstream", stream);
                    }
                })
                .open();
        opened.addListener(done -> {
            if (done.isSuccess()) {
                opened.getNow().closeFuture().addListener(closed -> streamClosed(c));
                // A stream on a connection that was already there: a GOAWAY or reset may race it, so the
                // front end keeps a safe request for one retry, as on a reused HTTP/1.1 connection.
                callback.acquired(stream, true);
            } else {
                streamClosed(c);
                callback.acquireFailed(false, "cannot open an HTTP/2 stream to " + endpoint + ": " + done.cause());
            }
        });
    }

    private void streamClosed(Http2UpstreamConnection c) {
        c.streamClosed(System.nanoTime());
        if (c.streams() == 0) {
            if (c.draining()) {
                c.channel().close();
            } else {
                scheduleIdleCheck(c, endpoint.idleTimeoutNanos());
            }
        }
        dispatch();
    }

    private void scheduleIdleCheck(Http2UpstreamConnection c, long delayNanos) {
        if (c.idleCheck == null) {
            c.idleCheck = loop.schedule(() -> {
                c.idleCheck = null;
                if (c.streams() > 0 || !c.channel().isActive()) {
                    return;
                }
                long left = c.idleSinceNanos() + endpoint.idleTimeoutNanos() - System.nanoTime();
                if (left > 0) {
                    scheduleIdleCheck(c, left);
                } else {
                    c.drain();
                }
            }, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void connect() {
        connecting++;
        created++;
        Http2UpstreamConnection conn = new Http2UpstreamConnection(this);
        connections.add(conn);
        bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                conn.attach(ch);
                ch.closeFuture().addListener(closed -> connectionClosed(conn));
                // Last from the start, so it also sees what fails before HTTP/2 is set up in front of it.
                ch.pipeline().addLast(CONNECTION, conn);
                if (endpoint.tls()) {
                    SslHandler tls = UpstreamTls.newHandler(endpoint, ch.alloc());
                    ch.pipeline().addFirst("tls", tls);
                    tls.handshakeFuture().addListener(done -> {
                        if (!done.isSuccess()) {
                            conn.failure = UpstreamTls.handshakeFailed(endpoint, done.cause());
                            return;
                        }
                        String selected = tls.applicationProtocol();
                        if (!ApplicationProtocolNames.HTTP_2.equals(selected)) {
                            conn.failure = "provider " + endpoint + " did not negotiate h2 with ALPN (it selected "
                                    + (selected == null ? "nothing" : "'" + selected + "'")
                                    + "); configure protocol: http1 for it, or enable HTTP/2 on it";
                            log.warn("{}", conn.failure);
                            ch.close();
                            return;
                        }
                        addHttp2(ch.pipeline());
                    });
                } else {
                    addHttp2(ch.pipeline());
                }
            }
        }).connect(endpoint.address()).addListener(done -> {
            if (!done.isSuccess()) {
                Throwable cause = done.cause();
                conn.failure = "connect to " + endpoint + " failed: "
                        + (cause == null ? "unknown" : cause.getClass().getSimpleName() + ": " + cause.getMessage());
            }
        });
    }

    /**
     * Netty's frame codec (framing, HPACK, flow control, SETTINGS and PING acknowledgement) and multiplexer.
     * Our SETTINGS: no server push (RFC 9113 §8.4), and a header list no larger than the response head limit.
     * Streams the peer opens (push is off, so none legitimately) are refused by closing them.
     */
    private void addHttp2(ChannelPipeline pipeline) {
        Http2Settings settings = Http2Settings.defaultSettings()
                .pushEnabled(false)
                .maxConcurrentStreams(0)
                .maxHeaderListSize(limits.maxHeaderBytes());
        pipeline.addBefore(CONNECTION, "h2", Http2FrameCodecBuilder.forClient().initialSettings(settings).build());
        pipeline.addBefore(CONNECTION, "h2-streams", new Http2MultiplexHandler(new RefuseInboundStream()));
    }

    void connectionReady(Http2UpstreamConnection conn) {
        connecting--;
        log.debug("HTTP/2 connection to {} ready, max concurrent streams {}", endpoint, conn.maxStreams());
        dispatch();
    }

    void goAwayReceived(Http2UpstreamConnection conn, int lastStreamId, long errorCode) {
        Http2Error error = Http2Error.valueOf(errorCode);
        log.debug("GOAWAY from {} (last stream {}, {}): draining the connection", endpoint, lastStreamId,
                error == null ? "error " + errorCode : error.name());
        conn.drain();
        dispatch();
    }

    void connectionFailed(Http2UpstreamConnection conn, Throwable cause) {
        if (conn.failure == null) {
            conn.failure = "HTTP/2 connection to " + endpoint + " failed: " + cause;
        }
        log.debug("{}", conn.failure);
    }

    private void connectionClosed(Http2UpstreamConnection conn) {
        if (!connections.remove(conn)) {
            return;
        }
        if (conn.idleCheck != null) {
            conn.idleCheck.cancel(false);
            conn.idleCheck = null;
        }
        if (!conn.ready()) {
            connecting--;
            if (withRoom() == null) {
                // Nothing else can serve them: the ones waiting for this connection learn why now, not at
                // their timeout (a refused connection or a failed handshake will not heal in milliseconds).
                String why = conn.failure != null ? conn.failure
                        : "HTTP/2 connection to " + endpoint + " closed before its SETTINGS";
                Waiter w;
                while ((w = waiters.pollFirst()) != null) {
                    w.timeout.cancel(false);
                    w.callback.acquireFailed(false, why);
                }
            }
        }
        dispatch();
    }

    private void timedOut(Waiter w) {
        if (!waiters.remove(w)) {
            return;
        }
        if (connecting > 0) {
            w.callback.acquireFailed(false, "no HTTP/2 connection to " + endpoint + " within "
                    + endpoint.connectTimeoutMillis() + " ms");
        } else {
            w.callback.acquireFailed(true, "all streams of " + usable() + " HTTP/2 connections to " + endpoint
                    + " busy");
        }
    }

    /** Shutdown: every connection drains (closes at once when idle). */
    void closeIdle() {
        for (Http2UpstreamConnection c : new ArrayList<>(connections)) {
            if (c.ready()) {
                c.drain();
            } else {
                c.channel().close();
            }
        }
    }

    private static final class Waiter {
        final AcquireCallback callback;
        ScheduledFuture<?> timeout;

        Waiter(AcquireCallback callback) {
            this.callback = callback;
        }
    }

    /** Push is disabled in our SETTINGS, so a peer-initiated stream is a protocol violation: close it. */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class RefuseInboundStream extends io.netty.channel.ChannelInboundHandlerAdapter {
        @Override
        public void handlerAdded(io.netty.channel.ChannelHandlerContext ctx) {
            ctx.channel().close();
        }
    }
}
