package io.gozargah.engine.http2;

import io.gozargah.codec.http1.HeaderBlock;
import io.gozargah.codec.http1.ResponseHead;
import io.gozargah.engine.deadline.Deadline;
import io.gozargah.engine.exchange.ClientSide;
import io.gozargah.engine.exchange.ProxyExchange;
import io.gozargah.engine.exchange.RequestPhase;
import io.gozargah.engine.route.ServiceRoute;
import io.gozargah.engine.server.ServerContext;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;

/**
 * One HTTP/2 stream as the front end of its {@link ProxyExchange}: it hands the driver the stream's HEADERS, and
 * its DATA and trailers through the {@link Http2RequestBody}, which reads under flow control; what the driver
 * decides is written by the {@link Http2ResponseWriter}. A stream whose exchange is over while the client still has
 * not taken its response is reset CANCEL after the sendTimeout, as the driver does while the exchange runs.
 *
 * <p>The object, with its driver, serves one stream at a time and then the connection's next ones
 * ({@link Http2Connection#newExchange}): {@link #open} starts it on a stream, and it is offered back once Netty has
 * closed the stream and {@link #reusable} says nothing can call into it any more. Nothing deferred holds it: its
 * one deadline is cancelled when the stream closes, the driver's are cancelled when its exchange ends, an
 * outstanding pool acquire keeps the driver from being idle, and the write promises it makes carry listeners that
 * name Netty's stream and the connection, not this object.
 */
final class Http2ClientStream implements ClientSide {
    private final Http2Connection connection;
    private final ServerContext server;
    private final ProxyExchange driver;
    private final Http2RequestBody body;
    private final Http2ResponseWriter response;
    /** The stream served now: set by {@link #open}. */
    private Http2Stream stream;
    private boolean malformed;
    /** The driver is done with the exchange; the stream may still hold response bytes the client has not taken. */
    private boolean over;
    /** Netty closed the stream: nothing more is written to it. */
    private boolean closed;
    /**
     * {@link #clientWritable} answered false, and the driver (which then stops its provider) has not been told of
     * writability since: it is owed a call once the stream can take more ({@link #owedWritable}).
     */
    private boolean writableOwed;
    /** The client's response is written but not taken: reset once it has taken none of it for the sendTimeout. */
    private final Deadline untakenDeadline = new Deadline(this::untakenTimedOut);
    /** The view of the request's HEADERS handed to the driver for the length of one call. */
    private final Http2RequestView headView = new Http2RequestView();

    Http2ClientStream(Http2Connection connection) {
        this.connection = connection;
        this.server = connection.client().server();
        this.driver = new ProxyExchange(connection.client(), this);
        this.body = new Http2RequestBody(connection, driver);
        this.response = new Http2ResponseWriter(connection, driver);
    }

    /** Starts serving {@code stream}, whose HEADERS opened it: nothing of an earlier stream is left. */
    void open(Http2Stream stream) {
        this.stream = stream;
        body.open(stream);
        response.open(stream);
        malformed = false;
        over = false;
        closed = false;
        writableOwed = false;
    }

    /**
     * Whether the object may serve another stream: its stream closed, its driver idle ({@link ProxyExchange#idle}),
     * its deadline not scheduled, nothing held and no upstream flush queued on the connection.
     */
    boolean reusable() {
        return closed && driver.idle() && !untakenDeadline.scheduled() && body.idle();
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
        Http2RequestView view = headView.wrap(headers, endStream);
        body.headStarting(endStream);
        try {
            if (view.check(server)) {
                driver.onRequestHead(view);
            } else {
                malformed = view.malformed();
                driver.refuseHead(view, view.refusal(), view.detail());
            }
        } finally {
            view.release();
            body.headTaken();
        }
        if (driver.requestPhase() == RequestPhase.WAITING) {
            connection.readBatch().dispatch(this);
        }
        body.deliver();
    }

