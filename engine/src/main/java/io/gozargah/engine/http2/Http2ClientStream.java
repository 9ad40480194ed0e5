package io.gozargah.engine.http2;

import io.gozargah.codec.http1.BodyFraming;
import io.gozargah.codec.http1.HeaderBlock;
import io.gozargah.codec.http1.ResponseHead;
import io.gozargah.engine.deadline.Deadline;
import io.gozargah.engine.exchange.ClientSide;
import io.gozargah.engine.exchange.FieldNames;
import io.gozargah.engine.exchange.HeaderSink;
import io.gozargah.engine.exchange.Problem;
import io.gozargah.engine.exchange.ProxyExchange;
import io.gozargah.engine.exchange.ResponseFields;
import io.gozargah.engine.exchange.RequestPhase;
import io.gozargah.engine.exchange.TransactionIds;
import io.gozargah.engine.route.ServiceRoute;
import io.gozargah.engine.server.ServerContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.AsciiString;

import java.util.ArrayDeque;

/**
 * One HTTP/2 stream as the front end of its {@link ProxyExchange}: it hands the driver the stream's HEADERS, DATA
 * and trailers, and renders what the driver decides as HEADERS, DATA and RST_STREAM through the
 * {@link Http2Connection}'s encoder.
 *
 * <p>Reading is flow control: a paused stream keeps what the client sends (a window at most) and does not give the
 * bytes back to the client's windows ({@code consumeBytes}) until the driver has taken them and can take more, so a
 * slow provider holds the client to one window. What the driver does not want any more is dropped and given back
 * at once.
 *
 * <p>A malformed request (RFC 9113 §8.1.1) is answered 400 and then reset PROTOCOL_ERROR, even when it has ended:
 * the answer then leaves the stream open for the reset (a frame after END_STREAM would be one on a closed stream,
 * §5.1). A stream whose exchange is over while the client still has not taken its response is reset CANCEL after
 * the sendTimeout, as the driver does while the exchange runs.
 *
 * <p>The object, with its driver, serves one stream at a time and then the connection's next ones
 * ({@link Http2Connection#newExchange}): {@link #open} starts it on a stream, and it is offered back once Netty has
 * closed the stream and {@link #reusable} says nothing can call into it any more. Nothing deferred holds it: its
 * one deadline is cancelled when the stream closes, the driver's are cancelled when its exchange ends, an
 * outstanding pool acquire keeps the driver from being idle, and the write promises it makes carry listeners only
 * of the connection's (which name Netty's stream, not this object).
 */
final class Http2ClientStream implements ClientSide {
    private static final AsciiString CONTENT_TYPE = AsciiString.cached("content-type");
    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");
    private static final AsciiString PROBLEM_JSON = AsciiString.cached(Problem.CONTENT_TYPE);
    private static final AsciiString ALLOW = AsciiString.cached("allow");
    private static final AsciiString RETRY_AFTER = AsciiString.cached("retry-after");
    private static final AsciiString TX_HEADER = AsciiString.cached("x-gozargah-transaction");

    private final Http2Connection connection;
    /** The stream served now: set by {@link #open}. */
    private Http2Stream stream;
    private final ServerContext server;
    private final ProxyExchange driver;
    private Http2Headers trailers;
    /** The client ended its request (END_STREAM read); {@code endDelivered} once the driver was told. */
    private boolean ended;
    private boolean endDelivered;
    private boolean paused;
    /** Inside a call that delivers to the driver: nested resumes only mark the stream as unpaused. */
    private boolean delivering;
    /** Inside the frame listener's call: bytes are given back by its return value, not by consumeBytes. */
    private boolean inFrame;
    /** Bytes taken from the client and not yet given back to its windows. */
    private int unconsumed;
    private boolean malformed;
    /** The reset to follow the answer the driver is about to render (it declined the rest of the request). */
    private Http2Error pendingReset;
    private boolean responseEndSent;
    /** The promise of the response's last frame: a reset waits for it. */
    private ChannelPromise lastWrite;
    /** The connection will flush the upstream at the end of the read batch. */
    private boolean upstreamFlushQueued;
    /** The driver is done with the exchange; the stream may still hold response bytes the client has not taken. */
    private boolean over;
    /** Netty closed the stream: nothing more is written to it. */
    private boolean closed;
    /** The client's response is written but not taken: reset once it has taken none of it for the sendTimeout. */
    private final Deadline untakenDeadline = new Deadline(this::untakenTimedOut);
    /** Request body bytes the driver has not taken yet (it waits for its upstream, or the upstream is full). */
    private final ArrayDeque<ByteBuf> held = new ArrayDeque<>(4);
    /** The views and sink handed to the driver, each for the length of one call. */
    private final Http2RequestView headView = new Http2RequestView();
    private final Http2FieldsView trailersView = new Http2FieldsView(null);
    private final Http2HeaderSink sink = new Http2HeaderSink();

