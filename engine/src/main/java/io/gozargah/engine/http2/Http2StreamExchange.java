package io.gozargah.engine.http2;

import io.gozargah.codec.http1.BodyFraming;
import io.gozargah.codec.http1.HeaderBlock;
import io.gozargah.codec.http1.Http1Writer;
import io.gozargah.codec.http1.HttpMethod;
import io.gozargah.codec.http1.KnownHeaders;
import io.gozargah.codec.http1.RequestTargetBytes;
import io.gozargah.codec.http1.ResponseHead;
import io.gozargah.engine.config.LimitsConfig;
import io.gozargah.engine.exchange.Exchange;
import io.gozargah.engine.exchange.ExchangeGate;
import io.gozargah.engine.exchange.ExchangeStages;
import io.gozargah.engine.exchange.HeaderSink;
import io.gozargah.engine.exchange.Outcome;
import io.gozargah.engine.exchange.Problem;
import io.gozargah.engine.exchange.RequestFields;
import io.gozargah.engine.exchange.TransactionIds;
import io.gozargah.engine.route.RouteMatch;
import io.gozargah.engine.route.RoutingSnapshot;
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
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/2 stream as one transaction: the request passes the same {@link ExchangeGate} and stages as an
 * HTTP/1.1 request, goes to a pooled HTTP/1.1 upstream connection of the same event loop, and the response
 * comes back as HEADERS, DATA and trailers on the stream.
 *
 * <p>Flow control both ways: the stream's channel is read (and so its window returned to the client) only
 * while the upstream connection is writable, and the upstream is read only while the stream is writable
 * (its HTTP/2 window and the connection's buffer allow).
 *
 * <p>The downgrade to HTTP/1.1 is where HTTP/2 request smuggling lives, so the head is rebuilt field by field:
 * Netty's codec has already refused connection-specific fields and a TE other than "trailers" (RFC 9113
 * §8.2.2) as malformed, and here any value with CR, LF or NUL (§8.2.1) is refused with 400, a body longer or
 * shorter than its content-length is refused (§8.1.1), and a body without a length goes upstream chunked.
 */
final class Http2StreamExchange extends ChannelInboundHandlerAdapter implements UpstreamListener, AcquireCallback {
    private static final Logger log = LoggerFactory.getLogger(Http2StreamExchange.class);

    private static final HttpMethod[] METHODS = HttpMethod.values();
    private static final AsciiString CONTENT_TYPE = AsciiString.cached("content-type");
    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");
    private static final AsciiString PROBLEM_JSON = AsciiString.cached(Problem.CONTENT_TYPE);
    private static final AsciiString ALLOW = AsciiString.cached("allow");
    private static final AsciiString RETRY_AFTER = AsciiString.cached("retry-after");
    private static final AsciiString TX_HEADER = AsciiString.cached("x-gozargah-transaction");
    private static final AsciiString X_API_KEY = AsciiString.cached("x-api-key");
    private static final AsciiString COOKIE = AsciiString.cached("cookie");
    private static final byte[] TX_LINE_NAME = "X-Gozargah-Transaction: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHUNKED_LINE = "Transfer-Encoding: chunked\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EMPTY_LENGTH_LINE = "Content-Length: 0\r\n".getBytes(StandardCharsets.US_ASCII);
    /** What an HTTP/1.1 request line adds to its method and target: two spaces and "HTTP/1.1" (RFC 9112 §3). */
    private static final int REQUEST_LINE_OVERHEAD = 2 + "HTTP/1.1".length();
    private static final String TARGET_BYTES_DETAIL =
            "the :path holds a byte a request-target may not (RFC 9112 §3.2, RFC 3986 §2)";

    private enum State {
        /** Waiting for the request's HEADERS. */
        HEAD,
        /**
         * Admitted; waiting for the end of the read batch before asking for an upstream connection, so that a
         * reset in the same batch never touches one (body frames are held).
         */
        ADMITTED,
        /** Waiting for an upstream connection (body frames are held). */
        WAIT_UPSTREAM,
        /** Forwarding the request body. */
        STREAMING,
        /** The request is upstream whole; waiting for the response to finish. */
        SENT,
        /** Answered (by the provider or the gateway); nothing more goes upstream. */
        DONE
    }

