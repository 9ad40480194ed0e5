package io.gozargah.engine.admin;

import io.gozargah.engine.accept.Descriptors;
import io.gozargah.engine.accept.LogThrottle;
import io.gozargah.engine.accept.SpareDescriptor;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The first handler of the admin listener's server channel, on the admin loop. Past admin.maxConnections a
 * connection is closed at once (the listener never queues a probe behind held connections). When accept fails
 * for want of a descriptor, the admin listener's own spare descriptor is lent to the pending connection, which
 * is served, and taken back when it closes: so /health and /metrics answer while the process is out of
 * descriptors, one connection at a time. The consumer listeners take no connection while it is out
 * ({@code ConnectionLimits.shareReserveWith}), so the descriptor it freed is not lost to the next attacker in
 * their backlog. With the spare already lent, the listener waits {@link #RETRY_NANOS} and tries again (Netty's
 * own answer is a second's pause).
 */
final class AdminAcceptGuard extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AdminAcceptGuard.class);
    static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long LOG_PERIOD_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final int maxConnections;
    private final SpareDescriptor spare;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong lent = new AtomicLong();
    private final LogThrottle refusedLog = new LogThrottle(LOG_PERIOD_NANOS);
    private final LogThrottle failureLog = new LogThrottle(LOG_PERIOD_NANOS);
    /** The spare was given up for the connection the next accept takes. */
    private boolean lendNext;
    /** Times the spare was given up: a loan's check applies to that loan only. */
    private long loans;
    private boolean retryPending;
    private boolean reacquirePending;
    private ChannelHandlerContext ctx;

    AdminAcceptGuard(int maxConnections, SpareDescriptor spare) {
        this.maxConnections = maxConnections;
        this.spare = spare;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel child = (Channel) msg;
        boolean onSpare = lendNext;
        lendNext = false;
        if (open.get() >= maxConnections) {
            try {
                child.config().setOption(ChannelOption.SO_LINGER, 0);
            } catch (RuntimeException e) {
                // already reset by the client
            }
            child.unsafe().closeForcibly();
            if (onSpare) {
                takeBackSpare();
            }
            refused.incrementAndGet();
            if (refusedLog.due(System.nanoTime())) {
                log.warn("admin listener: closed {} connection(s) past admin.maxConnections ({})", refusedLog.take(),
                        maxConnections);
            }
            return;
        }
        open.incrementAndGet();
        if (onSpare) {
            lent.incrementAndGet();
        }
        // The admin loop is the children's loop too: this runs here, where the spare is used.
        child.closeFuture().addListener(f -> {
            open.decrementAndGet();
            if (onSpare) {
                takeBackSpare();
            }
        });
        ctx.fireChannelRead(child);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (lendNext) {
            // The read loop after the spare was given up took no connection (its client left): take it back.
            lendNext = false;
            takeBackSpare();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        if (Descriptors.exhausted(cause) && spare.held()) {
            spare.release();
            lendNext = true;
            // The pending connection may never be taken (its client gone, or the descriptor taken by another
            // thread first): then no read comes to end the loan, and the consumer listeners, which take nothing
            // while the spare is out, would refuse every connection until the next admin connection arrives.
            long loan = ++loans;
            ctx.executor().schedule(() -> endUntakenLoan(loan), RETRY_NANOS, TimeUnit.NANOSECONDS);
            return;
        }
        if (failureLog.due(System.nanoTime())) {
            log.warn("admin listener: accept failed {} time(s) with no spare descriptor to lend, retrying every {}"
                    + " ms; the last: {}", failureLog.take(), TimeUnit.NANOSECONDS.toMillis(RETRY_NANOS),
                    cause.getMessage());
        }
        if (!retryPending) {
            retryPending = true;
            Channel server = ctx.channel();
            server.config().setAutoRead(false);
            ctx.executor().schedule(() -> {
                retryPending = false;
                takeBackSpare();
                if (server.isOpen()) {
                    server.config().setAutoRead(true);
                }
            }, RETRY_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    /** On the admin loop, a retry period after the spare was given up: taken back if no connection took it. */
    private void endUntakenLoan(long loan) {
        if (lendNext && loan == loans) {
            lendNext = false;
            takeBackSpare();
        }
    }

    /**
     * On the admin loop: holds the spare again, or retries every {@link #RETRY_NANOS} until it can. The consumer
     * listeners take no connection while it is out, so it must not stay out once a descriptor is free.
     */
    private void takeBackSpare() {
        if (spare.tryAcquire() || reacquirePending || !ctx.channel().isOpen()) {
            return;
        }
        reacquirePending = true;
        ctx.executor().schedule(() -> {
            reacquirePending = false;
            takeBackSpare();
        }, RETRY_NANOS, TimeUnit.NANOSECONDS);
    }

    int open() {
        return open.get();
    }

    long refused() {
        return refused.get();
    }

    /** Connections served on the spare descriptor: the process had none other to give. */
    long lent() {
        return lent.get();
    }
}