    Http2ClientStream(Http2Connection connection) {
        this.connection = connection;
        this.server = connection.server();
        this.driver = new ProxyExchange(server, connection.loop(), this, connection.ctx().alloc(), connection.gate(),
                connection.authenticator(), connection.certificate());
        driver.clientConnection(connection.forwarding());
    }

    /** Starts serving {@code stream}, whose HEADERS opened it: nothing of an earlier stream is left. */
    void open(Http2Stream stream) {
        this.stream = stream;
        trailers = null;
        ended = false;
        endDelivered = false;
        paused = false;
        delivering = false;
        inFrame = false;
        unconsumed = 0;
        malformed = false;
        pendingReset = null;
        responseEndSent = false;
        lastWrite = null;
        upstreamFlushQueued = false;
        over = false;
        closed = false;
    }

    /**
     * Whether the object may serve another stream: its stream closed, its driver idle ({@link ProxyExchange#idle}),
     * its deadline not scheduled, nothing held and no upstream flush queued on the connection.
     */
    boolean reusable() {
        return closed && driver.idle() && !untakenDeadline.scheduled() && held.isEmpty() && !upstreamFlushQueued;
    }

    // ---------------------------------------------------------------------------------------------
    // The client's frames
    // ---------------------------------------------------------------------------------------------

    /** The request's HEADERS: checked here for what HTTP/2 makes wrong, then the driver takes the exchange. */
    void onHead(Http2Headers headers, boolean endStream) {
        if (connection.failed()) {
            // Read after the connection's GOAWAY for a flood: closing, it serves nothing more, and an exchange that
            // is not started is neither charged nor journaled.
            return;
        }
        ended = endStream;
        Http2RequestView view = headView.wrap(headers, endStream);
        delivering = true;
        try {
            if (view.check(server)) {
                driver.onRequestHead(view);
            } else {
                malformed = view.malformed();
                driver.refuseHead(view, view.refusal(), view.detail());
            }
        } finally {
            view.release();
            delivering = false;
        }
        if (driver.requestPhase() == RequestPhase.WAITING) {
            connection.dispatchAfterRead(this);
        }
        deliver();
    }

    /** A DATA frame's bytes (valid during the call); returns how many go back to the client's windows now. */
    int onData(ByteBuf data, boolean endStream) {
        int n = data.readableBytes();
        ended |= endStream;
        RequestPhase phase = driver.requestPhase();
        if (phase == RequestPhase.NONE || phase == RequestPhase.DONE) {
            return n;
        }
        unconsumed += n;
        if (n > 0) {
            held.add(data.retainedSlice());
        }
        inFrame = true;
        try {
            deliver();
        } finally {
            inFrame = false;
        }
        return releasable();
    }

    /** The request's trailers (Netty lets only a HEADERS that ends the stream through as trailers, §8.1). */
    void onTrailers(Http2Headers headers) {
        ended = true;
        trailers = headers;
        deliver();
    }

    /** The read batch that admitted the request is over: it goes upstream, unless the connection failed. */
    void dispatch(boolean go) {
        driver.dispatch(go && !closed);
    }

    /** The client reset the stream, or Netty found a stream error in its frames (and resets it). */
    void onReset() {
        driver.onClientCancelled(server.http2().maxDrainedResponseBytes());
    }

    /** Netty closed the stream (both ends done, a reset either way, or the connection closed). */
    void onClosed() {
        closed = true;
        connection.loop().deadlines().cancel(untakenDeadline);
        dropHeld();
        driver.onClientGone();
    }

