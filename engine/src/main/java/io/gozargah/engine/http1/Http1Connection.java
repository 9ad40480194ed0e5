package io.gozargah.engine.http1;

import io.gozargah.codec.http1.HeaderBlock;
import io.gozargah.codec.http1.Http1Error;
import io.gozargah.codec.http1.HttpRequestParser;
import io.gozargah.codec.http1.RequestHead;
import io.gozargah.codec.http1.ResponseHead;
import io.gozargah.engine.auth.ClientCertificate;
import io.gozargah.engine.config.LimitsConfig;
import io.gozargah.engine.deadline.Deadline;
import io.gozargah.engine.deadline.DeadlineWheel;
import io.gozargah.engine.exchange.ClientConnection;
import io.gozargah.engine.exchange.ClientSide;
import io.gozargah.engine.exchange.Outcome;
import io.gozargah.engine.exchange.ProxyExchange;
import io.gozargah.engine.exchange.RequestPhase;
import io.gozargah.engine.server.ServerContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * One consumer connection speaking HTTP/1.1, as the front end of a {@link ProxyExchange}: it parses requests with
 * our own {@link HttpRequestParser}, refuses what HTTP/1.1 itself makes wrong (the Host count, '_' in names,
 * unparseable input), renders what the exchange decides ({@link Http1ResponseWriter}) and keeps the connection's
 * own deadlines (idle, request head). One exchange at a time: pipelined requests wait in the input buffer and
 * are answered in order; one driver serves them all, so nothing is allocated per request.
 *
 * <p>Backpressure both ways: the client is read only while the exchange can take bytes (the upstream is
 * writable, or no exchange is in flight); the upstream is read only while the client is writable. Auto-read
 * is switched off for exactly those moments (as Envoy's watermarks do), not toggled per request.
 *
 * <p>Where the framing of the input is unknowable (a parse error) or a body would be left half-read, the
 * connection is closed after the answer rather than guessed at (RFC 9112 §6.3, as Zuul's
 * Http1FramingEnforcingHandler argues).
 */
public final class Http1Connection extends ChannelInboundHandlerAdapter implements ClientSide {
    private static final Logger log = LoggerFactory.getLogger(Http1Connection.class);

    private final ServerContext server;
    private final HttpRequestParser parser;
    private final Http1RequestView view = new Http1RequestView();
    /** The client certificate of the TLS handshake, or {@link ClientCertificate#NONE}. */
    private final ClientCertificate certificate;
    /** Whether the consumer reached us over TLS (X-Forwarded-Proto). */
    private final boolean secure;
    /** The connection's idle or request-head deadline, whichever it waits for (none during an exchange). */
    private final Deadline connectionDeadline = new Deadline(this::connectionTimedOut);
    private ChannelHandlerContext ctx;
    private DeadlineWheel deadlines;
    private ProxyExchange driver;
    private Http1ResponseWriter writer;
    private ByteBuf in;
    private boolean activated;
    private boolean processing;
    private boolean reading = true;
    private boolean closing;
    private boolean headPending;
    private boolean clientFlushPending;

    public Http1Connection(ServerContext server) {
        this(server, false, ClientCertificate.NONE);
    }

    /**
     * @param secure      the connection is TLS (upstreams are told {@code X-Forwarded-Proto: https})
     * @param certificate the client certificate of the TLS handshake, or {@link ClientCertificate#NONE}
     */
    public Http1Connection(ServerContext server, boolean secure, ClientCertificate certificate) {
        this.server = server;
        this.secure = secure;
        this.certificate = certificate;
        this.parser = new HttpRequestParser(server.requestLimits());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        ClientConnection connection = new ClientConnection(server, ctx.channel(), secure, certificate);
        this.deadlines = connection.loop().deadlines();
        this.driver = new ProxyExchange(connection, this);
        this.writer = new Http1ResponseWriter(ctx, driver);
        if (ctx.channel().isActive()) {
            // Added after the TLS handshake (or the cleartext protocol detection): the channel is already active.
            activate();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        activate();
        ctx.fireChannelActive();
    }

    private void activate() {
        if (activated) {
            return;
        }
        activated = true;
        awaitNextHead(deadlines.nanoTime());
        if (server.draining()) {
            // Accepted while the listener was closing: the drain event may have gone out before it joined.
            drain();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Reading and parsing requests
    // ---------------------------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf data = (ByteBuf) msg;
        if (closing) {
            data.release();
            return;
        }
        in = in == null ? data : cumulate(in, data);
        process();
    }

    private ByteBuf cumulate(ByteBuf cumulation, ByteBuf data) {
        if (cumulation.writableBytes() >= data.readableBytes() && cumulation.refCnt() == 1 && !cumulation.isReadOnly()) {
            cumulation.writeBytes(data);
            data.release();
            return cumulation;
        }
        ByteBuf merged = ctx.alloc().ioBuffer(Math.max(cumulation.readableBytes() + data.readableBytes(), 1024));
        merged.writeBytes(cumulation).writeBytes(data);
        cumulation.release();
        data.release();
        return merged;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        updateReading();
    }

    /** Parses as far as the exchange in flight allows. Re-entrant calls (from callbacks) are no-ops. */
    private void process() {
        if (processing) {
            return;
        }
        processing = true;
        try {
            parse:
            while (!closing) {
                if (driver.active() && !driver.wantsRequestContent()) {
                    break;
                }
                ByteBuf buf = in != null ? in : Unpooled.EMPTY_BUFFER;
                if (!driver.active() && !buf.isReadable()) {
                    break;
                }
                switch (parser.parse(buf)) {
                    case NEED_MORE:
                        if (!driver.active() && !headPending && buf.isReadable()) {
                            headPending = true;
                            deadlines.schedule(connectionDeadline, deadlines.nanoTime() + server.requestHeadTimeoutNanos());
                        }
                        break parse;
                    case HEAD:
                        onRequestHead(parser.head());
                        break;
                    case BODY:
                        driver.onRequestContent(in, parser.bodyBytes());
                        break;
                    case MESSAGE_COMPLETE:
                        driver.onRequestEnd(view.trailers(parser.trailers()));
                        break;
                    case ERROR:
                    default:
                        onParseError(parser.error());
                        break parse;
                }
            }
            compactInput();
            driver.flushUpstream();
            if (clientFlushPending) {
                clientFlushPending = false;
                writer.flush();
            }
        } finally {
            processing = false;
        }
        updateReading();
    }

    private void compactInput() {
        if (in == null) {
            return;
        }
        if (!in.isReadable()) {
            in.release();
            in = null;
        } else if (in.refCnt() == 1 && driver.requestPhase() != RequestPhase.WAITING) {
            // Only while no slice of it is still queued for the upstream: compaction moves bytes
            // in place, under a write that has not happened yet (as ByteToMessageDecoder guards).
            in.discardSomeReadBytes();
        }
    }

    /**
     * Auto-read stays on in the steady state (with edge-triggered epoll, turning interest on and off per
     * request would cost a system call each time) and goes off only while the exchange cannot take more
     * bytes: backpressure as DESIGN.md and Envoy's watermarks have it.
     */
    private void updateReading() {
        boolean want = wantsRead();
        if (want != reading && ctx.channel().isActive()) {
            reading = want;
            ctx.channel().config().setAutoRead(want);
        }
    }

    private boolean wantsRead() {
        if (closing || !ctx.channel().isActive()) {
            return false;
        }
        RequestPhase phase = driver.requestPhase();
        if (phase == RequestPhase.NONE || phase == RequestPhase.DISCARDING) {
            return true;
        }
        if (phase == RequestPhase.STREAMING) {
            return driver.wantsRequestContent();
        }
        // Keep reading a little while waiting, to notice a client that goes away; never buffer more than one
        // head's worth of pipelined input.
        return in == null || in.readableBytes() < server.requestLimits().maxHeaderBytes();
    }

    /** What HTTP/1.1 itself refuses is answered here; the rest goes to the exchange driver. */
    private void onRequestHead(RequestHead head) {
        headPending = false;
        deadlines.cancel(connectionDeadline);
        boolean http10 = head.versionMinor() == 0;
        writer.startExchange(http10, !head.keepAlive() || server.draining());
        view.of(head);
        if (head.hostCount() > 1 || (!http10 && head.hostCount() != 1)) {
            driver.refuseHead(view, Outcome.BAD_REQUEST, "exactly one Host header is required (RFC 9112 §3.2)");
        } else if (server.underscoreFields() == LimitsConfig.UnderscoreFields.REFUSE
                && underscoreInAnyName(head.headers())) {
            driver.refuseHead(view, Outcome.BAD_REQUEST, "header field names with '_' are refused: servers that"
                    + " read '_' as '-' would take them for other fields");
        } else {
            driver.onRequestHead(view);
        }
    }

    private static boolean underscoreInAnyName(HeaderBlock headers) {
        for (int i = 0; i < headers.size(); i++) {
            if (headers.underscoreInName(i)) {
                return true;
            }
        }
        return false;
    }

    /** Unparseable input: its framing is unknowable, so the connection closes after the answer. */
    private void onParseError(Http1Error error) {
        Outcome outcome = Outcome.forParserStatus(error.status());
        if (driver.active()) {
            // Broken framing mid-body: the upstream got part of a request it must never complete.
            writer.markClose();
            driver.onRequestMalformed(outcome, error.detail());
            return;
        }
        headPending = false;
        deadlines.cancel(connectionDeadline);
        writer.startExchange(false, true);
        driver.refuseUnparsed(outcome, error.detail());
    }

    // ---------------------------------------------------------------------------------------------
    // What the exchange asks of HTTP/1.1 (ClientSide)
    // ---------------------------------------------------------------------------------------------

    @Override
    public void sendResponseHead(ResponseHead head) {
        writer.responseHead(head, server.draining());
    }

    @Override
    public void sendInformational(ResponseHead head) {
        writer.informational(head);
    }

    @Override
    public void sendResponseContent(ByteBuf content, int length) {
        if (ctx.channel().isActive()) {
            writer.content(content, length);
        } else {
            content.skipBytes(length);
        }
    }

    @Override
    public void sendResponseEnd(HeaderBlock trailers) {
        writer.end(trailers);
        if (processing) {
            // A response that ends while the request is parsed (an answer from the cache) goes out with the batch.
            clientFlushPending = true;
        }
    }

    @Override
    public void sendAnswer(int status, ByteBuf body, boolean withBody) {
        writer.answer(status, body, withBody, server.draining());
        clientFlushPending = true;
    }

    @Override
    public void sendContinue() {
        writer.continue100();
    }

    @Override
    public void flush() {
        writer.flush();
    }

    @Override
    public boolean acquiresAfterRead() {
        return false;
    }

    @Override
    public void pauseReading() {
        updateReading();
    }

    @Override
    public void resumeReading() {
        if (!processing) {
            process();
        }
    }

    @Override
    public boolean clientWritable() {
        return ctx.channel().isWritable();
    }

    @Override
    public void declineRequestRest(Abort code) {
        writer.markClose();
    }

    @Override
    public boolean discardsRequestRest() {
        return !writer.closeAfter() && !server.draining();
    }

    @Override
    public void closeAfterExchange() {
        writer.markClose();
    }

    @Override
    public void abort(Abort code) {
        closeNow();
    }

    @Override
    public void withhold() {
        closing = true;
        writer.markClose();
        writer.drop();
        ctx.close();
    }

    @Override
    public void exchangeOver(long nowNanos) {
        if (closing) {
            return;
        }
        awaitNextHead(nowNanos);
        if (writer.closeAfter() || server.draining()) {
            closing = true;
            writer.writeOut();
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (!processing) {
            writer.flush();
            process();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The connection's own lifecycle
    // ---------------------------------------------------------------------------------------------

    /** No exchange since {@code nowNanos}: the client has the idle timeout from then to start its next request. */
    private void awaitNextHead(long nowNanos) {
        headPending = false;
        deadlines.schedule(connectionDeadline, nowNanos + server.idleTimeoutNanos());
    }

    /** The client sent no request within the idle timeout, or not its whole head within the head timeout. */
    private void connectionTimedOut(long now) {
        if (!closing && !driver.active()) {
            closeNow();
        }
    }

    private void closeNow() {
        closing = true;
        writer.flush();
        ctx.close();
    }

    /** Called on the connection's loop when the gateway starts draining. */
    public void drain() {
        if (!driver.active() && !headPending) {
            closeNow();
        } else {
            writer.markClose();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == DrainEvent.INSTANCE) {
            drain();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        driver.onClientWritabilityChanged(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        deadlines.cancel(connectionDeadline);
        driver.onClientGone();
        if (in != null) {
            in.release();
            in = null;
        }
        writer.drop();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        closeNow();
    }

    /** The user event that asks every connection to drain. */
    public enum DrainEvent {
        INSTANCE
    }
}
