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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One admin connection: one request, parsed by the gateway's own {@link HttpRequestParser}, one answer, then
 * close ({@code Connection: close}: scrapers and curl reconnect, and a connection never outlives a drain
 * answer that takes seconds). Request bodies are read and dropped; none of the endpoints takes one. A client
 * that sends nothing, sends its request too slowly, or does not take the answer is closed
 * ({@link AdminTimeouts}); while the API works on the answer (a drain takes seconds) no deadline runs.
 */
final class AdminConnection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AdminConnection.class);
    /** Admin requests are small: a line, a token, a few fields. */
    static final Http1Limits LIMITS = new Http1Limits(2048, 50, 8192, 256);
    static final long MAX_BODY_BYTES = 64 * 1024;
    private static final AsciiString AUTHORIZATION = AsciiString.cached("Authorization");
    private static final AsciiString CONTENT_TYPE = AsciiString.cached("Content-Type");
    private static final AsciiString CACHE_CONTROL = AsciiString.cached("Cache-Control");
    private static final AsciiString NO_STORE = AsciiString.cached("no-store");
    private static final AsciiString CLOSE = AsciiString.cached("close");

    private final AdminApi api;
    private final AdminTimeouts timeouts;
    private final HttpRequestParser parser = new HttpRequestParser(LIMITS);
    private ByteBuf in;
    private AdminRequest request;
    private long bodyBytes;
    private boolean answered;
    private boolean started;
    /** The close that ends the current wait on the client, or null while the API works on the answer. */
    private ScheduledFuture<?> deadline;

    AdminConnection(AdminApi api, AdminTimeouts timeouts) {
        this.api = api;
        this.timeouts = timeouts;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        closeAfter(ctx, timeouts.idleNanos(), timeouts.idleClosed());
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
            closeAfter(ctx, timeouts.headNanos(), timeouts.headClosed());
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
                case HEAD -> request = request(parser.head());
                case BODY -> {
                    int n = parser.bodyBytes();
                    in.skipBytes(n);
                    bodyBytes += n;
                    if (bodyBytes > MAX_BODY_BYTES) {
                        answer(ctx, AdminReply.problem(413, "payload-too-large", "Payload too large",
                                "admin endpoints take no request body"));
                    }
                }
                case MESSAGE_COMPLETE -> {
                    answered = true;
                    cancelDeadline();
                    ctx.channel().config().setAutoRead(false);
                    CompletableFuture<AdminReply> reply = api.handle(request);
                    reply.whenComplete((ok, failure) -> ctx.executor().execute(() -> {
                        if (failure != null) {
                            log.error("admin {} {} failed", request.method(), AdminSubjects.redacted(request.path()),
                                    failure);
                            write(ctx, AdminReply.problem(500, "internal-error", "Internal error",
                                    "the request failed; see the gateway log"));
                        } else {
                            write(ctx, ok);
                        }
                    }));
                    return;
                }
                case ERROR -> {
                    answer(ctx, AdminReply.problem(parser.error().status(), "bad-request", "Bad request",
                            parser.error().detail()));
                    return;
                }
                default -> {
                    return; // NEED_MORE
                }
            }
        }
    }

    private static AdminRequest request(RequestHead head) {
        String target = head.targetString();
        int q = target.indexOf('?');
        int auth = head.headers().indexOf(AUTHORIZATION);
        return new AdminRequest(head.methodString(), q < 0 ? target : target.substring(0, q),
                q < 0 ? null : target.substring(q + 1), auth < 0 ? null : head.headers().value(auth));
    }

    private void answer(ChannelHandlerContext ctx, AdminReply reply) {
        answered = true;
        write(ctx, reply);
    }

    /** Closes the connection in {@code nanos} unless another deadline or none replaces this one first. */
    private void closeAfter(ChannelHandlerContext ctx, long nanos, AtomicLong closedCount) {
        cancelDeadline();
        deadline = ctx.executor().schedule(() -> {
            closedCount.incrementAndGet();
            ctx.close();
        }, nanos, TimeUnit.NANOSECONDS);
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private void write(ChannelHandlerContext ctx, AdminReply reply) {
        if (!ctx.channel().isActive()) {
            return; // closed while the API worked on it
        }
        closeAfter(ctx, timeouts.idleNanos(), timeouts.idleClosed()); // the client must take the answer
        ByteBuf out = ctx.alloc().buffer(256 + reply.body().length);
        Http1Writer.writeStatusLine(out, reply.status());
        Http1Writer.writeHeader(out, CONTENT_TYPE, reply.contentType());
        Http1Writer.writeHeader(out, KnownHeaders.NAME_CONTENT_LENGTH, reply.body().length);
        Http1Writer.writeHeader(out, CACHE_CONTROL, NO_STORE);
        for (int i = 0; i + 1 < reply.headers().size(); i += 2) {
            Http1Writer.writeHeader(out, AsciiString.of(reply.headers().get(i)), reply.headers().get(i + 1));
        }
        Http1Writer.writeHeader(out, KnownHeaders.NAME_CONNECTION, CLOSE);
        Http1Writer.writeCrlf(out);
        out.writeBytes(reply.body());
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

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("admin connection failed: {}", cause.toString());
        ctx.close();
    }
}
