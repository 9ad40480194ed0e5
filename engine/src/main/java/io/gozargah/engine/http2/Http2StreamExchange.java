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
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.AsciiString;
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
 * comes back as HEADERS, DATA and trailers on the stream. The {@link Http2Connection} drives it: its frame
 * listener hands it the stream's frames, and it writes through the connection's encoder.
 *
 * <p>Flow control both ways: request body bytes go back to the client's windows only once the upstream connection
 * has taken them and is writable, so a stalled provider holds the client to one window; the upstream is read only
 * while the stream is writable (its HTTP/2 window and the connection's buffer allow).
 *
 * <p>The downgrade to HTTP/1.1 is where HTTP/2 request smuggling lives, so the head is rebuilt field by field:
 * Netty's codec has already refused connection-specific fields and a TE other than "trailers" (RFC 9113
 * §8.2.2) as malformed and held the DATA to the content-length (§8.1.1); here any value with CR, LF or NUL
 * (§8.2.1) is refused with 400, a body past the size limit is refused, and a body without a length goes upstream
 * chunked.
 *
 * <p>After an answer made while the request body is still coming, the rest of the body is read and dropped (up to
 * the server's maxDiscardBytes, within its requestHeadTimeout, as HTTP/1.1 does), so that what the client sends
 * on the stream is still checked as RFC 9113 says; a malformed request is reset with PROTOCOL_ERROR after its 400.
 */
final class Http2StreamExchange implements UpstreamListener, AcquireCallback {
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
         * reset in the same batch never touches one (body bytes are held).
         */
        ADMITTED,
        /** Waiting for an upstream connection (body bytes are held). */
        WAIT_UPSTREAM,
        /** Forwarding the request body. */
        STREAMING,
        /** The request is upstream whole; waiting for the response to finish. */
        SENT,
        /** Answered (by the provider or the gateway); nothing more goes upstream. */
        DONE
    }

    private final Http2Connection connection;
    private final Http2Stream stream;
    private final ServerContext server;
    private final ExchangeStages stages;
    private final LoopResources loop;
    private final Exchange exchange;
    private final H2HeaderSink headerSink = new H2HeaderSink();
    private State state = State.HEAD;
    private boolean completed;
    /** Netty closed the stream: nothing more is written to it. */
    private boolean closed;
    private HttpMethod method;
    private ServiceRoute service;
    private AsciiString txText;
    private boolean requestEnded;
    private boolean chunkedUpstream;
    private long declaredLength = -1;
    /** The API key the head carried, and how many it carried; read while the head is checked. */
    private CharSequence key;
    private int keys;
    private ByteBuf forwardHead;
    private boolean retryable;
    private int attempts;
    private UpstreamPool pool;
    private UpstreamConnection upstream;
    private boolean upstreamFlushPending;
    /** The connection will flush the upstream at the end of the read batch. */
    private boolean upstreamFlushQueued;
    /** Body bytes that arrived before the upstream connection: a window at most. */
    private ArrayDeque<ByteBuf> held;
    /** Trailers that arrived before the upstream connection. */
    private Http2Headers heldTrailers;
    /** Body bytes taken but not yet given back to the client's windows. */
    private int unconsumed;
    /** Answered while the request body was still coming: the rest is read and dropped. */
    private boolean discarding;
    private long discardedBytes;
    private ScheduledFuture<?> discardTimer;
    private ScheduledFuture<?> responseTimer;
    /** Fires when the request must have arrived whole (the service's requestTimeout after its head). */
    private ScheduledFuture<?> requestTimer;
    /** Checks, once the stream has stopped taking the response, whether it has done so for the sendTimeout. */
    private ScheduledFuture<?> sendTimer;
    /** When the stream stopped taking what is written to it (window or connection buffer full), or 0. */
    private long unwritableSinceNanos;
    private boolean responseStarted;
    private boolean responseEndSent;

    Http2StreamExchange(Http2Connection connection, Http2Stream stream) {
        this.connection = connection;
        this.stream = stream;
        this.server = connection.server();
        this.stages = server.stages();
        this.loop = connection.loop();
        this.exchange = new Exchange(loop);
        exchange.clientAddress(connection.clientAddress());
        exchange.protocol(Exchange.Protocol.HTTP_2);
    }

    // ---------------------------------------------------------------------------------------------
    // The request
    // ---------------------------------------------------------------------------------------------

    /** The request's HEADERS: checked, routed, authenticated and admitted, or answered by the gateway. */
    void onHead(Http2Headers headers, boolean endStream) {
        if (connection.failed()) {
            // Read after the connection's GOAWAY for a flood: closing, it serves nothing more, and an exchange
            // that is not started (left in HEAD) is neither charged nor journaled.
            return;
        }
        requestEnded = endStream;
        start(headers.method());
        if (!checkPseudoHeaders(headers) || !checkFields(headers)) {
            return;
        }
        ByteBuf target = asBuffer(headers.path());
        try {
            if (!admit(headers, target, endStream)) {
                return;
            }
        } finally {
            target.release();
            key = null;
        }
        // As for HTTP/1.1: a request without a body and with a safe method may be retried once on a fresh
        // connection when a pooled one turns out closed (RFC 9110 §9.2.2).
        retryable = endStream && (method == HttpMethod.GET || method == HttpMethod.HEAD
                || method == HttpMethod.OPTIONS);
        state = State.ADMITTED;
        if (!endStream) {
            requestTimer = schedule(this::onRequestTimeout,
                    exchange.startNanos() + service.requestTimeoutNanos() - System.nanoTime());
        }
        connection.dispatchAfterRead(this);
    }

    /** Starts the transaction: its id, clock and routing snapshot. */
    private void start(CharSequence methodName) {
        TransactionIds ids = loop.transactionIds();
        ids.next();
        byte[] tx = new byte[TransactionIds.TEXT_LENGTH];
        TransactionIds.writeText(tx, 0, ids.msb(), ids.lsb());
        txText = new AsciiString(tx, false);
        long now = System.nanoTime();
        exchange.start(ids.msb(), ids.lsb(), now, loop.epochClock().epochNanos(now));
        exchange.snapshot(server.snapshot());
        method = methodOf(methodName);
        exchange.method(method);
    }

    /**
     * A request without :method, or (other than CONNECT, §8.5) without :scheme or with an absent or empty :path, is
     * malformed (RFC 9113 §8.3.1): 400, then a stream error PROTOCOL_ERROR. Checked before the key is, so a
     * malformed request is never answered 401. Then the :path must be what an HTTP/1.1 request-target may be.
     */
    private boolean checkPseudoHeaders(Http2Headers headers) {
        CharSequence path = headers.path();
        if (headers.method() == null || (method != HttpMethod.CONNECT
                && (headers.scheme() == null || path == null || path.length() == 0))) {
            answer(Outcome.BAD_REQUEST, "a request needs :method, :scheme and a non-empty :path (RFC 9113 §8.3.1)",
                    null, true);
            return false;
        }
        if (path == null || path.length() == 0) {
            reject(Outcome.BAD_REQUEST, "CONNECT is not served", null);
            return false;
        }
        Outcome badTarget = checkTarget(headers.method(), path);
        if (badTarget != null) {
            reject(badTarget, badTarget == Outcome.BAD_REQUEST ? TARGET_BYTES_DETAIL
                    : "the request line would be longer than " + server.requestLimits().maxStartLineBytes() + " bytes",
                    null);
            return false;
        }
        return true;
    }

    /** Each field's bytes, the API key and the content-length; false if the request was refused. */
    private boolean checkFields(Http2Headers headers) {
        boolean refuseUnderscores = server.underscoreFields() == LimitsConfig.UnderscoreFields.REFUSE;
        for (Map.Entry<CharSequence, CharSequence> field : headers) {
            CharSequence name = field.getKey();
            CharSequence value = field.getValue();
            if (!validValue(value) || (name.length() > 0 && name.charAt(0) != ':' && !validName(name))) {
                reject(Outcome.BAD_REQUEST, "a header field has a character HTTP/2 forbids in it (RFC 9113 §8.2.1)",
                        null);
                return false;
            }
            if (refuseUnderscores && RequestFields.hasUnderscore(name)) {
                reject(Outcome.BAD_REQUEST, "header field names with '_' are refused: servers that read '_' as '-'"
                        + " would take them for other fields", null);
                return false;
            }
            if (X_API_KEY.contentEquals(name)) {
                key = value;
                keys++;
            } else if (CONTENT_LENGTH.contentEquals(name)) {
                long length = parseLength(value);
                if (length < 0 || (declaredLength >= 0 && declaredLength != length)) {
                    reject(Outcome.BAD_REQUEST, "content-length must be one non-negative integer", null);
                    return false;
                }
                declaredLength = length;
            }
        }
        if (declaredLength > server.maxRequestBodyBytes()) {
            reject(Outcome.PAYLOAD_TOO_LARGE, "the request body exceeds " + server.maxRequestBodyBytes() + " bytes",
                    null);
            return false;
        }
        return true;
    }

    /** Routes and authenticates the request and picks its upstream pool; false if it was refused. */
    private boolean admit(Http2Headers headers, ByteBuf target, boolean endStream) {
        ExchangeGate gate = connection.gate();
        Outcome refused = gate.route(exchange, target, target.readerIndex(), target.readableBytes());
        if (refused == null) {
            refused = gate.authorize(exchange, connection.authenticator().authenticate(exchange.snapshot(),
                    key == null ? "" : key, keys), connection.authenticator(), connection.certificate());
        }
        if (refused != null) {
            reject(refused, gate.detail(), gate.allow());
            if (gate.closesConnection()) {
                connection.goAwayAfterRead();
            }
            return false;
        }
        service = exchange.service();
        pool = loop.pools().choose(service.endpoints());
        exchange.endpoint(pool.endpoint());
        chunkedUpstream = declaredLength < 0 && !endStream;
        forwardHead = encodeForwardHead(headers, target, gate.match(), pool.endpoint());
        return true;
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
        ByteBuf out = alloc().ioBuffer(512 + target.readableBytes());
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

    /**
     * A DATA frame's bytes (a view valid during the call); returns how many go back to the client's windows now.
     * The rest are given back once the upstream connection has taken them.
     */
    int onData(ByteBuf data, boolean endStream) {
        int n = data.readableBytes();
        requestEnded = endStream;
        if (discarding) {
            return discard(n, endStream);
        }
        if (state == State.DONE || state == State.HEAD) {
            return n;
        }
        exchange.addRequestBodyBytes(n);
        if (exchange.requestBodyBytes() > server.maxRequestBodyBytes()) {
            refuseMidRequest(Outcome.PAYLOAD_TOO_LARGE, "the request body exceeds " + server.maxRequestBodyBytes()
                    + " bytes");
            return n;
        }
        unconsumed += n;
        if (state == State.ADMITTED || state == State.WAIT_UPSTREAM) {
            if (n > 0) {
                hold(data.retainedSlice());
            }
            return 0;
        }
        writeBody(data.retainedSlice(), endStream);
        queueUpstreamFlush();
        return upstream != null && !upstream.channel().isWritable() ? 0 : takeUnconsumed();
    }

    /** The request's trailers (Netty lets only a HEADERS that ends the stream through as trailers, §8.1). */
    void onTrailers(Http2Headers trailers) {
        requestEnded = true;
        if (discarding) {
            stopDiscarding();
        } else if (state == State.ADMITTED || state == State.WAIT_UPSTREAM) {
            heldTrailers = trailers;
        } else if (state == State.STREAMING) {
            endRequest(trailers);
            queueUpstreamFlush();
        }
    }

    private void hold(ByteBuf content) {
        if (held == null) {
            held = new ArrayDeque<>(4);
        }
        held.add(content);
    }

    /** Writes {@code content} (released by the write) upstream; {@code end} if it is the last of the body. */
    private void writeBody(ByteBuf content, boolean end) {
        int n = content.readableBytes();
        Channel up = upstream.channel();
        if (n > 0) {
            stages.requestContent(exchange, content, content.readerIndex(), n);
            if (chunkedUpstream) {
                ByteBuf header = alloc().ioBuffer(12);
                Http1Writer.writeChunkHeader(header, n);
                up.write(header, up.voidPromise());
                up.write(content, up.voidPromise());
                ByteBuf crlf = alloc().ioBuffer(2);
                Http1Writer.writeCrlf(crlf);
                up.write(crlf, up.voidPromise());
            } else {
                up.write(content, up.voidPromise());
            }
            upstreamFlushPending = true;
        } else {
            content.release();
        }
        if (end) {
            endRequest(null);
        }
    }

    /** The request is whole: the last chunk (with trailers) goes upstream and the response clock starts. */
    private void endRequest(Http2Headers trailers) {
        if (chunkedUpstream) {
            ByteBuf end = alloc().ioBuffer(64);
            Http1Writer.writeLastChunk(end);
            if (trailers != null) {
                for (Map.Entry<CharSequence, CharSequence> field : trailers) {
                    CharSequence name = field.getKey();
                    if (name.length() > 0 && name.charAt(0) != ':' && RequestFields.forwarded(name, service)
                            && validName(name) && validValue(field.getValue())) {
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
        if (!responseStarted) {
            armResponseTimer();
        }
    }

    /** Has the upstream flushed at the end of the read batch, once however many frames wrote to it. */
    private void queueUpstreamFlush() {
        if (upstreamFlushPending && !upstreamFlushQueued) {
            upstreamFlushQueued = true;
            connection.flushUpstreamAfterRead(this);
        }
    }

    void flushUpstream() {
        upstreamFlushQueued = false;
        if (upstreamFlushPending && upstream != null) {
            upstreamFlushPending = false;
            upstream.channel().flush();
        }
    }

    /** The body bytes taken so far, now given back to the client's windows. */
    private int takeUnconsumed() {
        int n = unconsumed;
        unconsumed = 0;
        return n;
    }

    // ---------------------------------------------------------------------------------------------
    // The rest of a body after an answer
    // ---------------------------------------------------------------------------------------------

    private void startDiscarding() {
        discarding = true;
        discardTimer = schedule(this::onDiscardTimeout, server.requestHeadTimeoutNanos());
    }

    /** Drops {@code n} more bytes of a refused request's body; past the limit the stream is reset. */
    private int discard(int n, boolean endStream) {
        discardedBytes += n;
        if (endStream) {
            stopDiscarding();
        } else if (discardedBytes > server.maxDiscardBytes()) {
            stopDiscarding();
            // The client is asked to stop sending, without error (RFC 9113 §8.1).
            connection.resetAfter(stream, Http2Error.NO_ERROR, null);
        }
        return n;
    }

    private void stopDiscarding() {
        discarding = false;
        if (discardTimer != null) {
            discardTimer.cancel(false);
            discardTimer = null;
        }
    }

    private void onDiscardTimeout() {
        discardTimer = null;
        if (discarding && !closed) {
            discarding = false;
            connection.resetAfter(stream, Http2Error.NO_ERROR, null);
            connection.flush();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The upstream connection
    // ---------------------------------------------------------------------------------------------

    @Override
    public void acquired(UpstreamConnection c, boolean reused) {
        if (state != State.WAIT_UPSTREAM || closed || !connection.isActive()) {
            c.unused();
            return;
        }
        upstream = c;
        c.bind(this, method);
        c.setClientWritable(connection.isWritable(stream));
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
        writeHeld();
        flushUpstream();
        if (state == State.STREAMING || state == State.SENT) {
            giveBackIfUpstreamWritable();
        }
    }

    /** What arrived before the upstream connection goes to it, in order, and the request ends if it has. */
    private void writeHeld() {
        if (held != null) {
            ByteBuf content;
            while (state == State.STREAMING && (content = held.poll()) != null) {
                writeBody(content, false);
            }
        }
        if (state == State.STREAMING && requestEnded) {
            // The stream has ended: with the last DATA, with trailers, or with the HEADERS (no body).
            Http2Headers trailers = heldTrailers;
            heldTrailers = null;
            endRequest(trailers);
        }
    }

    /** Body bytes go back to the client's windows once the upstream has taken them and can take more. */
    private void giveBackIfUpstreamWritable() {
        if (unconsumed > 0 && upstream != null && upstream.channel().isWritable()) {
            connection.consume(stream, takeUnconsumed());
            connection.flush();
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
        if (writable && (state == State.STREAMING || state == State.SENT)) {
            giveBackIfUpstreamWritable();
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
        if (!closed) {
            connection.writeHeaders(stream, out, responseEndSent, null);
        }
    }

    /**
     * Provider fields minus hop-by-hop ones (meaningless, and forbidden, in HTTP/2) and the gateway's own. Names are
     * lower-cased once per distinct name ({@link FieldNames}); each value is copied, since HPACK's dynamic table may
     * keep it past this response.
     */
    private static void copyResponseFields(HeaderBlock headers, Http2Headers out) {
        ByteBuf buf = headers.buffer();
        for (int i = 0; i < headers.size(); i++) {
            int id = headers.id(i);
            if (headers.hopByHop(i) || id == KnownHeaders.X_GOZARGAH || id == KnownHeaders.PROXY_AUTHENTICATE) {
                continue;
            }
            AsciiString name = FieldNames.lowerCase(buf, headers.nameStart(i), headers.nameLength(i));
            byte[] value = new byte[headers.valueLength(i)];
            buf.getBytes(headers.valueStart(i), value);
            out.add(name, new AsciiString(value, false));
        }
    }

    @Override
    public void onResponseContent(ByteBuf in, int length) {
        if (closed || responseEndSent) {
            in.skipBytes(length);
            return;
        }
        if (length == 0) {
            return;
        }
        stages.responseContent(exchange, in, in.readerIndex(), length);
        exchange.addResponseBodyBytes(length);
        connection.writeData(stream, in.readRetainedSlice(length), false, null);
        if (!connection.isWritable(stream) && upstream != null) {
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
        cancelRequestTimer();
        releaseHeld();
        if (closed || !connection.isActive()) {
            return;
        }
        // The provider answered before the request was whole: the client is asked to stop sending, without
        // error, once the answer has gone out (RFC 9113 §8.1).
        ChannelPromise last = requestComplete ? null : connection.newPromise();
        if (!responseEndSent) {
            responseEndSent = true;
            if (trailers.size() > 0) {
                Http2Headers out = new DefaultHttp2Headers(false, trailers.size());
                copyResponseFields(trailers, out);
                connection.writeHeaders(stream, out, true, last);
            } else {
                connection.writeData(stream, Unpooled.EMPTY_BUFFER, true, last);
            }
        }
        if (!requestComplete) {
            connection.resetAfter(stream, Http2Error.NO_ERROR, last);
        }
        connection.flush();
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
            releaseHeld();
            resetStream(Http2Error.INTERNAL_ERROR);
        }
    }

    @Override
    public void onUpstreamReadComplete() {
        connection.flush();
        noteWritability();
    }

    /** The stream's writability changed (its window, or the connection's buffer). */
    void onWritabilityChanged() {
        if (closed) {
            return;
        }
        if (upstream != null) {
            upstream.setClientWritable(connection.isWritable(stream));
        }
        noteWritability();
    }

    /**
     * Starts the send clock when the stream stops taking the response (its flow-control window is shut, or the
     * connection's buffer is full) and stops it when the stream takes bytes again. Called on writability changes
     * and after writes, since a window that is shut from the start never changes.
     */
    private void noteWritability() {
        if (closed || connection.isWritable(stream)) {
            unwritableSinceNanos = 0;
            return;
        }
        if (unwritableSinceNanos == 0) {
            unwritableSinceNanos = System.nanoTime();
            if (sendTimer == null && connection.isActive()) {
                sendTimer = schedule(this::onSendTimeout, sendTimeoutNanos());
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
        if (unwritableSinceNanos == 0 || closed || !connection.isActive()) {
            return;
        }
        long left = unwritableSinceNanos + sendTimeoutNanos() - System.nanoTime();
        if (left > 0) {
            sendTimer = schedule(this::onSendTimeout, left);
            return;
        }
        log.debug("stream {} took none of its response for {} ms", stream.id(),
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
            responseTimer = schedule(this::onResponseTimeout, service.responseTimeoutNanos());
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

    /** Answers the stream with a problem document. */
    private void reject(Outcome o, String detail, String allow) {
        answer(o, detail, allow, false);
    }

    /**
     * Answers the stream with a problem document. A request body still coming is declined: a malformed one, or one
     * whose time is up, with a reset once the answer has gone out; otherwise what is left of it is read and dropped.
     * A {@code malformed} request is a stream error PROTOCOL_ERROR (RFC 9113 §8.1.1) even when it has ended: the
     * answer then leaves the stream open for the reset that ends it (a frame after END_STREAM would be one on a
     * closed stream, §5.1).
     */
    private void answer(Outcome o, String detail, String allow, boolean malformed) {
        responseStarted = true;
        responseEndSent = true;
        abandonUpstream();
        exchange.status(o.status());
        ByteBuf body = alloc().ioBuffer(256);
        Problem.writeBody(body, o, detail, exchange.txMsb(), exchange.txLsb());
        Http2Headers out = problemHeaders(o, body.readableBytes(), allow);
        boolean withBody = method != HttpMethod.HEAD;
        if (withBody) {
            exchange.addResponseBodyBytes(body.readableBytes());
        }
        complete(o);
        state = State.DONE;
        releaseHeld();
        if (closed || !connection.isActive()) {
            body.release();
            return;
        }
        Http2Error reset = malformed || (!requestEnded && o == Outcome.BAD_REQUEST) ? Http2Error.PROTOCOL_ERROR
                : !requestEnded && o == Outcome.REQUEST_TIMEOUT ? Http2Error.NO_ERROR : null;
        boolean endStream = !(malformed && requestEnded);
        ChannelPromise last = reset == null ? null : connection.newPromise();
        if (withBody) {
            connection.writeHeaders(stream, out, false, null);
            connection.writeData(stream, body, endStream, last);
        } else {
            body.release();
            connection.writeHeaders(stream, out, endStream, last);
        }
        if (reset != null) {
            connection.resetAfter(stream, reset, last);
        } else if (!requestEnded) {
            startDiscarding();
        }
        connection.flush();
        noteWritability();
    }

    private Http2Headers problemHeaders(Outcome o, int length, String allow) {
        Http2Headers out = new DefaultHttp2Headers(false, 8);
        out.status(HttpResponseStatus.valueOf(o.status()).codeAsText());
        out.add(CONTENT_TYPE, PROBLEM_JSON);
        out.addInt(CONTENT_LENGTH, length);
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
        return out;
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
        if (!closed) {
            connection.resetStream(stream, error);
            connection.flush();
        }
    }

    /**
     * The client reset the stream, or Netty found a stream error in its frames (and resets it with the error's
     * code). A request not yet upstream never reaches it; one partly sent is cancelled by closing its upstream
     * connection (the provider must not take a truncated request for a whole one); one sent whole is answered
     * upstream anyway, so its answer is read and dropped there and the connection goes back to the pool instead of a
     * reset costing a new one.
     */
    void onReset() {
        abort();
    }

    /** Netty closed the stream (both ends done, or a reset either way, or the connection closed). */
    void onClosed() {
        closed = true;
        abort();
        stopDiscarding();
        if (sendTimer != null) {
            sendTimer.cancel(false);
            sendTimer = null;
        }
    }

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
            complete(server.pastDrainDeadline() ? Outcome.SHUTDOWN_ABORTED : Outcome.CLIENT_ABORTED);
        }
        state = State.DONE;
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
                connection.closeNow();
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

    /** Drops body bytes held for the upstream, and gives every byte taken back to the client's windows. */
    private void releaseHeld() {
        if (held != null) {
            ByteBuf content;
            while ((content = held.poll()) != null) {
                content.release();
            }
        }
        heldTrailers = null;
        if (unconsumed > 0 && !closed) {
            connection.consume(stream, takeUnconsumed());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Small helpers
    // ---------------------------------------------------------------------------------------------

    private ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        return connection.ctx().executor().schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }

    private ByteBufAllocator alloc() {
        return connection.ctx().alloc();
    }

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
            out.addLong(FieldNames.lowerCase(name), value);
        }

        @Override
        public void header(AsciiString name, byte[] value, int offset, int length) {
            byte[] copy = new byte[length];
            System.arraycopy(value, offset, copy, 0, length);
            out.add(FieldNames.lowerCase(name), new AsciiString(copy, false));
        }
    }
}
