package io.gozargah.engine.admin;

import io.gozargah.codec.http1.Http1Limits;
import io.gozargah.codec.http1.Http1Writer;
import io.gozargah.codec.http1.RequestHead;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.AsciiString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;

/**
 * One admin connection ({@link OneRequestConnection}: one request, one answer, then close; scrapers and curl
 * reconnect, and a connection never outlives a drain answer that takes seconds). Request bodies are read and
 * dropped; none of the endpoints takes one. Its deadlines are {@link AdminTimeouts}, counted there.
 */
final class AdminConnection extends OneRequestConnection<AdminReply> {
    private static final Logger log = LoggerFactory.getLogger(AdminConnection.class);
    /** Admin requests are small: a line, a token, a few fields. */
    static final Http1Limits LIMITS = new Http1Limits(2048, 50, 8192, 256);
    static final long MAX_BODY_BYTES = 64 * 1024;
    private static final AsciiString AUTHORIZATION = AsciiString.cached("Authorization");
    private static final AsciiString CACHE_CONTROL = AsciiString.cached("Cache-Control");
    private static final AsciiString NO_STORE = AsciiString.cached("no-store");

    private final AdminApi api;
    private AdminRequest request;
    private long bodyBytes;

    AdminConnection(AdminApi api, AdminTimeouts timeouts) {
        super(LIMITS, timeouts.idleNanos(), timeouts.idleClosed(), timeouts.headNanos(), timeouts.headClosed());
        this.api = api;
    }

    @Override
    protected AdminReply head(ChannelHandlerContext ctx, RequestHead head) {
        String target = head.targetString();
        int q = target.indexOf('?');
        int auth = head.headers().indexOf(AUTHORIZATION);
        request = new AdminRequest(head.methodString(), q < 0 ? target : target.substring(0, q),
                q < 0 ? null : target.substring(q + 1), auth < 0 ? null : head.headers().value(auth));
        return null;
    }

    @Override
    protected AdminReply body(ByteBuf in, int n) {
        in.skipBytes(n);
        bodyBytes += n;
        return bodyBytes > MAX_BODY_BYTES ? AdminReply.problem(413, "payload-too-large", "Payload too large",
                "admin endpoints take no request body") : null;
    }

    @Override
    protected CompletableFuture<AdminReply> handle(ChannelHandlerContext ctx) {
        return api.handle(request);
    }

    @Override
    protected void handleFailed(Throwable failure) {
        log.error("admin {} {} failed", request.method(), AdminSubjects.redacted(request.path()), failure);
    }

    @Override
    protected AdminReply badRequest(int status, String detail) {
        return AdminReply.problem(status, "bad-request", "Bad request", detail);
    }

    @Override
    protected AdminReply internalError() {
        return AdminReply.problem(500, "internal-error", "Internal error", "the request failed; see the gateway log");
    }

    @Override
    protected int status(AdminReply reply) {
        return reply.status();
    }

    @Override
    protected String contentType(AdminReply reply) {
        return reply.contentType();
    }

    @Override
    protected byte[] body(AdminReply reply) {
        return reply.body();
    }

    @Override
    protected void writeFields(ByteBuf out, AdminReply reply) {
        Http1Writer.writeHeader(out, CACHE_CONTROL, NO_STORE);
        for (int i = 0; i + 1 < reply.headers().size(); i += 2) {
            Http1Writer.writeHeader(out, AsciiString.of(reply.headers().get(i)), reply.headers().get(i + 1));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("admin connection failed: {}", cause.toString());
        ctx.close();
    }
}
