package io.gozargah.engine.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * The first handler of a consumer connection (next to the socket): a close waits until what was flushed before it
 * has been handed to the kernel, for at most one timer tick, and then closes.
 *
 * <p>Why: over epoll a flush writes at once, so a GOAWAY or last answer flushed just before a close is in the
 * kernel when the close comes. Over io_uring a flush only submits a send, which completes in a later pass of the
 * loop, and a close before that cancels it: the client loses the frame (a GOAWAY ENHANCE_YOUR_CALM that Netty's
 * graceful close or the gateway's own limits write and then close on, seen as a plain end of stream). The wait
 * covers the sends under way; what the kernel has no room for (a client that does not read) is dropped after the
 * tick, as a close over epoll drops it, so a close is never held by the client.
 */
@ChannelHandler.Sharable
final class CloseAfterWritten extends ChannelOutboundHandlerAdapter {
    private final long boundNanos;

    /** @param boundNanos the longest a close waits for the sends under way */
    CloseAfterWritten(long boundNanos) {
        this.boundNanos = boundNanos;
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        ChannelOutboundBuffer pending = ctx.channel().unsafe().outboundBuffer();
        if (!ctx.channel().isActive() || pending == null || pending.totalPendingWriteBytes() == 0) {
            ctx.close(promise);
            return;
        }
        // An empty write completes only after every write queued before it has.
        ChannelFuture written = ctx.writeAndFlush(Unpooled.EMPTY_BUFFER);
        ScheduledFuture<?> bound = ctx.executor().schedule(() -> closeOnce(ctx, promise), boundNanos,
                TimeUnit.NANOSECONDS);
        written.addListener(f -> {
            bound.cancel(false);
            closeOnce(ctx, promise);
        });
    }

    private static void closeOnce(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (!promise.isDone()) {
            ctx.close(promise);
        }
    }
}