    /** The stream's writability changed (its window, or the connection's buffer). */
    void onWritabilityChanged() {
        if (closed) {
            return;
        }
        boolean writable = connection.isWritable(stream);
        if (driver.active()) {
            driver.onClientWritabilityChanged(writable);
        } else if (over) {
            noteUntaken(writable);
        }
    }

    void flushUpstream() {
        upstreamFlushQueued = false;
        driver.flushUpstream();
    }

    /** Hands the driver what it takes now: held body bytes in order, then the end with the trailers. */
    private void deliver() {
        if (delivering) {
            return;
        }
        delivering = true;
        try {
            while (driver.active()) {
                if (!held.isEmpty()) {
                    if (!driver.wantsRequestContent()) {
                        break;
                    }
                    ByteBuf content = held.poll();
                    driver.onRequestContent(content, content.readableBytes());
                    content.release();
                } else if (ended && !endDelivered && (driver.requestPhase() == RequestPhase.STREAMING
                        || driver.requestPhase() == RequestPhase.DISCARDING)) {
                    endDelivered = true;
                    driver.onRequestEnd(trailersView.wrap(trailers));
                    trailersView.wrap(null);
                    trailers = null;
                } else {
                    break;
                }
            }
        } finally {
            delivering = false;
        }
        RequestPhase phase = driver.requestPhase();
        if (phase == RequestPhase.NONE || phase == RequestPhase.DONE) {
            dropHeld();
        }
        if (!upstreamFlushQueued) {
            upstreamFlushQueued = true;
            connection.flushUpstreamAfterRead(this);
        }
        giveBack();
    }

    /** The bytes that may go back to the client's windows now: none while the driver still holds the window. */
    private int releasable() {
        boolean holding = !held.isEmpty() || (paused && driver.requestPhase() == RequestPhase.STREAMING);
        if (holding) {
            return 0;
        }
        int n = unconsumed;
        unconsumed = 0;
        return n;
    }

    private void giveBack() {
        if (!inFrame && !closed) {
            int n = releasable();
            if (n > 0) {
                connection.consume(stream, n);
                connection.flush();
            }
        }
    }

    private void dropHeld() {
        ByteBuf content;
        while ((content = held.poll()) != null) {
            content.release();
        }
        trailers = null;
    }

    // ---------------------------------------------------------------------------------------------
    // What the exchange asks of HTTP/2 (ClientSide)
    // ---------------------------------------------------------------------------------------------

    @Override
    public void sendResponseHead(ResponseHead head) {
        if (closed) {
            return;
        }
        Http2Headers out = new DefaultHttp2Headers(false, head.headers().size() + 4);
        out.status(HttpResponseStatus.valueOf(head.status()).codeAsText());
        copyResponseFields(head.headers(), out);
        boolean encodedNow = connection.encodesHeadersNow(stream);
        out.add(TX_HEADER, transactionText(encodedNow));
        driver.writeStageFields(sink.into(out, encodedNow));
        sink.into(null, false);
        boolean endStream = head.framing() == BodyFraming.NONE;
        writeHeaders(out, endStream);
    }

    @Override
    public void sendInformational(ResponseHead head) {
        // 100 was the gateway's to send (Expect is not forwarded); HTTP/2 consumers get no interim responses.
    }

    @Override
    public void sendResponseContent(ByteBuf in, int length) {
        if (closed || responseEndSent) {
            in.skipBytes(length);
            return;
        }
        connection.writeData(stream, in.readRetainedSlice(length), false, null);
    }

    @Override
    public void sendResponseEnd(HeaderBlock responseTrailers) {
        if (closed || responseEndSent) {
            return;
        }
        if (responseTrailers.size() > 0) {
            Http2Headers out = new DefaultHttp2Headers(false, responseTrailers.size());
            copyResponseFields(responseTrailers, out);
            writeHeaders(out, true);
        } else {
            responseEndSent = true;
            lastWrite = connection.newPromise();
            connection.writeData(stream, Unpooled.EMPTY_BUFFER, true, lastWrite);
        }
    }