    private final Http2Connection connection;
    private final ServerContext server;
    private final ExchangeStages stages;
    private final H2HeaderSink headerSink = new H2HeaderSink();
    private ChannelHandlerContext ctx;
    private LoopResources loop;
    private Exchange exchange;
    private State state = State.HEAD;
    private boolean completed;
    private HttpMethod method;
    private ServiceRoute service;
    private AsciiString txText;
    private boolean requestEnded;
    private boolean chunkedUpstream;
    private long declaredLength = -1;
    private ByteBuf forwardHead;
    private boolean retryable;
    private int attempts;
    private UpstreamPool pool;
    private UpstreamConnection upstream;
    private boolean upstreamFlushPending;
    /** Body frames (and trailers) that arrived before the upstream connection: a read batch at most. */
    private ArrayDeque<Object> held;
    private ScheduledFuture<?> responseTimer;
    /** Fires when the request must have arrived whole (the service's requestTimeout after its head). */
    private ScheduledFuture<?> requestTimer;
    /** Checks, once the stream has stopped taking the response, whether it has done so for the sendTimeout. */
    private ScheduledFuture<?> sendTimer;
    /** When the stream stopped taking what is written to it (window or connection buffer full), or 0. */
    private long unwritableSinceNanos;
    private boolean responseStarted;
    private boolean responseEndSent;

    Http2StreamExchange(Http2Connection connection) {
        this.connection = connection;
        this.server = connection.server();
        this.stages = server.stages();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.loop = connection.loop();
        this.exchange = new Exchange(loop);
        exchange.clientAddress(connection.clientAddress());
        exchange.protocol(Exchange.Protocol.HTTP_2);
    }

