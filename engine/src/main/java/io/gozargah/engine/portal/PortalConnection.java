package io.gozargah.engine.portal;

import io.gozargah.codec.http1.HeaderBlock;
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

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One portal connection: one request, parsed by the gateway's own {@link HttpRequestParser}, one answer, then
 * close ({@code Connection: close}, as the admin listener does: a page and its few assets are a handful of
 * connections, and no state outlives an answer). The body of a sign-in form is kept, up to
 * {@link #MAX_BODY_BYTES}; a larger one is 413. A client that sends nothing or too slowly is closed.
 *
 * <p>Every answer carries the portal's security fields: a Content-Security-Policy that allows scripts, styles,
 * fonts, images and fetches from the portal itself only and no inline script or style, {@code nosniff}, no
 * referrer, no framing, and {@code Cache-Control: no-store} unless the reply says otherwise (assets).
 */
final class PortalConnection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(PortalConnection.class);
    /** A browser's request head with cookies fits easily; the rest bounds what a connection holds. */
    static final Http1Limits LIMITS = new Http1Limits(4096, 64, 16384, 256);
    /** A sign-in form is one key. */
    static final int MAX_BODY_BYTES = 4096;
    static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(10);
    static final long HEAD_NANOS = TimeUnit.SECONDS.toNanos(5);
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none';"
            + " frame-ancestors 'none'";
    /** The request fields the portal reads; others are not copied out. */
    private static final Set<String> READ = Set.of("host", "cookie", "origin", "sec-fetch-site", "content-type",
            "if-none-match", "x-api-key", "x-forwarded-proto");
    private static final AsciiString CONTENT_TYPE = AsciiString.cached("Content-Type");
    private static final AsciiString CACHE_CONTROL = AsciiString.cached("Cache-Control");
    private static final AsciiString CSP = AsciiString.cached("Content-Security-Policy");
    private static final AsciiString NOSNIFF_NAME = AsciiString.cached("X-Content-Type-Options");
    private static final AsciiString REFERRER_POLICY = AsciiString.cached("Referrer-Policy");
    private static final AsciiString FRAME_OPTIONS = AsciiString.cached("X-Frame-Options");
    private static final AsciiString CLOSE = AsciiString.cached("close");

    private final PortalApi api;
    private final HttpRequestParser parser = new HttpRequestParser(LIMITS);
    private ByteBuf in;
    private String method;
    private String target;
    private Map<String, String> headers;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private boolean answered;
    private boolean started;
    private ScheduledFuture<?> deadline;

    PortalConnection(PortalApi api) {
        this.api = api;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        closeAfter(ctx, IDLE_NANOS);
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
            closeAfter(ctx, HEAD_NANOS);
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
                case HEAD -> {
                    head(parser.head());
                    if (parser.head().contentLength() > MAX_BODY_BYTES) {
                        // refused before its body is read
                        answer(ctx, PortalReply.problem(413, "payload-too-large", "Payload too large",
                                "a portal request body is at most " + MAX_BODY_BYTES + " bytes"));
                        return;
                    }
                }
                case BODY -> {
                    int n = parser.bodyBytes();
                    if (body.size() + n > MAX_BODY_BYTES) {
                        answer(ctx, PortalReply.problem(413, "payload-too-large", "Payload too large",
                                "a portal request body is at most " + MAX_BODY_BYTES + " bytes"));
                        return;
                    }
                    byte[] chunk = new byte[n];
                    in.readBytes(chunk);
                    body.writeBytes(chunk);
                }
                case MESSAGE_COMPLETE -> {
                    answered = true;
                    cancelDeadline();
                    ctx.channel().config().setAutoRead(false);
                    PortalRequest request = request(ctx);
                    CompletableFuture<PortalReply> reply;
                    try {
                        reply = api.handle(request);
                    } catch (RuntimeException e) {
                        reply = CompletableFuture.failedFuture(e);
                    }
                    reply.whenComplete((ok, failure) -> ctx.executor().execute(() -> {
                        if (failure != null) {
                            log.error("portal {} {} failed", request.method(), request.path(), failure);
                            write(ctx, PortalReply.problem(500, "internal-error", "Internal error",
                                    "the request failed; see the gateway log"));
                        } else {
                            write(ctx, ok);
                        }
                    }));
                    return;
                }
                case ERROR -> {
                    answer(ctx, PortalReply.problem(parser.error().status(), "bad-request", "Bad request",
                            parser.error().detail()));
                    return;
                }
                default -> {
                    return; // NEED_MORE
                }
            }
        }
    }

    private void head(RequestHead head) {
        method = head.methodString();
        target = head.targetString();
        HeaderBlock block = head.headers();
        headers = new HashMap<>();
        for (int i = 0; i < block.size(); i++) {
            String name = block.name(i).toLowerCase(Locale.ROOT);
            if (READ.contains(name)) {
                headers.putIfAbsent(name, block.value(i));
            }
        }
    }

    private PortalRequest request(ChannelHandlerContext ctx) {
        int q = target.indexOf('?');
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        return new PortalRequest(method, q < 0 ? target : target.substring(0, q), q < 0 ? "" : target.substring(q + 1),
                headers, body.toByteArray(), remote == null ? null : remote.getAddress());
    }

    private void answer(ChannelHandlerContext ctx, PortalReply reply) {
        answered = true;
        write(ctx, reply);
    }

    private void closeAfter(ChannelHandlerContext ctx, long nanos) {
        cancelDeadline();
        deadline = ctx.executor().schedule(() -> {
            ctx.close();
        }, nanos, TimeUnit.NANOSECONDS);
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private void write(ChannelHandlerContext ctx, PortalReply reply) {
        if (!ctx.channel().isActive()) {
            return;
        }
        closeAfter(ctx, IDLE_NANOS);
        boolean cacheable = false;
        for (int i = 0; i + 1 < reply.headers().size(); i += 2) {
            cacheable |= reply.headers().get(i).equalsIgnoreCase("Cache-Control");
        }
        ByteBuf out = ctx.alloc().buffer(1024 + reply.body().length);
        Http1Writer.writeStatusLine(out, reply.status());
        Http1Writer.writeHeader(out, CONTENT_TYPE, reply.contentType());
        Http1Writer.writeHeader(out, KnownHeaders.NAME_CONTENT_LENGTH, reply.body().length);
        if (!cacheable) {
            Http1Writer.writeHeader(out, CACHE_CONTROL, "no-store");
        }
        Http1Writer.writeHeader(out, CSP, CONTENT_SECURITY_POLICY);
        Http1Writer.writeHeader(out, NOSNIFF_NAME, "nosniff");
        Http1Writer.writeHeader(out, REFERRER_POLICY, "no-referrer");
        Http1Writer.writeHeader(out, FRAME_OPTIONS, "DENY");
        for (int i = 0; i + 1 < reply.headers().size(); i += 2) {
            Http1Writer.writeHeader(out, AsciiString.of(reply.headers().get(i)), reply.headers().get(i + 1));
        }
        Http1Writer.writeHeader(out, KnownHeaders.NAME_CONNECTION, CLOSE);
        Http1Writer.writeCrlf(out);
        if (!"HEAD".equals(method)) {
            out.writeBytes(reply.body());
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

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("portal connection failed: {}", cause.toString());
        ctx.close();
    }
}
