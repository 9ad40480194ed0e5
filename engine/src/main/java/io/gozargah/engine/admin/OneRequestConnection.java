package io.gozargah.engine.admin;

import io.gozargah.codec.http1.Http1Limits;
import io.gozargah.codec.http1.Http1Writer;
import io.gozargah.codec.http1.HttpRequestParser;
import io.gozargah.codec.http1.KnownHeaders;
import io.gozargah.codec.http1.ParseResult;
import io.gozargah.codec.http1.RequestHead;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A connection of the gateway's own small HTTP/1.1 listeners (the admin API, the portal): one request, parsed by
 * the gateway's own {@link HttpRequestParser}, one answer, then close ({@code Connection: close}: clients
 * reconnect, and no connection outlives an answer). A client that sends nothing, sends its request too slowly, or
 * does not take the answer is closed; while the listener works on the answer no deadline runs. What a listener
 * keeps of the request, how it answers and what every answer carries are its own ({@code R}: its reply type).
 */
public abstract class OneRequestConnection<R> extends ChannelInboundHandlerAdapter {
    private static final AsciiString CONTENT_TYPE = AsciiString.cached("Content-Type");
    private static final AsciiString CLOSE = AsciiString.cached("close");

    private final HttpRequestParser parser;
    private final long idleNanos;
    private final AtomicLong idleClosed;
    private final long headNanos;
    private final AtomicLong headClosed;
    private ByteBuf in;
    private boolean answered;
    private boolean started;
    /** The close that ends the current wait on the client, or null while the listener works on the answer. */
    private ScheduledFuture<?> deadline;

    /**
     * @param idleClosed counts connections closed idle or not taking their answer (null: not counted)
     * @param headClosed counts connections closed for a request head too slow (null: not counted)
     */
    protected OneRequestConnection(Http1Limits limits, long idleNanos, AtomicLong idleClosed, long headNanos,
                                   AtomicLong headClosed) {
        this.parser = new HttpRequestParser(limits);
        this.idleNanos = idleNanos;
        this.idleClosed = idleClosed;
        this.headNanos = headNanos;
        this.headClosed = headClosed;
    }

    /** Takes what the listener needs of the head; a reply to answer with at once (a refusal), or null. */
    protected abstract R head(ChannelHandlerContext ctx, RequestHead head);

    /** Takes {@code n} body bytes from {@code in} (its reader index moves past them); a refusal, or null. */
    protected abstract R body(ByteBuf in, int n);

    /** The answer to the whole request, off the connection's loop or on it; called once. */
    protected abstract CompletableFuture<R> handle(ChannelHandlerContext ctx);

    /** Logs that {@link #handle} failed; the client is answered {@link #internalError()}. */
    protected abstract void handleFailed(Throwable failure);

    /** The problem answer to a request the parser refused. */
    protected abstract R badRequest(int status, String detail);

    protected abstract R internalError();

    protected abstract int status(R reply);

    protected abstract String contentType(R reply);

    protected abstract byte[] body(R reply);

    /** Whether the answer goes without its body (to HEAD): its length is framed all the same. */
    protected boolean bodyOmitted() {
        return false;
    }

    /** The reply's own header fields, and those every answer of the listener carries. */
    protected abstract void writeFields(ByteBuf out, R reply);

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        closeAfter(ctx, idleNanos, idleClosed);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf data = (ByteBuf) msg;
        if (answered) {
            data.release();
            return;
        }
        if (!started) {
            started = true;
            closeAfter(ctx, headNanos, headClosed);
        }
        if (in == null) {
            in = data;
        } else {
            ByteBuf merged = ctx.alloc().buffer(in.readableBytes() + data.readableBytes());
            merged.writeBytes(in).writeBytes(data);
            in.release();
            data.release();
            in = merged;
        }
        try {
            parse(ctx);
        } finally {
            if (answered || !in.isReadable()) {
                in.release();
                in = null;
            }
        }
    }

    private void parse(ChannelHandlerContext ctx) {
        while (!answered) {
            ParseResult r = parser.parse(in);
            switch (r) {
                case HEAD -> answerIfRefused(ctx, head(ctx, parser.head()));
                case BODY -> answerIfRefused(ctx, body(in, parser.bodyBytes()));
                case MESSAGE_COMPLETE -> {
                    answered = true;
                    cancelDeadline();
                    ctx.channel().config().setAutoRead(false);
                    handle(ctx).whenComplete((ok, failure) -> ctx.executor().execute(() -> {
                        if (failure != null) {
                            handleFailed(failure);
                            write(ctx, internalError());
                        } else {
                            write(ctx, ok);
                        }
                    }));
                    return;
                }
                case ERROR -> {
                    answerIfRefused(ctx, badRequest(parser.error().status(), parser.error().detail()));
                    return;
                }
                default -> {
                    return; // NEED_MORE
                }
            }
        }
    }

    private void answerIfRefused(ChannelHandlerContext ctx, R refusal) {
        if (refusal != null) {
            answered = true;
            write(ctx, refusal);
        }
    }

    /** Closes the connection in {@code nanos} unless another deadline or none replaces this one first. */
    private void closeAfter(ChannelHandlerContext ctx, long nanos, AtomicLong closedCount) {
        cancelDeadline();
        deadline = ctx.executor().schedule(() -> {
            if (closedCount != null) {
                closedCount.incrementAndGet();
            }
            ctx.close();
        }, nanos, TimeUnit.NANOSECONDS);
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private void write(ChannelHandlerContext ctx, R reply) {
        if (!ctx.channel().isActive()) {
            return; // closed while the listener worked on it
        }
        closeAfter(ctx, idleNanos, idleClosed); // the client must take the answer
        byte[] body = body(reply);
        ByteBuf out = ctx.alloc().buffer(1024 + body.length);
        Http1Writer.writeStatusLine(out, status(reply));
        Http1Writer.writeHeader(out, CONTENT_TYPE, contentType(reply));
        Http1Writer.writeHeader(out, KnownHeaders.NAME_CONTENT_LENGTH, body.length);
        writeFields(out, reply);
        Http1Writer.writeHeader(out, KnownHeaders.NAME_CONNECTION, CLOSE);
        Http1Writer.writeCrlf(out);
        if (!bodyOmitted()) {
            out.writeBytes(body);
        }
        ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelDeadline();
        if (in != null) {
            in.release();
            in = null;
        }
        ctx.fireChannelInactive();
    }
}