    /** A DATA frame's bytes (valid during the call); returns how many go back to the client's windows now. */
    int onData(ByteBuf data, boolean endStream) {
        return body.onData(data, endStream);
    }

    void onTrailers(Http2Headers headers) {
        body.onTrailers(headers);
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
        body.closed();
        driver.onClientGone();
    }

    /**
     * The connection's channel became writable: a stream whose driver was told it was not writable by
     * {@link #clientWritable}, and that can take more now, is told so. Netty's flow controller tells its listener
     * only of changes it has seen itself, and it sees the channel's writability only through
     * channelWritabilityChanged events, which TLS fires late: bytes held by the SslHandler make the channel
     * unwritable at once, but its event runs as a later task, and if a flush has drained the channel by then, the
     * controller sees writable twice and never reports the false the driver read, nor the true that would resume it.
     */
    void owedWritable() {
        if (writableOwed && !closed && connection.isWritable(stream)) {
            onWritabilityChanged();
        }
    }

    /** The stream's writability changed (its window, or the connection's buffer). */
    void onWritabilityChanged() {
        if (closed) {
            return;
        }
        boolean writable = connection.isWritable(stream);
        if (writable) {
            writableOwed = false;
        }
        if (driver.active()) {
            driver.onClientWritabilityChanged(writable);
        } else if (over) {
            noteUntaken(writable);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // What the exchange asks of HTTP/2 (ClientSide)
    // ---------------------------------------------------------------------------------------------

    @Override
    public void sendResponseHead(ResponseHead head) {
        if (!closed) {
            response.head(head);
        }
    }

    @Override
    public void sendInformational(ResponseHead head) {
        // 100 was the gateway's to send (Expect is not forwarded); HTTP/2 consumers get no interim responses.
    }

    @Override
    public void sendResponseContent(ByteBuf in, int length) {
        if (closed) {
            in.skipBytes(length);
        } else {
            response.content(in, length);
        }
    }

    @Override
    public void sendResponseEnd(HeaderBlock trailers) {
        if (!closed) {
            response.end(trailers);
        }
    }

    /**
     * The problem answer. A malformed request (§8.1.1), or one whose body is still coming that is answered 400, is
     * reset PROTOCOL_ERROR once the answer has left; a malformed one that has ended keeps the stream open for that
     * reset (a frame after END_STREAM would be one on a closed stream, §5.1).
     */
    @Override
    public void sendAnswer(int status, ByteBuf problem, boolean withBody) {
        if (closed || !connection.isActive()) {
            problem.release();
            return;
        }
        boolean ended = body.ended();
        Http2Error reset = malformed || (!ended && status == HttpResponseStatus.BAD_REQUEST.code())
                ? Http2Error.PROTOCOL_ERROR : null;
        response.answer(status, problem, withBody, !(malformed && ended), reset);
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
        body.pause();
    }

    @Override
    public void resumeReading() {
        body.resume();
        connection.flush();
    }

    @Override
    public boolean clientWritable() {
        boolean writable = !closed && connection.isWritable(stream);
        if (!writable && !closed) {
            writableOwed = true;
        }
        return writable;
    }

    @Override
    public void declineRequestRest(Abort code) {
        response.declineRest(errorOf(code), closed);
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

    /** Resets the stream; its close tells the driver. */
    @Override
    public void abort(Abort code) {
        if (closed) {
            driver.onClientGone();
        } else {
            response.abort(errorOf(code));
        }
    }

    /** The whole connection closes before the stream's last frame is flushed. */
    @Override
    public void withhold() {
        connection.closeNow();
    }

    @Override
    public void exchangeOver(long nowNanos) {
        over = true;
        body.drop();
        body.giveBack();
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
            response.reset(Http2Error.CANCEL);
            connection.flush();
        }
    }

    /** {@link ClientSide.Abort}'s constants are named after the RFC 9113 §7 codes they are sent as. */
    private static Http2Error errorOf(Abort code) {
        return Http2Error.valueOf(code.name());
    }
}