    /**
     * The problem answer: HEADERS and DATA, END_STREAM on the last unless the request is malformed and has ended
     * (its reset ends the stream). A reset follows once the answer has left when the driver declined the request's
     * rest, or when a 400 answers a request whose body is still coming (malformed, §8.1.1).
     */
    @Override
    public void sendAnswer(int status, ByteBuf body, boolean withBody, String allow, long retryAfterSeconds) {
        if (closed || !connection.isActive()) {
            body.release();
            return;
        }
        Http2Headers out = new DefaultHttp2Headers(false, 8);
        out.status(HttpResponseStatus.valueOf(status).codeAsText());
        out.add(CONTENT_TYPE, PROBLEM_JSON);
        out.addInt(CONTENT_LENGTH, body.readableBytes());
        boolean encodedNow = connection.encodesHeadersNow(stream);
        out.add(TX_HEADER, transactionText(encodedNow));
        if (allow != null) {
            out.add(ALLOW, allow);
        }
        if (retryAfterSeconds >= 0) {
            out.addLong(RETRY_AFTER, retryAfterSeconds);
        }
        driver.writeStageFields(sink.into(out, encodedNow));
        sink.into(null, false);
        Http2Error reset = pendingReset;
        pendingReset = null;
        if (malformed || (!ended && status == HttpResponseStatus.BAD_REQUEST.code())) {
            reset = Http2Error.PROTOCOL_ERROR;
        }
        boolean endStream = !(malformed && ended);
        responseEndSent = true;
        lastWrite = connection.newPromise();
        if (withBody) {
            connection.writeHeaders(stream, out, false, null);
            connection.writeData(stream, body, endStream, lastWrite);
        } else {
            body.release();
            connection.writeHeaders(stream, out, endStream, lastWrite);
        }
        if (reset != null) {
            connection.resetAfter(stream, reset, lastWrite);
        }
    }

    private void writeHeaders(Http2Headers out, boolean endStream) {
        ChannelPromise promise = null;
        if (endStream) {
            responseEndSent = true;
            lastWrite = promise = connection.newPromise();
        }
        connection.writeHeaders(stream, out, endStream, promise);
    }

    /** {@code 100 Continue} has no use here: {@link Http2RequestView#expectContinue} is always false. */
    @Override
    public void sendContinue() {
    }

    @Override
    public void flush() {
        connection.flush();
    }

    @Override
    public boolean acquiresAfterRead() {
        return true;
    }

    @Override
    public void pauseReading() {
        paused = true;
    }

    @Override
    public void resumeReading() {
        paused = false;
        deliver();
        connection.flush();
    }

    @Override
    public boolean clientWritable() {
        return !closed && connection.isWritable(stream);
    }

    /** RST_STREAM with {@code code} once the answer (or the response's end, if it has gone) has left. */
    @Override
    public void declineRequestRest(Abort code) {
        Http2Error error = errorOf(code);
        if (responseEndSent) {
            if (!closed) {
                connection.resetAfter(stream, error, lastWrite);
            }
        } else {
            pendingReset = error;
        }
    }

    /** HTTP/2 drops a refused request's rest up to limits.maxDiscardBytes, so what it sends is still checked. */
    @Override
    public boolean discardsRequestRest() {
        return true;
    }

    @Override
    public void closeAfterExchange() {
        connection.goAwayAfterRead();
    }

    /**
     * Resets the stream: NO_ERROR once what was answered has left (the client is asked to stop sending, §8.1),
     * any other code at once. The stream's close tells the driver.
     */
    @Override
    public void abort(Abort code) {
        if (closed) {
            driver.onClientGone();
            return;
        }
        Http2Error error = errorOf(code);
        if (error == Http2Error.NO_ERROR) {
            connection.resetAfter(stream, error, responseEndSent ? lastWrite : null);
        } else {
            connection.resetStream(stream, error);
        }
        connection.flush();
    }

    /** The whole connection closes before the stream's last frame is flushed. */
    @Override
    public void withhold() {
        connection.closeNow();
    }

    @Override
    public void exchangeOver() {
        over = true;
        dropHeld();
        giveBack();
        connection.flush();
        if (!closed) {
            noteUntaken(connection.isWritable(stream));
        }
    }

