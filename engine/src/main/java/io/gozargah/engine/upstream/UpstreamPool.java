package io.gozargah.engine.upstream;

import io.gozargah.codec.http1.Http1Limits;
import io.gozargah.codec.http1.KeepAliveParameters;
import io.gozargah.engine.admission.NanoClock;
import io.gozargah.engine.config.FailureKind;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive connections from one event loop to one upstream endpoint (pools are per loop, as in Envoy,
 * Zuul and Armeria, so nothing here is shared between threads or locked). Idle connections are reused
 * most-recently-used first, so surplus ones age out; at most {@code maxConnections} exist at once, and
 * an acquire beyond that waits up to the connect timeout for a release, then fails as overloaded.
 *
 * <p>For an {@code h2} or {@code h2c} endpoint the pool hands out HTTP/2 streams instead, from
 * {@link Http2UpstreamConnections}; the front ends cannot tell the difference. For an {@code https://}
 * endpoint a connection is handed out only after its TLS handshake has succeeded.
 */
public final class UpstreamPool {
    private final EventLoop loop;
    /** The loop's clock: what idle connections' ages are measured on. */
    private final NanoClock clock;
    private final UpstreamEndpoint endpoint;
    private final Bootstrap bootstrap;
    private final Http1Limits limits;
    private final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    /** Reads the {@code Keep-Alive} parameters of this pool's responses; one per pool, as the pool is per loop. */
    private final KeepAliveParameters keepAliveParameters = new KeepAliveParameters();
    /** The HTTP/2 connections when the endpoint speaks h2 or h2c, else null (the HTTP/1.1 pool below). */
    private final Http2UpstreamConnections multiplexed;
    private int open;
    private int connecting;
    private long created;
    private ScheduledFuture<?> sweeper;
    /** Exchanges of this loop that chose the endpoint and have not ended: what the balancer compares. */
    private int outstanding;
    /** Outcomes the exchanges of this loop reported (see {@link #failures()}): a success rate for the admin API. */
    private long successes;
    private long failures;
    /**
     * The endpoint object of the newest snapshot that chose this pool: outcomes are judged by its provider's
     * policy, so a reload that changes the policy (but not the pool's settings, which would make a new pool) takes
     * effect here too.
     */
    private UpstreamEndpoint chosen;

    UpstreamPool(EventLoop loop, UpstreamEndpoint endpoint, Class<? extends SocketChannel> channelClass,
                 Http1Limits limits, WriteBufferWaterMark waterMark, NanoClock clock) {
        this(loop, endpoint, new ReflectiveChannelFactory<>(channelClass), limits, waterMark, clock);
    }

    UpstreamPool(EventLoop loop, UpstreamEndpoint endpoint, ChannelFactory<? extends Channel> channels,
                 Http1Limits limits, WriteBufferWaterMark waterMark, NanoClock clock) {
        this.loop = loop;
        this.clock = clock;
        this.endpoint = endpoint;
        this.limits = limits;
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channelFactory(channels)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, endpoint.connectTimeoutMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark);
        if (!endpoint.address().isUnresolved()) {
            // Resolved when the config was read: it goes to connect as it is, with no resolver per loop. One that
            // was not is looked up at each connect (the host may have come up in DNS since).
            bootstrap.disableResolver();
        }
        this.multiplexed = endpoint.protocol().multiplexed()
                ? new Http2UpstreamConnections(this, loop, endpoint, bootstrap, limits, waterMark) : null;
    }

    public UpstreamEndpoint endpoint() {
        return endpoint;
    }

    /** Whether the endpoint speaks HTTP/2: connections handed out are streams, never pooled themselves. */
    boolean multiplexed() {
        return multiplexed != null;
    }

    /** Connections open or being opened. */
    public int open() {
        return multiplexed != null ? multiplexed.open() : open;
    }

    public int idle() {
        return idle.size();
    }

    /** Connections created over the pool's life. */
    public long created() {
        return multiplexed != null ? multiplexed.created() : created;
    }

    /** Exchanges of this loop that chose this endpoint and have not ended. */
    public int outstanding() {
        return outstanding;
    }

    /** Exchanges the endpoint answered with a response head below 500. */
    public long successes() {
        return successes;
    }

    /** Exchanges the endpoint failed: connect failures, resets, timeouts and 5xx answers, whatever the policy counts. */
    public long failures() {
        return failures;
    }

    /** The endpoint as the newest snapshot that chose this pool has it (the pool's own before any choice). */
    public UpstreamEndpoint chosen() {
        return chosen != null ? chosen : endpoint;
    }

    /** An exchange chose this endpoint (see {@link UpstreamPools#choose}); it owes one {@link #exchangeEnded}. */
    void exchangeStarted(UpstreamEndpoint endpoint) {
        outstanding++;
        chosen = endpoint;
    }

    /** An exchange that chose this endpoint is over, however it ended. */
    public void exchangeEnded() {
        if (outstanding > 0) {
            outstanding--;
        }
    }

    /**
     * The endpoint answered with a response head of {@code status}: a success, or a failure when the provider's
     * outlier policy counts 5xx or gateway errors.
     */
    public void responded(int status) {
        if (status >= 500) {
            failed(status == 502 || status == 503 || status == 504 ? FailureKind.GATEWAY : FailureKind.SERVER_ERROR);
            return;
        }
        successes++;
        chosen().health().succeeded();
    }

    /**
     * The endpoint failed an exchange: {@code kind} says how. Counted towards its ejection when the provider's
     * policy counts that kind; one it does not count ends a run of failures, as a good response does.
     */
    public void failed(FailureKind kind) {
        failures++;
        UpstreamEndpoint e = chosen();
        UpstreamGroup group = e.group();
        if (group != null) {
            e.health().failed(kind, group, clock.nanoTime());
        }
    }

    /** Hands a connection to {@code callback}: an idle one now, a new one once connected, or a released one later. */
    public void acquire(AcquireCallback callback) {
        assert loop.inEventLoop();
        if (multiplexed != null) {
            multiplexed.acquire(callback);
            return;
        }
        UpstreamConnection c;
        long now = clock.nanoTime();
        while ((c = idle.pollFirst()) != null) {
            if (c.reusableAt(now)) {
                callback.acquired(c, true);
                return;
            }
            c.close(); // past the provider's Keep-Alive timeout or ours: it may be closing as we would send
        }
        if (open < endpoint.maxConnections()) {
            connect(callback);
            return;
        }
        enqueue(callback, false);
    }

    /**
     * Hands {@code callback} a new connection, never an idle one: for a request whose reused connection turned out
     * closed before any response byte, which another idle connection of the same age could do again. At the
     * connection limit the oldest idle connection is closed to make room; with none idle, the request waits as
     * {@link #acquire} does, and the first connection released meanwhile is closed to make room for a new one. An
     * HTTP/2 endpoint hands out a stream as {@link #acquire} does (a dead connection leaves its pool at once).
     */
    public void acquireFresh(AcquireCallback callback) {
        assert loop.inEventLoop();
        if (multiplexed != null) {
            multiplexed.acquire(callback);
            return;
        }
        if (open < endpoint.maxConnections()) {
            connect(callback);
            return;
        }
        UpstreamConnection oldest = idle.pollLast();
        enqueue(callback, true);
        if (oldest != null) {
            oldest.close(); // its close frees the slot the waiter connects in (connectionClosed, serveWaiter)
        }
    }

    private void enqueue(AcquireCallback callback, boolean fresh) {
        if (waiters.size() >= endpoint.maxPendingAcquisitions()) {
            // Circuit breaking: past the queue's cap a request is refused at once rather than wait its turn behind
            // a provider that is not keeping up.
            callback.acquireFailed(true, endpoint.maxPendingAcquisitions() + " requests already wait for one of the "
                    + endpoint.maxConnections() + " connections to " + endpoint);
            return;
        }
        Waiter w = new Waiter(callback, fresh);
        w.timeout = loop.schedule(() -> {
            if (waiters.remove(w)) {
                callback.acquireFailed(true, "all " + endpoint.maxConnections() + " connections to " + endpoint
                        + " busy");
            }
        }, endpoint.connectTimeoutMillis(), TimeUnit.MILLISECONDS);
        waiters.addLast(w);
    }

    /**
     * Withdraws a pending acquire (the client went away). Returns whether one was withdrawn: a callback whose
     * acquire is not withdrawn (a connect or an HTTP/2 stream under way) is still called once.
     */
    public boolean cancel(AcquireCallback callback) {
        if (multiplexed != null) {
            return multiplexed.cancel(callback);
        }
        return waiters.removeIf(w -> {
            if (w.callback == callback) {
                w.timeout.cancel(false);
                return true;
            }
            return false;
        });
    }

    private void connect(AcquireCallback callback) {
        open++;
        connecting++;
        created++;
        UpstreamConnection connection = new UpstreamConnection(this, limits);
        ChannelFuture f = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                if (endpoint.tls()) {
                    ch.pipeline().addLast("tls", UpstreamTls.newHandler(endpoint, ch.alloc()));
                }
                ch.pipeline().addLast("upstream", connection);
            }
        }).connect(endpoint.address());
        f.addListener(done -> {
            if (done.isSuccess() && endpoint.tls()) {
                // The handshake's end is the connection's start; a failed one closes the channel, which the
                // connection reports to connectionClosed like any close.
                f.channel().pipeline().get(SslHandler.class).handshakeFuture().addListener(handshake -> {
                    connecting--;
                    if (handshake.isSuccess()) {
                        callback.acquired(connection, false);
                    } else {
                        callback.acquireFailed(false, UpstreamTls.handshakeFailed(endpoint, handshake.cause()));
                    }
                });
                return;
            }
            connecting--;
            if (done.isSuccess()) {
                callback.acquired(connection, false);
            } else {
                // channelInactive never fires for a channel that was never active: count it closed here.
                forget();
                Throwable cause = done.cause();
                callback.acquireFailed(false, "connect to " + endpoint + " failed: "
                        + (cause == null ? "unknown" : cause.getClass().getSimpleName() + ": " + cause.getMessage()));
            }
        });
    }

    private void forget() {
        open--;
        serveWaiter();
    }

    void release(UpstreamConnection connection) {
        if (multiplexed != null) {
            // A stream is never reused: closing it is a no-op after both END_STREAMs, a RST_STREAM before.
            connection.close();
            return;
        }
        Waiter w = waiters.peekFirst();
        if (w != null && w.fresh) {
            connection.close(); // the slot goes to a new connection for the waiter (connectionClosed, serveWaiter)
            return;
        }
        if (w != null) {
            waiters.pollFirst();
            w.timeout.cancel(false);
            w.callback.acquired(connection, true);
            return;
        }
        idle.addFirst(connection);
        if (sweeper == null) {
            long period = Math.max(TimeUnit.MILLISECONDS.toNanos(50), endpoint.idleTimeoutNanos() / 4);
            sweeper = loop.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.NANOSECONDS);
        }
    }

    void connectionClosed(UpstreamConnection connection) {
        if (multiplexed != null) {
            return; // streams are counted by their connection (Http2UpstreamConnections.streamClosed)
        }
        idle.remove(connection);
        forget();
    }

    private void serveWaiter() {
        Waiter w = waiters.pollFirst();
        if (w != null) {
            w.timeout.cancel(false);
            connect(w.callback);
        }
    }

    /** A reading of the loop's clock, for a connection that goes idle outside an exchange's end. */
    long nanoTime() {
        return clock.nanoTime();
    }

    private void sweep() {
        long now = clock.nanoTime();
        // Each connection has its own limit (a provider's Keep-Alive timeout may shorten ours), so all are looked at.
        Iterator<UpstreamConnection> it = idle.iterator();
        while (it.hasNext()) {
            UpstreamConnection c = it.next();
            if (!c.reusableAt(now)) {
                it.remove();
                c.close();
            }
        }
        if (idle.isEmpty() && sweeper != null) {
            sweeper.cancel(false);
            sweeper = null;
        }
    }

    /** Closes every idle connection (shutdown, or a reload that dropped the endpoint). */
    public void closeIdle() {
        if (multiplexed != null) {
            multiplexed.closeIdle();
            return;
        }
        UpstreamConnection c;
        while ((c = idle.pollFirst()) != null) {
            c.close();
        }
        if (sweeper != null) {
            // Nothing idle is left to sweep: the timer goes now rather than at its next run (a stopped health
            // probe's pool leaves no timer behind).
            sweeper.cancel(false);
            sweeper = null;
        }
    }

    /** What the pool's connections read their responses' {@code Keep-Alive} parameters with. */
    KeepAliveParameters keepAliveParameters() {
        return keepAliveParameters;
    }

    private static final class Waiter {
        final AcquireCallback callback;
        /** Waits for a new connection, not a released one ({@link #acquireFresh}). */
        final boolean fresh;
        ScheduledFuture<?> timeout;

        Waiter(AcquireCallback callback, boolean fresh) {
            this.callback = callback;
            this.fresh = fresh;
        }
    }
}
