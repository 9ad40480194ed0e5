package io.gozargah.engine.http1;

import io.gozargah.codec.http1.BodyFraming;
import io.gozargah.codec.http1.HeaderBlock;
import io.gozargah.codec.http1.Http1Error;
import io.gozargah.codec.http1.Http1Writer;
import io.gozargah.codec.http1.HttpMethod;
import io.gozargah.codec.http1.HttpRequestParser;
import io.gozargah.codec.http1.KnownHeaders;
import io.gozargah.codec.http1.ParseResult;
import io.gozargah.codec.http1.RequestHead;
import io.gozargah.codec.http1.ResponseHead;
import io.gozargah.engine.auth.ApiKeyAuthenticator;
import io.gozargah.engine.auth.ClientCertificate;
import io.gozargah.engine.config.LimitsConfig;
import io.gozargah.engine.exchange.ExchangeGate;
import io.gozargah.engine.exchange.Exchange;
import io.gozargah.engine.exchange.ExchangeStages;
import io.gozargah.engine.exchange.HeaderSink;
import io.gozargah.engine.exchange.Outcome;
import io.gozargah.engine.exchange.Problem;
import io.gozargah.engine.exchange.RequestFields;
import io.gozargah.engine.exchange.TransactionIds;
import io.gozargah.engine.route.RouteMatch;
import io.gozargah.engine.route.ServiceRoute;
import io.gozargah.engine.server.LoopResources;
import io.gozargah.engine.server.ServerContext;
import io.gozargah.engine.upstream.AcquireCallback;
import io.gozargah.engine.upstream.UpstreamConnection;
import io.gozargah.engine.upstream.UpstreamEndpoint;
import io.gozargah.engine.upstream.UpstreamListener;
import io.gozargah.engine.upstream.UpstreamPool;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One consumer connection speaking HTTP/1.1: parses requests with our own {@link HttpRequestParser},
 * routes, authenticates and checks grants, then streams the request to a pooled upstream connection of
 * the same event loop and the response back. One exchange at a time: pipelined requests wait in the
 * input buffer and are answered in order.
 *
 * <p>Backpressure both ways: the client is read only while the exchange can take bytes (the upstream is
 * writable, or no exchange is in flight); the upstream is read only while the client is writable. Auto-read
 * is switched off for exactly those moments (as Envoy's watermarks do), not toggled per request.
 *
 * <p>Every gateway-made answer is problem+json with the transaction id. Where the framing of the input
 * is unknowable (a parse error) or a body would be left half-read, the connection is closed after the
 * answer rather than guessed at (RFC 9112 §6.3, as Zuul's Http1FramingEnforcingHandler argues).
 */
public final class Http1Connection extends ChannelInboundHandlerAdapter implements UpstreamListener, AcquireCallback {
    private static final Logger log = LoggerFactory.getLogger(Http1Connection.class);

    private static final AsciiString CONTENT_TYPE = AsciiString.cached("Content-Type");
    private static final AsciiString PROBLEM_JSON = AsciiString.cached(Problem.CONTENT_TYPE);
    private static final AsciiString ALLOW = AsciiString.cached("Allow");
    private static final AsciiString RETRY_AFTER = AsciiString.cached("Retry-After");
    private static final AsciiString CHUNKED = AsciiString.cached("chunked");
    private static final AsciiString CLOSE = AsciiString.cached("close");
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final AsciiString HTTP = AsciiString.cached("http");
    private static final AsciiString HTTPS = AsciiString.cached("https");
    private static final byte[] CONTINUE_100 = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** Initial size of the gathering buffer: a typical response head plus a small JSON answer. */
    private static final int CLIENT_OUT_BYTES = 4096;
    /** Content up to this size is copied into the gathering buffer rather than sliced. */
    private static final int COPY_CONTENT_BYTES = 8192;
    private static final byte[] TX_HEADER_NAME = "X-Gozargah-Transaction: ".getBytes(StandardCharsets.US_ASCII);
    private static final int TX_HEADER_LENGTH = TX_HEADER_NAME.length + TransactionIds.TEXT_LENGTH + 2;

    /** Request-side states of the exchange in flight. */
    private enum RequestState {
        /** No exchange: parsing the next request head. */
        IDLE,
        /** Head accepted; waiting for an upstream connection (not parsing further). */
        WAIT_UPSTREAM,
        /** Forwarding body bytes to the upstream. */
        STREAMING,
        /** Request fully forwarded; waiting for the response to finish. */
        SENT,
        /** Answered by the gateway; reading and dropping the rest of the request body. */
        DISCARDING,
        /** Answered by the gateway and the request fully read; waiting for the answer to be written. */
        DONE
    }

    private static final Http1Writer.HeaderFilter RESPONSE_FILTER =
            (h, i) -> !h.hopByHop(i) && h.id(i) != KnownHeaders.X_GOZARGAH && h.id(i) != KnownHeaders.PROXY_AUTHENTICATE;

    /** {@link #RESPONSE_FILTER} for a response whose Content-Length the gateway writes itself. */
    private static final Http1Writer.HeaderFilter RESPONSE_FILTER_OWN_LENGTH =
            (h, i) -> h.id(i) != KnownHeaders.CONTENT_LENGTH && RESPONSE_FILTER.keep(h, i);

    private final ServerContext server;
    private final Runnable responseTimerTask = this::onResponseTimer;
    private final HttpRequestParser parser;
    private final ExchangeStages stages;
    private final H1HeaderSink headerSink = new H1HeaderSink();
    /** Request header and trailer fields that go upstream: {@link RequestFields} for the service in flight. */
    private final Http1Writer.HeaderFilter forwardFilter =
            (h, i) -> !h.hopByHop(i) && RequestFields.forwarded(h.id(i), h.underscoreInName(i), this.service);
    private Exchange exchange;
    /** Whether the stages have seen the end of the current exchange (exactly once per exchange). */
    private boolean completed;
    private final ExchangeGate gate;
    /** The connection's verified client certificate, if any (TLS listeners). */
    private final ClientCertificate certificate;
    /** Whether the consumer reached us over TLS (X-Forwarded-Proto). */
    private final boolean secure;
    private boolean activated;
    private LoopResources loop;
    private ApiKeyAuthenticator authenticator;
    private ChannelHandlerContext ctx;
    private ByteBuf in;
    private AsciiString clientAddress;
    /** {@code X-Forwarded-For} and {@code X-Forwarded-Proto} lines for this connection, rendered once. */
    private byte[] forwardedLines;
    private boolean processing;
    private boolean reading = true;
    private boolean closing;
    private boolean upstreamFlushPending;
    private boolean clientFlushPending;
    private boolean headPending;
    private long headStartNanos;
    private long lastActivityNanos;
    /** When the client stopped taking what is written to it (the channel went unwritable), or 0 while it takes it. */
    private long unwritableSinceNanos;
    private ScheduledFuture<?> ticker;
    /** Small writes to the client (heads, small bodies, chunk framing) gathered into one buffer per read batch. */
    private ByteBuf clientOut;
    /** {@code X-Gozargah-Transaction: <id>CRLF} of the exchange in flight: rendered once, written twice. */
    private final byte[] txHeaderLine = new byte[TX_HEADER_LENGTH];

    // The exchange in flight (one at a time; fields are reset per exchange, nothing is allocated for it).
    private boolean exchangeActive;
    private RequestState requestState = RequestState.IDLE;
    private ServiceRoute service;
    private HttpMethod method;
    private BodyFraming requestFraming;
    /** The request's Content-Length when {@link #requestFraming} is CONTENT_LENGTH. */
    private long declaredLength;
    private boolean clientHttp10;
    private boolean expectContinue;
    private boolean closeAfterResponse;
    private long txMsb;
    private long txLsb;
    private ByteBuf forwardHead;
    private boolean retryable;
    private int attempts;
    private UpstreamPool pool;
    private UpstreamConnection upstream;
    /** When the request must have arrived whole (System.nanoTime), or 0 once it has (or for none). */
    private long requestDeadlineNanos;
    /** When a refused request's remaining body must have been read and dropped, else the connection closes. */
    private long discardDeadlineNanos;
    /** The request body bytes received when the exchange was refused: what is dropped after is counted from it. */
    private long discardFromBytes;
    /** When the response head is due (System.nanoTime), or 0 when no response is awaited. */
    private long responseDeadlineNanos;
    /** The scheduled check; it may fire early relative to a later deadline and then re-arms itself. */
    private ScheduledFuture<?> responseTimer;
    private boolean responseStarted;
    private boolean responseDone;
    private boolean chunkedToClient;

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
        this.gate = new ExchangeGate(server.stages(), server.authFailures());
        System.arraycopy(TX_HEADER_NAME, 0, txHeaderLine, 0, TX_HEADER_NAME.length);
        txHeaderLine[TX_HEADER_LENGTH - 2] = '\r';
        txHeaderLine[TX_HEADER_LENGTH - 1] = '\n';
        this.parser = new HttpRequestParser(server.requestLimits());
        this.stages = server.stages();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.loop = server.loop(ctx.channel().eventLoop());
        this.authenticator = new ApiKeyAuthenticator(loop.sha256(), loop.keyScratch(), loop.digestScratch());
        this.exchange = new Exchange(loop);
        if (ctx.channel().isActive()) {
            // Added after the TLS handshake (or the cleartext protocol detection): the channel is already active.
            activate(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        activate(ctx);
        ctx.fireChannelActive();
    }

    private void activate(ChannelHandlerContext ctx) {
        if (activated) {
            return;
        }
        activated = true;
        SocketAddress remote = ctx.channel().remoteAddress();
        if (remote instanceof InetSocketAddress) {
            exchange.clientAddress((InetSocketAddress) remote);
        }
        clientAddress = new AsciiString(remote instanceof InetSocketAddress
                ? ((InetSocketAddress) remote).getAddress().getHostAddress() : String.valueOf(remote));
        forwardedLines = (KnownHeaders.NAME_X_FORWARDED_FOR + ": " + clientAddress + "\r\n"
                + KnownHeaders.NAME_X_FORWARDED_PROTO + ": " + (secure ? HTTPS : HTTP) + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        lastActivityNanos = System.nanoTime();
        long tick = server.timerTickNanos();
        ticker = ctx.executor().scheduleAtFixedRate(this::checkDeadlines, tick, tick, TimeUnit.NANOSECONDS);
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
        if (in == null) {
            in = data;
        } else {
            in = cumulate(in, data);
        }
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
                if (exchangeActive) {
                    if (requestState == RequestState.WAIT_UPSTREAM || requestState == RequestState.SENT
                            || requestState == RequestState.DONE) {
                        break;
                    }
                    if (requestState == RequestState.STREAMING && !upstream.channel().isWritable()) {
                        break;
                    }
                }
                ByteBuf buf = in != null ? in : Unpooled.EMPTY_BUFFER;
                if (!exchangeActive && !buf.isReadable()) {
                    break;
                }
                ParseResult r = parser.parse(buf);
                switch (r) {
                    case NEED_MORE:
                        if (!exchangeActive && !headPending && buf.isReadable()) {
                            headPending = true;
                            headStartNanos = System.nanoTime();
                        }
                        break parse;
                    case HEAD:
                        headPending = false;
                        onRequestHead(parser.head());
                        break;
                    case BODY:
                        onRequestBody(parser.bodyBytes());
                        break;
                    case MESSAGE_COMPLETE:
                        onRequestComplete(parser.trailers());
                        break;
                    case ERROR:
                    default:
                        onParseError(parser.error());
                        break parse;
                }
            }
            if (in != null) {
                if (!in.isReadable()) {
                    in.release();
                    in = null;
                } else if (in.refCnt() == 1 && (!exchangeActive || requestState != RequestState.WAIT_UPSTREAM)) {
                    // Only while no slice of it is still queued for the upstream: compaction moves bytes
                    // in place, under a write that has not happened yet (as ByteToMessageDecoder guards).
                    in.discardSomeReadBytes();
                }
            }
            if (upstreamFlushPending && upstream != null) {
                upstreamFlushPending = false;
                upstream.channel().flush();
            }
            if (clientFlushPending) {
                clientFlushPending = false;
                flushClient();
            }
        } finally {
            processing = false;
        }
        updateReading();
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
        if (!exchangeActive) {
            return true;
        }
        switch (requestState) {
            case STREAMING:
                return upstream != null && upstream.channel().isWritable();
            case DISCARDING:
                return true;
            default:
                // Keep reading a little while waiting, to notice a client that goes away; never buffer
                // more than one head's worth of pipelined input.
                return in == null || in.readableBytes() < server.requestLimits().maxHeaderBytes();
        }
    }

    /** A new transaction and its id. */
    private void startExchange() {
        exchangeActive = true;
        TransactionIds ids = loop.transactionIds();
        ids.next();
        txMsb = ids.msb();
        txLsb = ids.lsb();
        TransactionIds.writeText(txHeaderLine, TX_HEADER_NAME.length, txMsb, txLsb);
        long now = System.nanoTime();
        exchange.start(txMsb, txLsb, now, loop.epochClock().epochNanos(now));
        completed = false;
    }

    /** Tells the stages the exchange is over (once); called before its last byte is flushed. */
    private void complete(Outcome o) {
        if (!completed) {
            completed = true;
            stages.complete(exchange, o, System.nanoTime());
            if (exchange.withheld()) {
                withhold();
            }
        }
    }

    /**
     * A stage could not record the exchange (the journal had no room even for a refusal): the answer must not
     * reach the consumer. Whatever is not flushed yet is dropped and the connection closed.
     */
    private void withhold() {
        closing = true;
        closeAfterResponse = true;
        if (clientOut != null) {
            clientOut.release();
            clientOut = null;
        }
        ctx.close();
    }

    private void onRequestHead(RequestHead head) {
        startExchange();
        method = head.method();
        requestFraming = head.framing();
        declaredLength = head.contentLength();
        clientHttp10 = head.versionMinor() == 0;
        exchange.snapshot(server.snapshot());
        exchange.method(method);
        exchange.protocol(clientHttp10 ? Exchange.Protocol.HTTP_1_0 : Exchange.Protocol.HTTP_1_1);
        expectContinue = head.expectContinue() && requestFraming != BodyFraming.NONE;
        closeAfterResponse = !head.keepAlive() || server.draining();
        responseStarted = false;
        responseDone = false;
        chunkedToClient = false;
        service = null;
        attempts = 0;

        if (head.hostCount() > 1 || (!clientHttp10 && head.hostCount() != 1)) {
            reject(Outcome.BAD_REQUEST, "exactly one Host header is required (RFC 9112 §3.2)", null);
            return;
        }
        if (server.underscoreFields() == LimitsConfig.UnderscoreFields.REFUSE && underscoreInAnyName(head.headers())) {
            reject(Outcome.BAD_REQUEST, "header field names with '_' are refused: servers that read '_' as '-' would"
                    + " take them for other fields", null);
            return;
        }
        if (requestFraming == BodyFraming.CONTENT_LENGTH && head.contentLength() > server.maxRequestBodyBytes()) {
            closeAfterResponse = true;
            reject(Outcome.PAYLOAD_TOO_LARGE, "the request body exceeds " + server.maxRequestBodyBytes() + " bytes", null);
            return;
        }
        Outcome refused = gate.route(exchange, head.buffer(), head.targetStart(), head.targetLength());
        if (refused == null) {
            refused = gate.authorize(exchange, authenticator.authenticate(exchange.snapshot(), head.headers()), authenticator,
                    certificate);
        }
        if (refused != null) {
            if (gate.closesConnection()) {
                // A throttled authentication failure: nothing more is read from this connection.
                closeAfterResponse = true;
            }
            reject(refused, gate.detail(), gate.allow());
            return;
        }
        service = exchange.service();
        pool = loop.pools().choose(service.endpoints());
        exchange.endpoint(pool.endpoint());
        forwardHead = encodeForwardHead(head, pool.endpoint());
        // A request with no body and a method that is safe to repeat may be retried once on a fresh
        // connection when a reused keep-alive connection turns out to be closed (the race every pooling
        // proxy meets; RFC 9110 §9.2.2).
        retryable = requestFraming == BodyFraming.NONE && (method == HttpMethod.GET || method == HttpMethod.HEAD
                || method == HttpMethod.OPTIONS);
        requestState = RequestState.WAIT_UPSTREAM;
        requestDeadlineNanos = requestFraming == BodyFraming.NONE ? 0
                : exchange.startNanos() + service.requestTimeoutNanos();
        pool.acquire(this);
    }

    private ByteBuf encodeForwardHead(RequestHead head, UpstreamEndpoint endpoint) {
        ByteBuf out = ctx.alloc().ioBuffer(head.headLength() + 256);
        Http1Writer.writeMethod(out, head);
        out.writeBytes(endpoint.pathPrefix());
        out.writeBytes(service.upstreamPath());
        RouteMatch match = gate.match();
        if (service.upstreamPath().length == 0 && match.restLength() == 0) {
            out.writeByte('/'); // a service mapped to "/" with nothing after it
        }
        out.writeBytes(head.buffer(), match.restStart(), match.restLength());
        out.writeBytes(head.buffer(), match.queryStart(), match.queryLength());
        // The gateway's own lines are rendered once (per endpoint, consumer, connection, exchange) and
        // copied whole: a few bulk copies instead of a dozen small writes per request.
        out.writeBytes(endpoint.requestLineEnd());
        Http1Writer.copyHeaders(out, head.headers(), forwardFilter);
        out.writeBytes(exchange.consumer().headerLine());
        writeTransactionHeader(out);
        out.writeBytes(forwardedLines);
        // The framing is the gateway's own, never a copy of the client's field: whatever the client's
        // Connection header named, the provider finds the body's end exactly where the gateway does.
        if (requestFraming == BodyFraming.CHUNKED) {
            Http1Writer.writeHeader(out, KnownHeaders.NAME_TRANSFER_ENCODING, CHUNKED);
        } else if (requestFraming == BodyFraming.CONTENT_LENGTH) {
            Http1Writer.writeHeader(out, KnownHeaders.NAME_CONTENT_LENGTH, declaredLength);
        } else if (method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH) {
            // RFC 9110 §8.6: a request whose method gives content a meaning says when it has none.
            Http1Writer.writeHeader(out, KnownHeaders.NAME_CONTENT_LENGTH, 0);
        }
        Http1Writer.writeCrlf(out);
        return out;
    }

    private static boolean underscoreInAnyName(HeaderBlock headers) {
        for (int i = 0; i < headers.size(); i++) {
            if (headers.underscoreInName(i)) {
                return true;
            }
        }
        return false;
    }

    private void writeTransactionHeader(ByteBuf out) {
        out.writeBytes(txHeaderLine);
    }

    private void onRequestBody(int n) {
        exchange.addRequestBodyBytes(n);
        if (requestState == RequestState.DISCARDING) {
            in.skipBytes(n);
            if (exchange.requestBodyBytes() - discardFromBytes > server.maxDiscardBytes()) {
                closeNow();
            }
            return;
        }
        if (exchange.requestBodyBytes() > server.maxRequestBodyBytes()) {
            // Only a chunked body gets here (a declared length was checked at the head).
            in.skipBytes(n);
            abandonUpstream();
            closeAfterResponse = true;
            if (!responseStarted) {
                reject(Outcome.PAYLOAD_TOO_LARGE, "the request body exceeds " + server.maxRequestBodyBytes() + " bytes",
                        null);
            } else {
                complete(Outcome.PAYLOAD_TOO_LARGE);
                closeNow();
            }
            return;
        }
        stages.requestContent(exchange, in, in.readerIndex(), n);
        ByteBuf content = in.readRetainedSlice(n);
        if (requestFraming == BodyFraming.CHUNKED) {
            ByteBuf header = ctx.alloc().ioBuffer(12);
            Http1Writer.writeChunkHeader(header, n);
            upstream.channel().write(header, upstream.channel().voidPromise());
            upstream.channel().write(content, upstream.channel().voidPromise());
            ByteBuf crlf = ctx.alloc().ioBuffer(2);
            Http1Writer.writeCrlf(crlf);
            upstream.channel().write(crlf, upstream.channel().voidPromise());
        } else {
            upstream.channel().write(content, upstream.channel().voidPromise());
        }
        upstreamFlushPending = true;
    }

    private void onRequestComplete(HeaderBlock trailers) {
        if (requestState == RequestState.DISCARDING) {
            requestState = RequestState.DONE;
            finishExchange();
            return;
        }
        if (requestState != RequestState.STREAMING) {
            return;
        }
        if (requestFraming == BodyFraming.CHUNKED) {
            ByteBuf end = ctx.alloc().ioBuffer(64);
            Http1Writer.writeLastChunk(end);
            Http1Writer.copyHeaders(end, trailers, forwardFilter);
            Http1Writer.writeCrlf(end);
            upstream.channel().write(end, upstream.channel().voidPromise());
        }
        upstreamFlushPending = true;
        requestState = RequestState.SENT;
        requestDeadlineNanos = 0;
        if (responseDone) {
            finishExchange();
        } else if (!responseStarted) {
            armResponseTimer();
        }
    }

    private void onParseError(Http1Error error) {
        Outcome o = Outcome.forParserStatus(error.status());
        if (exchangeActive) {
            // Broken framing mid-body: the upstream got part of a request it must never complete.
            abandonUpstream();
            closeAfterResponse = true;
            if (!responseStarted) {
                reject(o, error.detail(), null);
            } else {
                complete(Outcome.CLIENT_ABORTED);
                closeNow();
            }
            return;
        }
        startExchange();
        method = HttpMethod.OTHER;
        clientHttp10 = false;
        closeAfterResponse = true;
        requestState = RequestState.DONE;
        reject(o, error.detail(), null);
    }

    // ---------------------------------------------------------------------------------------------
    // Answers made by the gateway
    // ---------------------------------------------------------------------------------------------

    /**
     * Answers the exchange with a problem document. The rest of the request body, if any, is read and
     * dropped so the connection stays usable, unless the client awaits 100-continue (it may never send
     * the body) or the body is too large: then the connection closes after the answer.
     */
    private void reject(Outcome o, String detail, String allow) {
        responseStarted = true;
        responseDone = true;
        if (expectContinue && requestState != RequestState.SENT) {
            closeAfterResponse = true;
        }
        writeProblem(o, detail, allow);
        complete(o);
        if (closeAfterResponse) {
            requestState = RequestState.DONE;
            finishExchange();
        } else if (requestState == RequestState.SENT || requestState == RequestState.DONE) {
            finishExchange();
        } else if (requestFraming == BodyFraming.CONTENT_LENGTH
                && declaredLength - exchange.requestBodyBytes() > server.maxDiscardBytes()) {
            // Reading a large declared body only to drop it would let any client, with or without a key, hold
            // the connection (and a descriptor) for as long as it likes: close after the answer instead.
            closeAfterResponse = true;
            requestState = RequestState.DONE;
            finishExchange();
        } else {
            // The parser reports MESSAGE_COMPLETE (at once when there is no body) and the exchange ends there.
            // What is left is dropped only up to maxDiscardBytes and within the head timeout (checkDeadlines).
            requestState = RequestState.DISCARDING;
            requestDeadlineNanos = 0;
            discardFromBytes = exchange.requestBodyBytes();
            discardDeadlineNanos = System.nanoTime() + server.requestHeadTimeoutNanos();
        }
    }

    private void writeProblem(Outcome o, String detail, String allow) {
        ByteBuf body = ctx.alloc().heapBuffer(256);
        Problem.writeBody(body, o, detail, txMsb, txLsb);
        ByteBuf out = clientOut(384 + body.readableBytes());
        exchange.status(o.status());
        Http1Writer.writeStatusLine(out, o.status());
        Http1Writer.writeHeader(out, CONTENT_TYPE, PROBLEM_JSON);
        Http1Writer.writeHeader(out, KnownHeaders.NAME_CONTENT_LENGTH, body.readableBytes());
        writeTransactionHeader(out);
        if (allow != null) {
            Http1Writer.writeHeader(out, ALLOW, allow);
        }
        if (exchange.retryAfterSeconds() >= 0) {
            Http1Writer.writeHeader(out, RETRY_AFTER, exchange.retryAfterSeconds());
        }
        headerSink.out = out;
        stages.responseHeaders(exchange, headerSink);
        headerSink.out = null;
        writeConnectionHeader(out);
        Http1Writer.writeCrlf(out);
        if (method != HttpMethod.HEAD) {
            exchange.addResponseBodyBytes(body.readableBytes());
            out.writeBytes(body);
        }
        body.release();
        clientFlushPending = true;
    }

    private void writeConnectionHeader(ByteBuf out) {
        if (server.draining()) {
            // The drain flag is set before the listeners close; the drain event may reach this loop later.
            closeAfterResponse = true;
        }
        if (closeAfterResponse) {
            Http1Writer.writeHeader(out, KnownHeaders.NAME_CONNECTION, CLOSE);
        } else if (clientHttp10) {
            Http1Writer.writeHeader(out, KnownHeaders.NAME_CONNECTION, KEEP_ALIVE);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Upstream connection
    // ---------------------------------------------------------------------------------------------

    @Override
    public void acquired(UpstreamConnection connection, boolean reused) {
        if (!exchangeActive || requestState != RequestState.WAIT_UPSTREAM || closing || !ctx.channel().isActive()) {
            connection.unused();
            return;
        }
        upstream = connection;
        connection.bind(this, method);
        connection.setClientWritable(ctx.channel().isWritable());
        ByteBuf head = forwardHead;
        if (retryable && reused && attempts < 2) {
            // Keep a reference for one retry; a failed write is released by its channel's close before
            // channelInactive reaches us, so rewinding the reader index then is safe (one loop, no race).
            head.retain().readerIndex(0);
        } else {
            forwardHead = null;
            retryable = false;
        }
        attempts++;
        if (exchange.upstreamStartNanos() == 0) {
            exchange.upstreamStartNanos(System.nanoTime());
        }
        if (attempts > 1) {
            // A retry: the request (head only, see retryable) was already parsed whole the first time.
            connection.channel().writeAndFlush(head, connection.channel().voidPromise());
            requestState = RequestState.SENT;
            armResponseTimer();
            return;
        }
        connection.channel().write(head, connection.channel().voidPromise());
        upstreamFlushPending = true;
        if (expectContinue && !clientHttp10) {
            clientOut(CONTINUE_100.length).writeBytes(CONTINUE_100);
            flushClient();
        }
        requestState = RequestState.STREAMING;
        if (!processing) {
            process();
        }
    }

    @Override
    public void acquireFailed(boolean overloaded, String detail) {
        if (!exchangeActive || requestState != RequestState.WAIT_UPSTREAM) {
            return;
        }
        releaseForwardHead();
        log.debug("{}: {}", service.qualifiedName(), detail);
        if (overloaded) {
            reject(Outcome.OVERLOADED, "the provider " + service.provider() + " is at its connection limit", null);
        } else {
            reject(Outcome.UPSTREAM_UNAVAILABLE, "the provider " + service.provider() + " could not be reached", null);
        }
        if (!processing) {
            process();
        }
    }

    @Override
    public void onResponseHead(ResponseHead head) {
        if (head.informational()) {
            // 100 is ours to send (we removed Expect upstream); 103 Early Hints passes to HTTP/1.1 clients.
            if (head.status() == 103 && !clientHttp10) {
                ByteBuf out = clientOut(head.headLength() + 64);
                Http1Writer.writeStatusLine(out, head);
                Http1Writer.copyHeaders(out, head.headers(), RESPONSE_FILTER);
                Http1Writer.writeCrlf(out);
            }
            return;
        }
        cancelResponseTimer();
        releaseForwardHead();
        responseStarted = true;
        exchange.responseHeadNanos(System.nanoTime());
        exchange.status(head.status());
        BodyFraming framing = head.framing();
        if (framing == BodyFraming.CHUNKED || framing == BodyFraming.UNTIL_CLOSE) {
            if (clientHttp10) {
                closeAfterResponse = true; // HTTP/1.0 has no chunked coding: the close delimits the body
            } else {
                chunkedToClient = true;
            }
        }
        ByteBuf out = clientOut(head.headLength() + 128);
        Http1Writer.writeStatusLine(out, head);
        if (framing == BodyFraming.CONTENT_LENGTH) {
            // As upstream: the length the gateway parsed is the length the client is told, even where the
            // provider's Connection header named Content-Length (which would make its field hop-by-hop).
            Http1Writer.copyHeaders(out, head.headers(), RESPONSE_FILTER_OWN_LENGTH);
            Http1Writer.writeHeader(out, KnownHeaders.NAME_CONTENT_LENGTH, head.contentLength());
        } else {
            Http1Writer.copyHeaders(out, head.headers(), RESPONSE_FILTER);
        }
        writeTransactionHeader(out);
        headerSink.out = out;
        stages.responseHeaders(exchange, headerSink);
        headerSink.out = null;
        if (chunkedToClient) {
            Http1Writer.writeHeader(out, KnownHeaders.NAME_TRANSFER_ENCODING, CHUNKED);
        }
        writeConnectionHeader(out);
        Http1Writer.writeCrlf(out);
    }

    /** The gathering buffer with room for {@code bytes} more, written out first if it is too full. */
    private ByteBuf clientOut(int bytes) {
        if (clientOut != null && clientOut.maxFastWritableBytes() < bytes) {
            writeClientOut();
        }
        if (clientOut == null) {
            clientOut = ctx.alloc().ioBuffer(Math.max(bytes, CLIENT_OUT_BYTES));
        }
        return clientOut;
    }

    /** Passes the gathered bytes down the pipeline (not flushed). */
    private void writeClientOut() {
        if (clientOut != null) {
            ByteBuf out = clientOut;
            clientOut = null;
            ctx.write(out, ctx.voidPromise());
        }
    }

    private void flushClient() {
        writeClientOut();
        ctx.flush();
    }

    @Override
    public void onResponseContent(ByteBuf in, int length) {
        if (!ctx.channel().isActive()) {
            in.skipBytes(length);
            return;
        }
        if (length == 0) {
            return;
        }
        stages.responseContent(exchange, in, in.readerIndex(), length);
        exchange.addResponseBodyBytes(length);
        if (length <= COPY_CONTENT_BYTES) {
            // Small content is copied next to its head: one buffer, one write, no slice object.
            ByteBuf out = clientOut(length + 16);
            if (chunkedToClient) {
                Http1Writer.writeChunkHeader(out, length);
                out.writeBytes(in, length);
                Http1Writer.writeCrlf(out);
            } else {
                out.writeBytes(in, length);
            }
        } else {
            if (chunkedToClient) {
                Http1Writer.writeChunkHeader(clientOut(12), length);
            }
            writeClientOut();
            ctx.write(in.readRetainedSlice(length), ctx.voidPromise());
            if (chunkedToClient) {
                Http1Writer.writeCrlf(clientOut(2));
            }
        }
        if (!ctx.channel().isWritable() && upstream != null) {
            upstream.setClientWritable(false);
        }
    }

    @Override
    public void onResponseComplete(HeaderBlock trailers) {
        if (chunkedToClient) {
            ByteBuf end = clientOut(64 + (trailers.size() == 0 ? 0 : trailers.lineEnd(trailers.size() - 1)
                    - trailers.lineStart(0)));
            Http1Writer.writeLastChunk(end);
            Http1Writer.copyHeaders(end, trailers, RESPONSE_FILTER);
            Http1Writer.writeCrlf(end);
        }
        responseDone = true;
        complete(Outcome.PROXIED);
        // The upstream connection is reusable only if the gateway knows exactly where the request it sent ended:
        // all of it went out, framed by the gateway (a fixed length that was sent in full, or its own chunks).
        boolean requestComplete = requestState == RequestState.SENT
                && (requestFraming != BodyFraming.CONTENT_LENGTH || exchange.requestBodyBytes() == declaredLength);
        UpstreamConnection c = upstream;
        upstream = null;
        if (c != null) {
            c.release(requestComplete);
        }
        if (requestComplete) {
            finishExchange();
        } else {
            // The provider answered before the request was whole: the rest of the body has nowhere to go,
            // and the connection cannot be trusted to be at a message boundary.
            closeAfterResponse = true;
            requestState = RequestState.DONE;
            finishExchange();
        }
    }

    @Override
    public void onUpstreamFailure(boolean started, String detail) {
        upstream = null;
        cancelResponseTimer();
        if (!started && forwardHead != null && retryable && attempts < 2 && requestState == RequestState.SENT) {
            log.debug("{}: retrying on a new connection after: {}", service.qualifiedName(), detail);
            requestState = RequestState.WAIT_UPSTREAM;
            pool.acquire(this);
            return;
        }
        releaseForwardHead();
        if (!responseStarted) {
            log.debug("{}: {}", service.qualifiedName(), detail);
            if (requestState != RequestState.SENT) {
                closeAfterResponse = true;
            }
            reject(Outcome.UPSTREAM_UNAVAILABLE, "the provider " + service.provider()
                    + " failed before giving a complete response", null);
        } else {
            log.debug("{}: response cut short: {}", service.qualifiedName(), detail);
            complete(Outcome.UPSTREAM_ABORTED);
            closeNow();
        }
    }

    @Override
    public void onUpstreamReadComplete() {
        flushClient();
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        if (writable) {
            process();
        }
    }

    /**
     * Lazy timer: keep-alive exchanges follow each other with ever later deadlines, so rather than
     * scheduling and cancelling a task per request (a heap insert and removal each), one scheduled
     * check per connection re-arms itself for the current deadline when it fires early.
     */
    private void armResponseTimer() {
        responseDeadlineNanos = System.nanoTime() + service.responseTimeoutNanos();
        if (responseTimer == null) {
            responseTimer = ctx.executor().schedule(responseTimerTask, service.responseTimeoutNanos(),
                    TimeUnit.NANOSECONDS);
        }
    }

    private void onResponseTimer() {
        responseTimer = null;
        if (responseDeadlineNanos == 0 || closing) {
            return;
        }
        long left = responseDeadlineNanos - System.nanoTime();
        if (left > 0) {
            responseTimer = ctx.executor().schedule(responseTimerTask, left, TimeUnit.NANOSECONDS);
            return;
        }
        responseDeadlineNanos = 0;
        if (!exchangeActive || responseStarted || upstream == null) {
            return;
        }
        abandonUpstream();
        reject(Outcome.UPSTREAM_TIMEOUT, "the provider " + service.provider() + " did not answer within "
                + TimeUnit.NANOSECONDS.toMillis(service.responseTimeoutNanos()) + " ms", null);
        flushClient();
    }

    private void cancelResponseTimer() {
        responseDeadlineNanos = 0;
    }

    /** Drops the upstream side of the exchange: the connection is closed, never reused. */
    private void abandonUpstream() {
        cancelResponseTimer();
        releaseForwardHead();
        if (upstream != null) {
            UpstreamConnection c = upstream;
            upstream = null;
            c.close();
        }
        if (requestState == RequestState.WAIT_UPSTREAM && pool != null) {
            pool.cancel(this);
        }
    }

    private void releaseForwardHead() {
        if (forwardHead != null) {
            forwardHead.release();
            forwardHead = null;
        }
        retryable = false;
    }

    // ---------------------------------------------------------------------------------------------
    // End of an exchange, connection lifecycle
    // ---------------------------------------------------------------------------------------------

    private void finishExchange() {
        exchangeActive = false;
        requestState = RequestState.IDLE;
        cancelResponseTimer();
        releaseForwardHead();
        service = null;
        pool = null;
        lastActivityNanos = System.nanoTime();
        if (closeAfterResponse || server.draining()) {
            closing = true;
            writeClientOut();
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (!processing) {
            flushClient();
            process();
        }
    }

    private void closeNow() {
        closing = true;
        flushClient();
        ctx.close();
    }

    private void checkDeadlines() {
        if (closing) {
            return;
        }
        long now = System.nanoTime();
        if (exchangeActive) {
            checkExchangeDeadlines(now);
            return;
        }
        if (headPending ? now - headStartNanos > server.requestHeadTimeoutNanos()
                : now - lastActivityNanos > server.idleTimeoutNanos()) {
            closeNow();
        }
    }

    /**
     * What a client can hold with an exchange has a deadline: the request must arrive whole within the service's
     * requestTimeout (408 when an answer can still be sent), a refused request's rest must be dropped within
     * the head timeout, and a client that takes none of its response for the service's sendTimeout is cut off.
     * The upstream connection goes with it: mid-request or mid-response its framing is not at a message
     * boundary, so it is closed rather than pooled.
     */
    private void checkExchangeDeadlines(long now) {
        if (requestState == RequestState.DISCARDING) {
            if (now - discardDeadlineNanos > 0) {
                closeNow();
            }
            return;
        }
        if (requestDeadlineNanos != 0 && now - requestDeadlineNanos > 0
                && (requestState == RequestState.WAIT_UPSTREAM || requestState == RequestState.STREAMING)) {
            requestDeadlineNanos = 0;
            onRequestTimeout();
            return;
        }
        if (unwritableSinceNanos != 0 && service != null && now - unwritableSinceNanos > service.sendTimeoutNanos()) {
            log.debug("{}: client {} took none of the response for {} ms", service.qualifiedName(), clientAddress,
                    TimeUnit.NANOSECONDS.toMillis(service.sendTimeoutNanos()));
            abandonUpstream();
            complete(Outcome.SEND_TIMEOUT);
            closeNow();
        }
    }

    private void onRequestTimeout() {
        abandonUpstream();
        closeAfterResponse = true;
        String detail = "the request did not arrive whole within "
                + TimeUnit.NANOSECONDS.toMillis(service.requestTimeoutNanos()) + " ms of its head";
        if (!responseStarted) {
            reject(Outcome.REQUEST_TIMEOUT, detail, null);
            flushClient();
        } else {
            complete(Outcome.REQUEST_TIMEOUT);
            closeNow();
        }
    }

    /** Called on the connection's loop when the gateway starts draining. */
    public void drain() {
        if (!exchangeActive && !headPending) {
            closeNow();
        } else {
            closeAfterResponse = true;
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
        boolean writable = ctx.channel().isWritable();
        unwritableSinceNanos = writable ? 0 : System.nanoTime();
        if (upstream != null) {
            upstream.setClientWritable(writable);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        if (ticker != null) {
            ticker.cancel(false);
        }
        if (responseTimer != null) {
            responseTimer.cancel(false);
            responseTimer = null;
        }
        abandonUpstream();
        if (exchangeActive) {
            complete(Outcome.CLIENT_ABORTED);
        }
        exchangeActive = false;
        if (in != null) {
            in.release();
            in = null;
        }
        if (clientOut != null) {
            clientOut.release();
            clientOut = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("connection from {} failed: {}", clientAddress, cause.toString());
        closeNow();
    }

    /** Renders the stages' response header fields as HTTP/1.1 field lines into the head being written. */
    private static final class H1HeaderSink implements HeaderSink {
        ByteBuf out;

        @Override
        public void header(AsciiString name, long value) {
            Http1Writer.writeHeader(out, name, value);
        }

        @Override
        public void header(AsciiString name, byte[] value, int offset, int length) {
            out.writeBytes(name.array(), name.arrayOffset(), name.length());
            out.writeByte(':').writeByte(' ');
            out.writeBytes(value, offset, length);
            Http1Writer.writeCrlf(out);
        }
    }

    /** The user event that asks every connection to drain. */
    public enum DrainEvent {
        INSTANCE
    }
}