    /** After the exchange: a stream that takes none of its written response for the sendTimeout is reset. */
    private void noteUntaken(boolean writable) {
        if (writable) {
            connection.loop().deadlines().cancel(untakenDeadline);
        } else if (!untakenDeadline.scheduled()) {
            ServiceRoute service = driver.exchange().service();
            long timeout = service != null ? service.sendTimeoutNanos() : server.idleTimeoutNanos();
            connection.loop().deadlines().scheduleIn(untakenDeadline, timeout);
        }
    }

    private void untakenTimedOut(long now) {
        if (!closed && !connection.isWritable(stream)) {
            connection.resetStream(stream, Http2Error.CANCEL);
            connection.flush();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Rendering
    // ---------------------------------------------------------------------------------------------

    /**
     * The transaction id for the HEADERS being built. It is never indexed ({@link PerResponseFields}), so HPACK keeps
     * none of it: when those HEADERS are encoded as they are written ({@code encodedNow}), a view of the driver's
     * bytes will do, else (queued behind DATA in flow control) a copy.
     */
    private AsciiString transactionText(boolean encodedNow) {
        if (encodedNow) {
            return driver.transactionIdView();
        }
        byte[] text = new byte[TransactionIds.TEXT_LENGTH];
        TransactionIds.writeText(text, 0, driver.exchange().txMsb(), driver.exchange().txLsb());
        return new AsciiString(text, false);
    }

    private static Http2Error errorOf(Abort code) {
        switch (code) {
            case NO_ERROR:
                return Http2Error.NO_ERROR;
            case PROTOCOL_ERROR:
                return Http2Error.PROTOCOL_ERROR;
            case INTERNAL_ERROR:
                return Http2Error.INTERNAL_ERROR;
            case CANCEL:
            default:
                return Http2Error.CANCEL;
        }
    }

    /**
     * Provider fields that {@link ResponseFields} passes (hop-by-hop ones are meaningless, and forbidden, in HTTP/2).
     * Names are lower-cased once per distinct name ({@link FieldNames}); each value is copied, since HPACK's dynamic
     * table may keep it past this response.
     */
    private static void copyResponseFields(HeaderBlock headers, Http2Headers out) {
        ByteBuf buf = headers.buffer();
        for (int i = 0; i < headers.size(); i++) {
            if (!ResponseFields.passed(headers, i)) {
                continue;
            }
            AsciiString name = FieldNames.lowerCase(buf, headers.nameStart(i), headers.nameLength(i));
            byte[] value = new byte[headers.valueLength(i)];
            buf.getBytes(headers.valueStart(i), value);
            out.add(name, new AsciiString(value, false));
        }
    }

    /**
     * Renders the stages' response fields into the HEADERS being built. A value HPACK never indexes
     * ({@link PerResponseFields}: traceparent, ratelimit) is a view of the caller's bytes when those HEADERS are
     * encoded as they are written, right after the stages have rendered (the bytes stay as they are until then, and
     * the encoder keeps none of them); any other value is copied, since the encoder's dynamic table may keep it
     * for as long as the connection lasts, and queued HEADERS (behind DATA in flow control) are encoded later.
     */
    private static final class Http2HeaderSink implements HeaderSink {
        private Http2Headers out;
        private boolean encodedNow;

        /** Renders into {@code out} from now on (null: nowhere, between uses). */
        Http2HeaderSink into(Http2Headers out, boolean encodedNow) {
            this.out = out;
            this.encodedNow = encodedNow;
            return this;
        }

        @Override
        public void header(AsciiString name, long value) {
            out.addLong(FieldNames.lowerCase(name), value);
        }

        @Override
        public void header(AsciiString name, byte[] value, int offset, int length) {
            AsciiString lower = FieldNames.lowerCase(name);
            if (encodedNow && PerResponseFields.INSTANCE.isSensitive(lower, null)) {
                out.add(lower, new AsciiString(value, offset, length, false));
                return;
            }
            byte[] copy = new byte[length];
            System.arraycopy(value, offset, copy, 0, length);
            out.add(lower, new AsciiString(copy, false));
        }
    }
}
