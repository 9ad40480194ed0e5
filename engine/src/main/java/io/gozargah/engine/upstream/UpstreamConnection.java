package io.gozargah.engine.upstream;

import io.gozargah.codec.http1.HeaderBlock;
import io.gozargah.codec.http1.Http1Limits;
import io.gozargah.codec.http1.HttpMethod;
import io.gozargah.codec.http1.HttpResponseParser;
import io.gozargah.codec.http1.KeepAliveParameters;
import io.gozargah.codec.http1.ParseResult;
import io.gozargah.codec.http1.ResponseHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * One HTTP/1.1 connection to an upstream endpoint, serving one exchange at a time for its pool. It parses
 * responses with our own {@link HttpResponseParser} and hands heads and content to the bound
 * {@link UpstreamListener}. Auto-read is on except while the listener's client cannot take more
 * ({@link #setClientWritable}); an idle pooled connection is read too, so an upstream's close is seen
 * at once and the connection leaves the pool.
 *
 * <p>A connection is reusable only after a complete response to a completely sent request with
 * keep-alive on both sides; anything else (a parse error, an early response, a timeout) closes it.
 */
public final class UpstreamConnection extends ChannelInboundHandlerAdapter {
    private final UpstreamPool pool;
    private final HttpResponseParser parser;
    private Channel channel;
    private ByteBuf in;
    private UpstreamListener listener;
    private boolean responseStarted;
    private boolean responseComplete;
    private boolean keepAlive;
    private boolean inDelivery;
    private boolean clientWritable = true;
    /** Why the HTTP/2 stream behind this connection ended early (null on HTTP/1.1): the failure's detail. */
    private String streamFailure;
    private long idleSinceNanos;
    /**
     * How long the connection may sit idle and still be reused: the endpoint's idleTimeout, shortened when the
     * provider's {@code Keep-Alive: timeout=N} says it keeps idle connections for less.
     */
    private long idleLimitNanos;
    /** Requests the provider's {@code Keep-Alive: max=M} still allows on this connection, or -1 for no limit. */
    private int requestsLeft = -1;
    int exchanges;

    UpstreamConnection(UpstreamPool pool, Http1Limits limits) {
        this.pool = pool;
        this.parser = new HttpResponseParser(limits);
        this.idleLimitNanos = pool.endpoint().idleTimeoutNanos();
    }

    public Channel channel() {
        return channel;
    }

    public UpstreamEndpoint endpoint() {
        return pool.endpoint();
    }

    /** Binds the connection to an exchange whose request uses {@code method}. */
    public void bind(UpstreamListener listener, HttpMethod method) {
        if (!clientWritable) {
            clientWritable = true;
            channel.config().setAutoRead(true);
        }
        this.listener = listener;
        this.responseStarted = false;
        this.responseComplete = false;
        this.keepAlive = true;
        parser.expectResponseTo(method);
        exchanges++;
    }

    /**
     * The exchange is over. A connection whose response finished cleanly and whose request was sent whole
     * goes back to the pool, idle since {@code nowNanos} (the exchange's end, read on the loop's clock just
     * before); otherwise it is closed.
     */
    public void release(boolean requestComplete, long nowNanos) {
        UpstreamListener l = listener;
        listener = null;
        if (l == null) {
            return;
        }
        if (requestComplete && responseComplete && keepAlive && channel.isActive() && (in == null || !in.isReadable())) {
            idleSinceNanos = nowNanos;
            pool.release(this);
        } else {
            close();
        }
    }

    /**
     * The exchange went away after its request was sent whole (its client reset the stream): the provider
     * answers anyway, so the answer is read and dropped, and the connection goes back to the pool once it is
     * complete instead of the client's reset costing a new connection. Past {@code maxBytes} of response body,
     * or {@code timeoutNanos} from now, or when the provider said it will close, the connection is closed
     * instead; an HTTP/2 stream is simply reset (its connection stays).
     */
    public void discardResponse(long maxBytes, long timeoutNanos) {
        if (listener == null) {
            return;
        }
        if (pool.multiplexed() || maxBytes <= 0 || !keepAlive || !isActive()) {
            close();
            return;
        }
        ResponseDiscard discard = new ResponseDiscard(maxBytes);
        listener = discard;
        discard.deadline = channel.eventLoop().schedule(() -> {
            if (listener == discard) {
                close();
            }
        }, timeoutNanos, TimeUnit.NANOSECONDS);
        if (!clientWritable) {
            setClientWritable(true); // delivers what the pause held back
        }
    }

    /** Returns a connection acquired but never bound (its exchange went away while it was being set up). */
    public void unused() {
        if (listener == null && isActive()) {
            idleSinceNanos = pool.nanoTime();
            pool.release(this);
        } else if (listener == null) {
            close();
        }
    }

    /** Closes the connection (the pool forgets it when the channel goes inactive). */
    public void close() {
        listener = null;
        if (channel != null) {
            channel.close();
        }
    }

    long idleSinceNanos() {
        return idleSinceNanos;
    }

    /**
     * The HTTP/2 stream was reset or refused. Unless the provider said it did not process the request
     * (REFUSED_STREAM, or above a GOAWAY's last stream id), it may have acted on it: the request counts as
     * answered-in-part and is never sent again.
     */
    void streamReset(boolean refused, String detail) {
        if (!refused) {
            responseStarted = true;
        }
        streamFailure = detail;
    }

    /** The HTTP/2 stream is being closed for a reason found on our side (a malformed response). */
    void streamFailed(String detail) {
        responseStarted = true;
        streamFailure = detail;
    }

    boolean isActive() {
        return channel != null && channel.isActive();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf data = (ByteBuf) msg;
        if (listener == null) {
            // Bytes on an idle connection: the upstream is misbehaving (no request outstanding).
            data.release();
            close();
            return;
        }
        if (data.isReadable()) {
            // Any byte counts: a request whose answer was garbled must not be sent again.
            responseStarted = true;
        }
        if (in == null) {
            in = data;
        } else {
            in = cumulate(ctx, in, data);
        }
        deliver();
    }

    private static ByteBuf cumulate(ChannelHandlerContext ctx, ByteBuf cumulation, ByteBuf data) {
        if (cumulation.writableBytes() >= data.readableBytes() && cumulation.refCnt() == 1 && !cumulation.isReadOnly()) {
            cumulation.writeBytes(data);
            data.release();
            return cumulation;
        }
        ByteBuf merged = ctx.alloc().ioBuffer(cumulation.readableBytes() + data.readableBytes());
        merged.writeBytes(cumulation).writeBytes(data);
        cumulation.release();
        data.release();
        return merged;
    }

    private void deliver() {
        if (inDelivery) {
            return;
        }
        inDelivery = true;
        try {
            // Parse even with no readable bytes: a head with no body completes without any.
            while (listener != null && !responseComplete) {
                ParseResult r = parser.parse(in != null ? in : Unpooled.EMPTY_BUFFER);
                switch (r) {
                    case NEED_MORE:
                        compact();
                        return;
                    case HEAD:
                        if (!parser.head().informational()) {
                            keepAlive = parser.head().keepAlive() && keepAliveParameters(parser.head());
                        }
                        listener.onResponseHead(parser.head());
                        break;
                    case BODY:
                        listener.onResponseContent(in, parser.bodyBytes());
                        if (!clientWritable) {
                            compact();
                            return;
                        }
                        break;
                    case MESSAGE_COMPLETE:
                        if (!parser.head().informational()) {
                            responseComplete = true;
                            // Trailers are views into the input: deliver them before it is released.
                            listener.onResponseComplete(parser.trailers());
                        }
                        break;
                    case ERROR:
                    default:
                        fail("malformed response from " + pool.endpoint() + ": " + parser.error().detail());
                        return;
                }
            }
            compact();
        } finally {
            inDelivery = false;
        }
    }

    /**
     * Reads the provider's {@code Keep-Alive: timeout=N, max=M}: the connection is reused only while both leave room.
     * A {@code max} of 1 or less ends reuse now, since the provider closes after the request it still takes and our
     * next request could cross its close; an idle timeout {@code N} makes the connection unusable a safety margin
     * before N seconds (a quarter of N, at most one second), so that it is never sent on as the provider drops it.
     * Returns whether the connection may be reused after this response.
     */
    private boolean keepAliveParameters(ResponseHead head) {
        KeepAliveParameters p = pool.keepAliveParameters().read(head.headers());
        if (p.timeoutSeconds() >= 0) {
            long timeout = TimeUnit.SECONDS.toNanos(p.timeoutSeconds());
            long margin = Math.min(TimeUnit.SECONDS.toNanos(1), timeout / 4);
            idleLimitNanos = Math.min(pool.endpoint().idleTimeoutNanos(), timeout - margin);
        }
        if (p.max() >= 0) {
            requestsLeft = p.max();
        }
        return requestsLeft < 0 || requestsLeft > 1;
    }

    /** Whether the connection, idle since {@link #idleSinceNanos}, is still fit to be reused at {@code nowNanos}. */
    boolean reusableAt(long nowNanos) {
        return nowNanos - idleSinceNanos < idleLimitNanos && isActive();
    }

    private void compact() {
        if (in != null && !in.isReadable()) {
            in.release();
            in = null;
        } else if (in != null && in.refCnt() == 1 && !parser.inBody() && in.readerIndex() > 0) {
            // Never under a slice still queued for the client (a compaction would move its bytes).
            in.discardSomeReadBytes();
        }
    }

    private void fail(String detail) {
        UpstreamListener l = listener;
        boolean started = responseStarted;
        close();
        if (l != null) {
            l.onUpstreamFailure(started, detail);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (listener != null) {
            listener.onUpstreamReadComplete();
        }
    }

    /**
     * The listener's client became unwritable (false) or writable again (true): auto-read follows, so the
     * upstream is not read faster than the client takes the response.
     *
     * <p>On resuming, what the pause held back is delivered at once, even with no byte left over: a fixed-length
     * body whose last bytes were handed on just before the pause is complete only once the parser is asked
     * again, and the upstream may have nothing more to send that would ask it. What is delivered here is not
     * followed by an upstream read batch either, so the listener is told to flush it
     * ({@link UpstreamListener#onUpstreamReadComplete}); left unflushed, it would keep the client unwritable
     * and the exchange would stall.
     */
    public void setClientWritable(boolean writable) {
        if (clientWritable != writable) {
            clientWritable = writable;
            channel.config().setAutoRead(writable);
            if (writable && listener != null && !responseComplete) {
                deliver();
                if (listener != null) {
                    listener.onUpstreamReadComplete();
                }
            }
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (listener != null) {
            listener.onUpstreamWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        pool.connectionClosed(this);
        if (listener != null && !responseComplete) {
            ParseResult r = parser.endOfInput();
            if (r == ParseResult.MESSAGE_COMPLETE) {
                responseComplete = true;
                keepAlive = false;
                UpstreamListener l = listener;
                l.onResponseComplete(parser.trailers());
            } else {
                UpstreamListener l = listener;
                boolean started = responseStarted;
                listener = null;
                l.onUpstreamFailure(started, streamFailure != null ? streamFailure
                        : "upstream " + pool.endpoint() + " closed the connection");
            }
        }
        if (in != null) {
            in.release();
            in = null;
        }
    }

    /** The listener of a response nobody wants any more: see {@link #discardResponse}. */
    private final class ResponseDiscard implements UpstreamListener {
        private final long maxBytes;
        private long discarded;
        ScheduledFuture<?> deadline;

        ResponseDiscard(long maxBytes) {
            this.maxBytes = maxBytes;
        }

        @Override
        public void onResponseHead(ResponseHead head) {
            if (!head.informational() && !head.keepAlive()) {
                end();
                close();
            }
        }

        @Override
        public void onResponseContent(ByteBuf in, int length) {
            in.skipBytes(length);
            discarded += length;
            if (discarded > maxBytes) {
                end();
                close();
            }
        }

        @Override
        public void onResponseComplete(HeaderBlock trailers) {
            end();
            release(true, pool.nanoTime());
        }

        @Override
        public void onUpstreamFailure(boolean responseStarted, String detail) {
            end();
        }

        @Override
        public void onUpstreamReadComplete() {
        }

        @Override
        public void onUpstreamWritabilityChanged(boolean writable) {
        }

        private void end() {
            deadline.cancel(false);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (listener != null) {
            fail("upstream " + pool.endpoint() + ": " + cause.getMessage());
        } else {
            close();
        }
    }
}
