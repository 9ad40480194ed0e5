package io.gozargah.engine.accept;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The first handler of a consumer listener's server channel: it sees every accepted connection before Netty
 * registers it on an event loop, and every failed accept. Runs on the accept loop only.
 *
 * <ul>
 * <li>Past server.maxConnectionsPerAddress a connection is closed at once (with a reset, so that neither side
 *     keeps TIME_WAIT state for it): the address has its share, and the next one's connections are served.</li>
 * <li>At server.maxConnections, or the listener's own maxConnections, the listener stops accepting (auto-read
 *     off), so new connections wait in the kernel's backlog, as HAProxy's maxconn does; the close that takes the
 *     count below the cap resumes it.</li>
 * <li>When accept fails for want of a descriptor (EMFILE, ENFILE), the spare descriptor is given up, so the
 *     next accept takes the pending connection, which is closed at once; the spare is then taken back. A
 *     connection is served only while the spare is held, so the process keeps a descriptor in hand, and while
 *     the admin listener's spare is held (see {@link ConnectionLimits#shareReserveWith}). With no
 *     spare to give, the listener stops accepting for {@link #RETRY_NANOS} and tries again: Netty's own answer
 *     (a second's pause), but with the pause it shares with the caps above.</li>
 * </ul>
 */
final class AcceptGate extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AcceptGate.class);
    /** How long a listener waits after an accept it cannot take: long enough not to spin, short for a client. */
    static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long LOG_PERIOD_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final ConnectionLimits limits;
    private final String listener;
    /** This listener's own cap, or null. */
    private final ConnectionCap cap;
    private Channel server;
    private boolean retryPending;

    private final AtomicLong refusedAddress = new AtomicLong();
    private final AtomicLong refusedLimit = new AtomicLong();
    private final AtomicLong refusedDescriptors = new AtomicLong();
    private final AtomicLong pausesLimit = new AtomicLong();
    private final AtomicLong pausesDescriptors = new AtomicLong();
    private final LogThrottle addressLog = new LogThrottle(LOG_PERIOD_NANOS);
    private final LogThrottle limitLog = new LogThrottle(LOG_PERIOD_NANOS);
    private final LogThrottle descriptorLog = new LogThrottle(LOG_PERIOD_NANOS);
    private final LogThrottle failureLog = new LogThrottle(LOG_PERIOD_NANOS);

    AcceptGate(ConnectionLimits limits, String listener, ConnectionCap cap) {
        this.limits = limits;
        this.listener = listener;
        this.cap = cap;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        server = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel child = (Channel) msg;
        if (!limits.reserveHeld()) {
            // This connection has the last descriptor, or the one the admin listener gave up: close it, and the
            // spare that is out can take it.
            refuse(child);
            limits.spare().tryAcquire();
            refusedDescriptors.incrementAndGet();
            if (descriptorLog.due(System.nanoTime())) {
                log.warn("listener {}: out of file descriptors (limit {}): closed {} connection(s) at once",
                        listener, Descriptors.limit(), descriptorLog.take());
            }
            return;
        }
        InetAddress address = address(child.remoteAddress());
        AtomicInteger perAddress = null;
        if (address != null) {
            perAddress = limits.addresses().acquire(address);
            if (perAddress == null) {
                refuse(child);
                refusedAddress.incrementAndGet();
                if (addressLog.due(System.nanoTime())) {
                    log.warn("listener {}: closed {} connection(s) from addresses that already had"
                                    + " server.maxConnectionsPerAddress ({}) open, the last from {}", listener,
                            addressLog.take(), limits.maxConnectionsPerAddress(), address.getHostAddress());
                }
                return;
            }
        }
        ConnectionCap total = limits.total();
        boolean admitted = total.tryAcquire();
        if (admitted && cap != null && !cap.tryAcquire()) {
            limits.released(total.release());
            admitted = false;
        }
        if (!admitted) {
            if (perAddress != null) {
                limits.addresses().release(address, perAddress);
            }
            refuse(child);
            refusedLimit.incrementAndGet();
            limits.refresh();
            return;
        }
        AtomicInteger counted = perAddress;
        child.closeFuture().addListener(f -> limits.closed(address, counted, cap));
        ctx.fireChannelRead(child);
        if (total.full() || cap != null && cap.full()) {
            limits.refresh(); // before the next accept of this read loop
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        // Not passed on: Netty's acceptor would pause for a second and then resume whatever the caps say.
        SpareDescriptor spare = limits.spare();
        if (Descriptors.exhausted(cause) && spare.held()) {
            spare.release(); // the pending connection gets it at the next accept, at once (epoll is level-triggered)
            return;
        }
        if (failureLog.due(System.nanoTime())) {
            log.warn("listener {}: accept failed {} time(s) with no spare descriptor to give, retrying every {} ms;"
                            + " the last: {}", listener, failureLog.take(),
                    TimeUnit.NANOSECONDS.toMillis(RETRY_NANOS), cause.getMessage());
        }
        if (!retryPending) {
            retryPending = true;
            update();
            ctx.executor().schedule(() -> {
                retryPending = false;
                spare.tryAcquire();
                update();
            }, RETRY_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    /** On the accept loop: accepts while no cap covering this listener is full and no retry is pending. */
    void update() {
        if (server == null || !server.isOpen()) {
            return;
        }
        boolean atCap = limits.total().full() || cap != null && cap.full();
        boolean accept = !atCap && !retryPending;
        if (server.config().isAutoRead() == accept) {
            return;
        }
        server.config().setAutoRead(accept);
        if (accept) {
            return;
        }
        if (retryPending) {
            pausesDescriptors.incrementAndGet();
        } else {
            pausesLimit.incrementAndGet();
            if (limitLog.due(System.nanoTime())) {
                boolean own = cap != null && cap.full();
                log.warn("listener {}: {} ({}) reached, not accepting until connections close (paused {} time(s)"
                                + " since the last such line)", listener,
                        own ? "its maxConnections" : "server.maxConnections", own ? cap.max() : limits.total().max(),
                        limitLog.take());
            }
        }
    }

    /** Closes a connection not yet registered anywhere, with a reset. */
    private static void refuse(Channel child) {
        try {
            child.config().setOption(ChannelOption.SO_LINGER, 0);
        } catch (RuntimeException e) {
            // already reset by the client: closing it is all there is to do
        }
        child.unsafe().closeForcibly();
    }

    private static InetAddress address(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    ListenerAcceptStats stats() {
        boolean accepting = server != null && server.isOpen() && server.config().isAutoRead();
        return new ListenerAcceptStats(listener, accepting, refusedAddress.get(), refusedLimit.get(),
                refusedDescriptors.get(), pausesLimit.get(), pausesDescriptors.get());
    }
}
