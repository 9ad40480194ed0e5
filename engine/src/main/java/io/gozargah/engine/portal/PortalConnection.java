package io.gozargah.engine.portal;

import io.gozargah.codec.http1.HeaderBlock;
import io.gozargah.codec.http1.Http1Limits;
import io.gozargah.codec.http1.Http1Writer;
import io.gozargah.codec.http1.RequestHead;
import io.gozargah.engine.admin.OneRequestConnection;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.AsciiString;
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
 * One portal connection ({@link OneRequestConnection}: one request, one answer, then close, as the admin listener
 * does: a page and its few assets are a handful of connections, and no state outlives an answer). The body of a
 * sign-in form is kept, up to {@link #MAX_BODY_BYTES}; a larger one is 413. A client that sends nothing or too
 * slowly is closed.
 *
 * <p>Every answer carries the portal's security fields: a Content-Security-Policy that allows scripts, styles,
 * fonts, images and fetches from the portal itself only and no inline script or style, {@code nosniff}, no
 * referrer, no framing, and {@code Cache-Control: no-store} unless the reply says otherwise (assets).
 */
final class PortalConnection extends OneRequestConnection<PortalReply> {
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
    private static final AsciiString CACHE_CONTROL = AsciiString.cached("Cache-Control");
    private static final AsciiString CSP = AsciiString.cached("Content-Security-Policy");
    private static final AsciiString NOSNIFF_NAME = AsciiString.cached("X-Content-Type-Options");
    private static final AsciiString REFERRER_POLICY = AsciiString.cached("Referrer-Policy");
    private static final AsciiString FRAME_OPTIONS = AsciiString.cached("X-Frame-Options");

    private final PortalApi api;
    private String method;
    private String target;
    private Map<String, String> headers;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private PortalRequest request;

    PortalConnection(PortalApi api) {
        super(LIMITS, IDLE_NANOS, null, HEAD_NANOS, null);
        this.api = api;
    }

    @Override
    protected PortalReply head(ChannelHandlerContext ctx, RequestHead head) {
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
        // A declared body past the limit is refused before it is read.
        return head.contentLength() > MAX_BODY_BYTES ? tooLarge() : null;
    }

    @Override
    protected PortalReply body(ByteBuf in, int n) {
        if (body.size() + n > MAX_BODY_BYTES) {
            return tooLarge();
        }
        byte[] chunk = new byte[n];
        in.readBytes(chunk);
        body.writeBytes(chunk);
        return null;
    }

    private static PortalReply tooLarge() {
        return PortalReply.problem(413, "payload-too-large", "Payload too large",
                "a portal request body is at most " + MAX_BODY_BYTES + " bytes");
    }

    @Override
    protected CompletableFuture<PortalReply> handle(ChannelHandlerContext ctx) {
        int q = target.indexOf('?');
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        request = new PortalRequest(method, q < 0 ? target : target.substring(0, q),
                q < 0 ? "" : target.substring(q + 1), headers, body.toByteArray(),
                remote == null ? null : remote.getAddress());
        try {
            return api.handle(request);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    protected void handleFailed(Throwable failure) {
        log.error("portal {} {} failed", request.method(), request.path(), failure);
    }

    @Override
    protected PortalReply badRequest(int status, String detail) {
        return PortalReply.problem(status, "bad-request", "Bad request", detail);
    }

    @Override
    protected PortalReply internalError() {
        return PortalReply.problem(500, "internal-error", "Internal error", "the request failed; see the gateway log");
    }

    @Override
    protected int status(PortalReply reply) {
        return reply.status();
    }

    @Override
    protected String contentType(PortalReply reply) {
        return reply.contentType();
    }

    @Override
    protected byte[] body(PortalReply reply) {
        return reply.body();
    }

    @Override
    protected boolean bodyOmitted() {
        return "HEAD".equals(method);
    }

    @Override
    protected void writeFields(ByteBuf out, PortalReply reply) {
        boolean cacheable = false;
        for (int i = 0; i + 1 < reply.headers().size(); i += 2) {
            cacheable |= reply.headers().get(i).equalsIgnoreCase("Cache-Control");
        }
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
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("portal connection failed: {}", cause.toString());
        ctx.close();
    }
}