    // ---------------------------------------------------------------------------------------------
    // The request
    // ---------------------------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2HeadersFrame) {
            Http2HeadersFrame frame = (Http2HeadersFrame) msg;
            if (state == State.HEAD) {
                onRequestHead(frame.headers(), frame.isEndStream());
            } else {
                onRequestTrailers(frame);
            }
        } else if (msg instanceof Http2DataFrame) {
            onRequestData((Http2DataFrame) msg);
        } else if (msg instanceof Http2ResetFrame) {
            ReferenceCountUtil.release(msg);
            abort();
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushUpstream();
    }

    private void onRequestHead(Http2Headers headers, boolean endStream) {
        if (connection.failed()) {
            // Read after the connection's GOAWAY for a flood: closing, it serves nothing more, and an exchange
            // that is not started (left in HEAD) is neither charged nor journaled.
            return;
        }
        requestEnded = endStream;
        TransactionIds ids = loop.transactionIds();
        ids.next();
        byte[] tx = new byte[TransactionIds.TEXT_LENGTH];
        TransactionIds.writeText(tx, 0, ids.msb(), ids.lsb());
        txText = new AsciiString(tx, false);
        long now = System.nanoTime();
        exchange.start(ids.msb(), ids.lsb(), now, loop.epochClock().epochNanos(now));
        RoutingSnapshot snapshot = server.snapshot();
        exchange.snapshot(snapshot);
        method = methodOf(headers.method());
        exchange.method(method);

        CharSequence path = headers.path();
        if (path == null || path.length() == 0) {
            // CONNECT (RFC 9113 §8.5) has no :path; nothing else may omit it (§8.3.1).
            reject(Outcome.BAD_REQUEST, "a :path is required; CONNECT is not served", null);
            return;
        }
        Outcome badTarget = checkTarget(headers.method(), path);
        if (badTarget != null) {
            reject(badTarget, badTarget == Outcome.BAD_REQUEST ? TARGET_BYTES_DETAIL
                    : "the request line would be longer than " + server.requestLimits().maxStartLineBytes() + " bytes",
                    null);
            return;
        }
        CharSequence key = null;
        int keys = 0;
        boolean refuseUnderscores = server.underscoreFields() == LimitsConfig.UnderscoreFields.REFUSE;
        for (Map.Entry<CharSequence, CharSequence> field : headers) {
            CharSequence name = field.getKey();
            CharSequence value = field.getValue();
            if (!validValue(value) || (name.length() > 0 && name.charAt(0) != ':' && !validName(name))) {
                reject(Outcome.BAD_REQUEST, "a header field has a character HTTP/2 forbids in it (RFC 9113 §8.2.1)",
                        null);
                return;
            }
            if (refuseUnderscores && RequestFields.hasUnderscore(name)) {
                reject(Outcome.BAD_REQUEST, "header field names with '_' are refused: servers that read '_' as '-'"
                        + " would take them for other fields", null);
                return;
            }
            if (X_API_KEY.contentEquals(name)) {
                key = value;
                keys++;
            } else if (CONTENT_LENGTH.contentEquals(name)) {
                long length = parseLength(value);
                if (length < 0 || (declaredLength >= 0 && declaredLength != length)) {
                    reject(Outcome.BAD_REQUEST, "content-length must be one non-negative integer", null);
                    return;
                }
                declaredLength = length;
            }
        }
        if (declaredLength > server.maxRequestBodyBytes()) {
            reject(Outcome.PAYLOAD_TOO_LARGE, "the request body exceeds " + server.maxRequestBodyBytes() + " bytes",
                    null);
            return;
        }
        if (endStream && declaredLength > 0) {
            reject(Outcome.BAD_REQUEST, "content-length says a body follows but the stream ended (RFC 9113 §8.1.1)",
                    null);
            return;
        }
        ByteBuf target = asBuffer(path);
        try {
            ExchangeGate gate = connection.gate();
            Outcome refused = gate.route(exchange, target, target.readerIndex(), target.readableBytes());
            if (refused == null) {
                refused = gate.authorize(exchange, connection.authenticator().authenticate(snapshot,
                        key == null ? "" : key, keys), connection.authenticator(), connection.certificate());
            }
            if (refused != null) {
                reject(refused, gate.detail(), gate.allow());
                if (gate.closesConnection()) {
                    connection.goAwayAfterRead();
                }
                return;
            }
            service = exchange.service();
            pool = loop.pools().choose(service.endpoints());
            exchange.endpoint(pool.endpoint());
            chunkedUpstream = declaredLength < 0 && !endStream;
            forwardHead = encodeForwardHead(headers, target, gate.match(), pool.endpoint());
        } finally {
            target.release();
        }
        // As for HTTP/1.1: a request without a body and with a safe method may be retried once on a fresh
        // connection when a pooled one turns out closed (RFC 9110 §9.2.2).
        retryable = endStream && (method == HttpMethod.GET || method == HttpMethod.HEAD
                || method == HttpMethod.OPTIONS);
        state = State.ADMITTED;
        ctx.channel().config().setAutoRead(false);
        if (!endStream) {
            requestTimer = ctx.executor().schedule(this::onRequestTimeout,
                    exchange.startNanos() + service.requestTimeoutNanos() - System.nanoTime(), TimeUnit.NANOSECONDS);
        }
        connection.dispatchAfterRead(this);
    }

    /**
     * The read batch that admitted the request is over and the stream is still wanted: it goes upstream. With
     * {@code go} false (the connection failed meanwhile) it ends without touching one.
     */
    void dispatch(boolean go) {
        if (state != State.ADMITTED) {
            return;
        }
        if (!go) {
            abort();
            return;
        }
        state = State.WAIT_UPSTREAM;
        pool.acquire(this);
    }

    /**
     * The :path held to what an HTTP/1.1 request-target may be, so that neither front end lets through what the
     * other refuses: the request parser's bytes, and its 414 limit applied to the request line this request
     * would have (method SP path SP HTTP/1.1). Null when the path passes; the limit is looked at first, as the
     * HTTP/1.1 parser does.
     */
    private Outcome checkTarget(CharSequence methodName, CharSequence path) {
        int methodLength = methodName == null ? 0 : methodName.length();
        if (methodLength + path.length() + REQUEST_LINE_OVERHEAD > server.requestLimits().maxStartLineBytes()) {
            return Outcome.URI_TOO_LONG;
        }
        return RequestTargetBytes.valid(path) ? null : Outcome.BAD_REQUEST;
    }

    private ByteBuf encodeForwardHead(Http2Headers headers, ByteBuf target, RouteMatch match,
                                      UpstreamEndpoint endpoint) {
        ByteBuf out = ctx.alloc().ioBuffer(512 + target.readableBytes());
        CharSequence methodName = headers.method();
        out.writeCharSequence(methodName, StandardCharsets.US_ASCII);
        out.writeByte(' ');
        out.writeBytes(endpoint.pathPrefix());
        out.writeBytes(service.upstreamPath());
        if (service.upstreamPath().length == 0 && match.restLength() == 0) {
            out.writeByte('/');
        }
        out.writeBytes(target, match.restStart(), match.restLength());
        out.writeBytes(target, match.queryStart(), match.queryLength());
        out.writeBytes(endpoint.requestLineEnd());
        boolean cookies = false;
        for (Map.Entry<CharSequence, CharSequence> field : headers) {
            CharSequence name = field.getKey();
            if (name.length() == 0 || name.charAt(0) == ':' || !RequestFields.forwarded(name, service)) {
                continue;
            }
            if (COOKIE.contentEquals(name)) {
                cookies = true;
                continue;
            }
            out.writeCharSequence(name, StandardCharsets.US_ASCII);
            out.writeByte(':').writeByte(' ');
            out.writeCharSequence(field.getValue(), StandardCharsets.US_ASCII);
            Http1Writer.writeCrlf(out);
        }
        if (cookies) {
            // RFC 9113 §8.2.3: HTTP/2 may split cookies into fields; HTTP/1.1 wants one, joined with "; ".
            out.writeCharSequence("cookie: ", StandardCharsets.US_ASCII);
            boolean first = true;
            for (CharSequence value : headers.getAll(COOKIE)) {
                if (!first) {
                    out.writeByte(';').writeByte(' ');
                }
                out.writeCharSequence(value, StandardCharsets.US_ASCII);
                first = false;
            }
            Http1Writer.writeCrlf(out);
        }
        out.writeBytes(exchange.consumer().headerLine());
        out.writeBytes(TX_LINE_NAME);
        out.writeBytes(txText.array(), txText.arrayOffset(), txText.length());
        Http1Writer.writeCrlf(out);
        out.writeBytes(connection.forwardedLines());
        if (declaredLength >= 0) {
            Http1Writer.writeHeader(out, KnownHeaders.NAME_CONTENT_LENGTH, declaredLength);
        } else if (chunkedUpstream) {
            out.writeBytes(CHUNKED_LINE);
        } else if (method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH) {
            out.writeBytes(EMPTY_LENGTH_LINE); // RFC 9110 §8.6: a body-carrying method says when it has none
        }
        Http1Writer.writeCrlf(out);
        return out;
    }

    private void onRequestData(Http2DataFrame frame) {
        int n = frame.content().readableBytes();
        requestEnded = frame.isEndStream();
        if (state == State.DONE || state == State.HEAD) {
            frame.release();
            return;
        }
        exchange.addRequestBodyBytes(n);
        long requestBodyBytes = exchange.requestBodyBytes();
        if (requestBodyBytes > server.maxRequestBodyBytes()
                || (declaredLength >= 0 && (requestBodyBytes > declaredLength
                || (requestEnded && requestBodyBytes != declaredLength)))) {
            frame.release();
            boolean tooLarge = requestBodyBytes > server.maxRequestBodyBytes();
            refuseMidRequest(tooLarge ? Outcome.PAYLOAD_TOO_LARGE : Outcome.BAD_REQUEST,
                    tooLarge ? "the request body exceeds " + server.maxRequestBodyBytes() + " bytes"
                            : "the body does not match its content-length (RFC 9113 §8.1.1)");
            return;
        }
        if (state == State.ADMITTED || state == State.WAIT_UPSTREAM) {
            hold(frame);
            return;
        }
        writeBody(frame);
    }

    private void onRequestTrailers(Http2HeadersFrame frame) {
        requestEnded = true;
        if (!frame.isEndStream()) {
            // A second HEADERS that does not end the stream is malformed (RFC 9113 §8.1).
            refuseMidRequest(Outcome.BAD_REQUEST, "trailers must end the stream");
            return;
        }
        if (state == State.ADMITTED || state == State.WAIT_UPSTREAM) {
            hold(frame);
        } else if (state == State.STREAMING) {
            endRequest(frame.headers());
        }
    }

    private void hold(Object frame) {
        if (held == null) {
            held = new ArrayDeque<>(4);
        }
        held.add(frame);
    }

    private void writeBody(Http2DataFrame frame) {
        ByteBuf content = frame.content();
        int n = content.readableBytes();
        Channel up = upstream.channel();
        if (n > 0) {
            stages.requestContent(exchange, content, content.readerIndex(), n);
            if (chunkedUpstream) {
                ByteBuf header = ctx.alloc().ioBuffer(12);
                Http1Writer.writeChunkHeader(header, n);
                up.write(header, up.voidPromise());
                up.write(content, up.voidPromise());
                ByteBuf crlf = ctx.alloc().ioBuffer(2);
                Http1Writer.writeCrlf(crlf);
                up.write(crlf, up.voidPromise());
            } else {
                up.write(content, up.voidPromise());
            }
            upstreamFlushPending = true;
        } else {
            frame.release();
        }
        if (frame.isEndStream()) {
            endRequest(null);
        } else if (!up.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    /** The request is whole: the last chunk (with trailers) goes upstream and the response clock starts. */
    private void endRequest(Http2Headers trailers) {
        if (chunkedUpstream) {
            ByteBuf end = ctx.alloc().ioBuffer(64);
            Http1Writer.writeLastChunk(end);
            if (trailers != null) {
                for (Map.Entry<CharSequence, CharSequence> field : trailers) {
                    CharSequence name = field.getKey();
                    if (name.length() > 0 && name.charAt(0) != ':' && RequestFields.forwarded(name, service) && validName(name)
                            && validValue(field.getValue())) {
                        end.writeCharSequence(name, StandardCharsets.US_ASCII);
                        end.writeByte(':').writeByte(' ');
                        end.writeCharSequence(field.getValue(), StandardCharsets.US_ASCII);
                        Http1Writer.writeCrlf(end);
                    }
                }
            }
            Http1Writer.writeCrlf(end);
            upstream.channel().write(end, upstream.channel().voidPromise());
            upstreamFlushPending = true;
        }
        state = State.SENT;
        cancelRequestTimer();
        ctx.channel().config().setAutoRead(true); // only a RST can come now; read it
        if (!responseStarted) {
            armResponseTimer();
        }
    }

    private void flushUpstream() {
        if (upstreamFlushPending && upstream != null) {
            upstreamFlushPending = false;
            upstream.channel().flush();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The upstream connection
    // ---------------------------------------------------------------------------------------------

    @Override
    public void acquired(UpstreamConnection c, boolean reused) {
        if (state != State.WAIT_UPSTREAM || !ctx.channel().isActive()) {
            c.unused();
            return;
        }
        upstream = c;
        c.bind(this, method);
        c.setClientWritable(ctx.channel().isWritable());
        ByteBuf head = forwardHead;
        if (retryable && reused && attempts < 2) {
            head.retain().readerIndex(0);
        } else {
            forwardHead = null;
            retryable = false;
        }
        attempts++;
        if (exchange.upstreamStartNanos() == 0) {
            exchange.upstreamStartNanos(System.nanoTime());
        }
        c.channel().write(head, c.channel().voidPromise());
        upstreamFlushPending = true;
        if (attempts > 1) {
            state = State.SENT;
            flushUpstream();
            armResponseTimer();
            return;
        }
        state = State.STREAMING;
        if (held != null) {
            Object frame;
            while (state == State.STREAMING && (frame = held.poll()) != null) {
                if (frame instanceof Http2DataFrame) {
                    writeBody((Http2DataFrame) frame);
                } else {
                    endRequest(((Http2HeadersFrame) frame).headers());
                }
            }
        }
        if (state == State.STREAMING && requestEnded) {
            // HEADERS carried END_STREAM: there is no body.
            endRequest(null);
        }
        flushUpstream();
        if (state == State.STREAMING) {
            ctx.channel().config().setAutoRead(c.channel().isWritable());
        }
    }

    @Override
    public void acquireFailed(boolean overloaded, String detail) {
        if (state != State.WAIT_UPSTREAM) {
            return;
        }
        log.debug("{}: {}", service.qualifiedName(), detail);
        if (overloaded) {
            reject(Outcome.OVERLOADED, "the provider " + service.provider() + " is at its connection limit", null);
        } else {
            reject(Outcome.UPSTREAM_UNAVAILABLE, "the provider " + service.provider() + " could not be reached", null);
        }
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        if (state == State.STREAMING) {
            ctx.channel().config().setAutoRead(writable);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The response
    // ---------------------------------------------------------------------------------------------

    @Override
    public void onResponseHead(ResponseHead head) {
        if (head.informational()) {
            return; // 100 was ours to send (Expect is not forwarded); interim responses end here
        }
        cancelResponseTimer();
        releaseForwardHead();
        responseStarted = true;
        exchange.responseHeadNanos(System.nanoTime());
        exchange.status(head.status());
        Http2Headers out = new DefaultHttp2Headers(false, head.headers().size() + 4);
        out.status(HttpResponseStatus.valueOf(head.status()).codeAsText());
        copyResponseFields(head.headers(), out);
        out.add(TX_HEADER, txText);
        headerSink.out = out;
        stages.responseHeaders(exchange, headerSink);
        headerSink.out = null;
        responseEndSent = head.framing() == BodyFraming.NONE;
        ctx.write(new DefaultHttp2HeadersFrame(out, responseEndSent), ctx.voidPromise());
    }

    /** Provider fields minus hop-by-hop ones (meaningless, and forbidden, in HTTP/2) and the gateway's own. */
    private static void copyResponseFields(HeaderBlock headers, Http2Headers out) {
        ByteBuf buf = headers.buffer();
        for (int i = 0; i < headers.size(); i++) {
            int id = headers.id(i);
            if (headers.hopByHop(i) || id == KnownHeaders.X_GOZARGAH || id == KnownHeaders.PROXY_AUTHENTICATE) {
                continue;
            }
            byte[] name = new byte[headers.nameLength(i)];
            buf.getBytes(headers.nameStart(i), name);
            for (int j = 0; j < name.length; j++) {
                byte b = name[j];
                if (b >= 'A' && b <= 'Z') {
                    name[j] = (byte) (b + 32); // RFC 9113 §8.2: field names are lower case
                }
            }
            byte[] value = new byte[headers.valueLength(i)];
            buf.getBytes(headers.valueStart(i), value);
            out.add(new AsciiString(name, false), new AsciiString(value, false));
        }
    }

    @Override
    public void onResponseContent(ByteBuf in, int length) {
        if (!ctx.channel().isActive() || responseEndSent) {
            in.skipBytes(length);
            return;
        }
        if (length == 0) {
            return;
        }
        stages.responseContent(exchange, in, in.readerIndex(), length);
        exchange.addResponseBodyBytes(length);
        ctx.write(new DefaultHttp2DataFrame(in.readRetainedSlice(length), false), ctx.voidPromise());
        if (!ctx.channel().isWritable() && upstream != null) {
            upstream.setClientWritable(false);
        }
    }

    @Override
    public void onResponseComplete(HeaderBlock trailers) {
        boolean requestComplete = state == State.SENT;
        complete(Outcome.PROXIED);
        UpstreamConnection c = upstream;
        upstream = null;
        if (c != null) {
            c.release(requestComplete);
        }
        state = State.DONE;
        if (!responseEndSent) {
            responseEndSent = true;
            if (trailers.size() > 0) {
                Http2Headers out = new DefaultHttp2Headers(false, trailers.size());
                copyResponseFields(trailers, out);
                ctx.write(new DefaultHttp2HeadersFrame(out, true), ctx.voidPromise());
            } else {
                ctx.write(new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true), ctx.voidPromise());
            }
        }
        cancelRequestTimer();
        if (!requestComplete && ctx.channel().isActive()) {
            // The provider answered before the request was whole: ask the client to stop sending, without
            // error (RFC 9113 §8.1).
            ctx.write(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR), ctx.voidPromise());
        }
        releaseHeld();
        ctx.flush();
        noteWritability();
    }

    @Override
    public void onUpstreamFailure(boolean started, String detail) {
        upstream = null;
        cancelResponseTimer();
        if (!started && forwardHead != null && retryable && attempts < 2 && state == State.SENT) {
            log.debug("{}: retrying on a new connection after: {}", service.qualifiedName(), detail);
            state = State.WAIT_UPSTREAM;
            pool.acquire(this);
            return;
        }
        releaseForwardHead();
        if (!responseStarted) {
            log.debug("{}: {}", service.qualifiedName(), detail);
            reject(Outcome.UPSTREAM_UNAVAILABLE, "the provider " + service.provider()
                    + " failed before giving a complete response", null);
        } else {
            log.debug("{}: response cut short: {}", service.qualifiedName(), detail);
            complete(Outcome.UPSTREAM_ABORTED);
            state = State.DONE;
            resetStream(Http2Error.INTERNAL_ERROR);
        }
    }

    @Override
    public void onUpstreamReadComplete() {
        ctx.flush();
        noteWritability();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (upstream != null) {
            upstream.setClientWritable(ctx.channel().isWritable());
        }
        noteWritability();
        ctx.fireChannelWritabilityChanged();
    }

    /**
     * Starts the send clock when the stream stops taking the response (its flow-control window is shut, or the
     * connection's buffer is full) and stops it when the stream takes bytes again. Called on writability changes
     * and after writes, since a window that is shut from the start never changes.
     */
    private void noteWritability() {
        if (ctx.channel().isWritable()) {
            unwritableSinceNanos = 0;
            return;
        }
        if (unwritableSinceNanos == 0) {
            unwritableSinceNanos = System.nanoTime();
            if (sendTimer == null && ctx.channel().isActive()) {
                sendTimer = ctx.executor().schedule(this::onSendTimeout, sendTimeoutNanos(), TimeUnit.NANOSECONDS);
            }
        }
    }

    /** The service's sendTimeout, or the server's idle timeout for an answer made before a service was known. */
    private long sendTimeoutNanos() {
        return service != null ? service.sendTimeoutNanos() : server.idleTimeoutNanos();
    }

    /**
     * A stream that took none of its response for the sendTimeout is reset (CANCEL: the gateway gives up on it),
     * whether or not the provider has finished: a shut window must not hold a stream, its buffered response and
     * (while the provider is still sending) an upstream connection for as long as the client likes.
     */
    private void onSendTimeout() {
        sendTimer = null;
        if (unwritableSinceNanos == 0 || !ctx.channel().isActive()) {
            return;
        }
        long left = unwritableSinceNanos + sendTimeoutNanos() - System.nanoTime();
        if (left > 0) {
            sendTimer = ctx.executor().schedule(this::onSendTimeout, left, TimeUnit.NANOSECONDS);
            return;
        }
        log.debug("stream {} took none of its response for {} ms", ctx.channel(),
                TimeUnit.NANOSECONDS.toMillis(sendTimeoutNanos()));
        abandonUpstream();
        releaseHeld();
        if (state != State.HEAD) {
            complete(Outcome.SEND_TIMEOUT);
        }
        state = State.DONE;
        resetStream(Http2Error.CANCEL);
    }

    /**
     * The request did not arrive whole within the service's requestTimeout, however steadily it came: 408 if
     * nothing has been answered yet, else the stream is reset. The half-sent upstream request is closed.
     */
    private void onRequestTimeout() {
        requestTimer = null;
        if (requestEnded || completed || !(state == State.ADMITTED || state == State.WAIT_UPSTREAM
                || state == State.STREAMING)) {
            return;
        }
        String detail = "the request did not arrive whole within "
                + TimeUnit.NANOSECONDS.toMillis(service.requestTimeoutNanos()) + " ms of its head";
        if (!responseStarted) {
            reject(Outcome.REQUEST_TIMEOUT, detail, null);
        } else {
            abandonUpstream();
            complete(Outcome.REQUEST_TIMEOUT);
            state = State.DONE;
            releaseHeld();
            resetStream(Http2Error.CANCEL);
        }
    }

    private void cancelRequestTimer() {
        if (requestTimer != null) {
            requestTimer.cancel(false);
            requestTimer = null;
        }
    }

    private void armResponseTimer() {
        if (responseTimer == null) {
            responseTimer = ctx.executor().schedule(this::onResponseTimeout, service.responseTimeoutNanos(),
                    TimeUnit.NANOSECONDS);
        }
    }

    private void cancelResponseTimer() {
        if (responseTimer != null) {
            responseTimer.cancel(false);
            responseTimer = null;
        }
    }

    private void onResponseTimeout() {
        responseTimer = null;
        if (responseStarted || completed || upstream == null) {
            return;
        }
        abandonUpstream();
        reject(Outcome.UPSTREAM_TIMEOUT, "the provider " + service.provider() + " did not answer within "
                + TimeUnit.NANOSECONDS.toMillis(service.responseTimeoutNanos()) + " ms", null);
    }

    // ---------------------------------------------------------------------------------------------
    // Answers made by the gateway, and the end of the stream
    // ---------------------------------------------------------------------------------------------

    /** Answers the stream with a problem document; a request body still coming is declined with RST_STREAM. */
    private void reject(Outcome o, String detail, String allow) {
        responseStarted = true;
        responseEndSent = true;
        abandonUpstream();
        ByteBuf body = ctx.alloc().ioBuffer(256);
        Problem.writeBody(body, o, detail, exchange.txMsb(), exchange.txLsb());
        exchange.status(o.status());
        Http2Headers out = new DefaultHttp2Headers(false, 8);
        out.status(HttpResponseStatus.valueOf(o.status()).codeAsText());
        out.add(CONTENT_TYPE, PROBLEM_JSON);
        out.addLong(CONTENT_LENGTH, body.readableBytes());
        out.add(TX_HEADER, txText);
        if (allow != null) {
            out.add(ALLOW, allow);
        }
        if (exchange.retryAfterSeconds() >= 0) {
            out.addLong(RETRY_AFTER, exchange.retryAfterSeconds());
        }
        headerSink.out = out;
        stages.responseHeaders(exchange, headerSink);
        headerSink.out = null;
        boolean withBody = method != HttpMethod.HEAD;
        if (withBody) {
            exchange.addResponseBodyBytes(body.readableBytes());
        }
        complete(o);
        ctx.write(new DefaultHttp2HeadersFrame(out, !withBody), ctx.voidPromise());
        if (withBody) {
            ctx.write(new DefaultHttp2DataFrame(body, true), ctx.voidPromise());
        } else {
            body.release();
        }
        if (!requestEnded) {
            // The rest of the request is declined: without error after a refusal (RFC 9113 §8.1), as a stream
            // error after a malformed request (§8.1.1), which counts against the client's provoked resets. DATA
            // waits in the flow controller until a flush, and a reset written before it would discard the answer:
            // flushed first. (Inside a read the multiplexer defers the flush to the read's end, so there the
            // reset may still overtake the body; from a timer, as for 408, the body goes first.)
            ctx.flush();
            ctx.write(new DefaultHttp2ResetFrame(o == Outcome.BAD_REQUEST ? Http2Error.PROTOCOL_ERROR
                    : Http2Error.NO_ERROR), ctx.voidPromise());
        }
        state = State.DONE;
        releaseHeld();
        ctx.channel().config().setAutoRead(true);
        ctx.flush();
        noteWritability();
    }

    /** A refusal found while the body streams: an answer if none started, else the stream is reset. */
    private void refuseMidRequest(Outcome o, String detail) {
        if (!responseStarted) {
            reject(o, detail, null);
        } else {
            abandonUpstream();
            complete(o);
            state = State.DONE;
            releaseHeld();
            resetStream(Http2Error.PROTOCOL_ERROR);
        }
    }

    private void resetStream(Http2Error error) {
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(error), ctx.voidPromise());
        }
    }

    /**
     * The client reset the stream, or the stream or the connection failed. A request not yet upstream never
     * reaches it; one partly sent is cancelled by closing its upstream connection (the provider must not take a
     * truncated request for a whole one); one sent whole is answered upstream anyway, so its answer is read and
     * dropped there and the connection goes back to the pool instead of a reset costing a new one.
     */
    private void abort() {
        if (state == State.SENT && upstream != null) {
            cancelResponseTimer();
            releaseForwardHead();
            UpstreamConnection c = upstream;
            upstream = null;
            c.discardResponse(server.http2().maxDrainedResponseBytes(), service.responseTimeoutNanos());
        }
        abandonUpstream();
        releaseHeld();
        if (state != State.HEAD && !completed) {
            complete(Outcome.CLIENT_ABORTED);
        }
        state = State.DONE;
        // Frames the stream channel queued while reading was off (a body behind an admitted head) are let through
        // to channelRead, which drops them in DONE; left queued, their buffers would outlive the stream.
        if (ctx.channel().isActive()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /** Tells the stages the exchange is over (once), before its last byte is flushed. */
    private void complete(Outcome o) {
        if (!completed) {
            completed = true;
            stages.complete(exchange, o, System.nanoTime());
            if (exchange.withheld()) {
                // A stage could not record the exchange (the journal had no room even for a refusal): the answer
                // must not reach the consumer. The connection closes before the stream's last frame is flushed,
                // so the client never holds a complete answer (or a transaction id) the journal lacks.
                Channel connection = ctx.channel().parent() != null ? ctx.channel().parent() : ctx.channel();
                connection.close();
            }
        }
    }

    /** Drops the upstream side: a connection mid-request is closed (the provider sees the request cancelled). */
    private void abandonUpstream() {
        cancelResponseTimer();
        cancelRequestTimer();
        releaseForwardHead();
        if (upstream != null) {
            UpstreamConnection c = upstream;
            upstream = null;
            c.close();
        }
        if (state == State.WAIT_UPSTREAM && pool != null) {
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

    private void releaseHeld() {
        if (held != null) {
            Object frame;
            while ((frame = held.poll()) != null) {
                ReferenceCountUtil.release(frame);
            }
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2ResetFrame) {
            abort();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        abort();
        if (sendTimer != null) {
            sendTimer.cancel(false);
            sendTimer = null;
        }
        ctx.fireChannelInactive();
    }

    /**
     * A stream error Netty found in the client's frames (a zero WINDOW_UPDATE increment, RFC 9113 §6.9; a frame the
     * stream's state forbids, §5.1) arrives here just before the multiplexer resets the stream with the error's
     * own code: closing the stream here first would reset it with CANCEL instead, a code that blames nobody and
     * that no reset limit counts (MadeYouReset). So the close waits for the loop's next turn, when the stream is
     * closed already, and only ends one that nothing else did. Anything else is the gateway's own failure:
     * INTERNAL_ERROR.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("stream {} failed: {}", ctx.channel(), cause.toString());
        abort();
        if (cause instanceof Http2Exception) {
            ctx.executor().execute(ctx::close);
        } else {
            resetStream(Http2Error.INTERNAL_ERROR);
            ctx.close();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Small helpers
    // ---------------------------------------------------------------------------------------------

    private static HttpMethod methodOf(CharSequence name) {
        if (name == null) {
            return HttpMethod.OTHER;
        }
        for (HttpMethod m : METHODS) {
            if (m != HttpMethod.OTHER && m.ascii().contentEquals(name)) {
                return m;
            }
        }
        return HttpMethod.OTHER;
    }

    /** RFC 9113 §8.2.1: no NUL, CR or LF anywhere, no leading or trailing whitespace. */
    private static boolean validValue(CharSequence value) {
        int n = value.length();
        if (n > 0 && (isSpace(value.charAt(0)) || isSpace(value.charAt(n - 1)))) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c == 0 || c == '\r' || c == '\n' || c > 0xFF) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    /** A lower-case token (RFC 9110 §5.1, RFC 9113 §8.2.1): what an HTTP/1.1 head can carry unchanged. */
    private static boolean validName(CharSequence name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return name.length() > 0;
    }

    private static long parseLength(CharSequence value) {
        int n = value.length();
        if (n == 0 || n > 18) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** The :path as a buffer the router reads without copying when HPACK gave us an AsciiString. */
    private static ByteBuf asBuffer(CharSequence path) {
        if (path instanceof AsciiString) {
            AsciiString a = (AsciiString) path;
            return Unpooled.wrappedBuffer(a.array(), a.arrayOffset(), a.length());
        }
        return Unpooled.copiedBuffer(path, StandardCharsets.ISO_8859_1);
    }

    /** Renders the stages' response fields into the HEADERS being built. */
    private static final class H2HeaderSink implements HeaderSink {
        Http2Headers out;

        @Override
        public void header(AsciiString name, long value) {
            out.addLong(name.toLowerCase(), value);
        }

        @Override
        public void header(AsciiString name, byte[] value, int offset, int length) {
            byte[] copy = new byte[length];
            System.arraycopy(value, offset, copy, 0, length);
            out.add(name.toLowerCase(), new AsciiString(copy, false));
        }
    }
}
