package io.gozargah.engine.http2;

import io.gozargah.engine.auth.ClientCertificate;
import io.gozargah.engine.deadline.Deadline;
import io.gozargah.engine.exchange.ClientConnection;
import io.gozargah.engine.http1.Http1Connection;
import io.gozargah.engine.server.LoopResources;
import io.gozargah.engine.server.ServerContext;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2LocalFlowController;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer connection speaking HTTP/2, at frame level: Netty's {@link Http2ConnectionHandler} does framing,
 * HPACK, flow control, stream states and the flood defences; a {@link StreamFrameListener} hands each stream's
 * frames to its {@link Http2ClientStream}, a plain object kept on Netty's stream (no child channel or pipeline
 * per stream). This handler holds what the streams share ({@link ClientConnection}), lets them write through the
 * connection encoder with one flush per read batch ({@link ReadBatch}) or upstream read batch, and closes the
 * connection when it has been idle too long or the gateway drains (GOAWAY, then the close once open streams
 * finish within the shutdown grace). After a connection error (a flood limit) nothing more is read, admitted or
 * sent upstream.
 */
public final class Http2Connection extends Http2ConnectionHandler {
    private static final Logger log = LoggerFactory.getLogger(Http2Connection.class);

    private final ServerContext server;
    private final boolean secure;
    private final ClientCertificate certificate;
    /** What the streams' exchanges share: made once the handler joins the pipeline. */
    private ClientConnection client;
    private final io.netty.handler.codec.http2.Http2Connection.PropertyKey exchangeKey;
    private final ClosedStreams closedStreams = new ClosedStreams();
    private final FreeStreams freeStreams;
    /** The connection has had no open stream and read nothing for the server's idle timeout. */
    private final Deadline idleDeadline = new Deadline(this::idleDeadlinePassed);
    private ChannelHandlerContext ctx;
    private LoopResources loop;
    private long lastActivityNanos;
    /** A throttled authentication failure was answered: GOAWAY at the end of the read batch. */
    private boolean goAwayPending;
    private boolean goneAway;
    private final ReadBatch batch = new ReadBatch(this);
    private boolean failed;

    Http2Connection(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings,
                    ServerContext server, boolean secure, ClientCertificate certificate) {
        super(decoder, encoder, settings);
        this.server = server;
        this.secure = secure;
        this.certificate = certificate;
        this.exchangeKey = connection().newKey();
        this.freeStreams = new FreeStreams(server.http2().maxConcurrentStreams());
        connection().addListener(new StreamLifecycle());
        encoder.flowController().listener(stream -> {
            Http2ClientStream exchange = exchange(stream);
            if (exchange != null) {
                exchange.onWritabilityChanged();
            }
        });
        decoder.frameListener(new StreamFrameListener(this));
    }

    /**
     * Adds the HTTP/2 handler to a connection whose preface is next (after ALPN chose h2, or a cleartext connection
     * that opened with the h2c preface).
     */
    public static void addHandlers(ChannelPipeline pipeline, ServerContext server, boolean secure,
                                   ClientCertificate certificate) {
        pipeline.addLast("h2", new Http2ConnectionBuilder(server, secure, certificate).build());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        super.handlerAdded(ctx);
        this.ctx = ctx;
        client = new ClientConnection(server, ctx.channel(), secure, certificate);
        loop = client.loop();
        lastActivityNanos = loop.clock().nanoTime();
        loop.deadlines().schedule(idleDeadline, lastActivityNanos + server.idleTimeoutNanos());
        widenConnectionWindow();
        if (server.draining()) {
            ctx.channel().close();
        }
    }

    /**
     * SETTINGS_INITIAL_WINDOW_SIZE covers streams only (RFC 9113 §6.9.2); the connection's window starts at 65,535
     * bytes whatever we advertise. It is widened to twice the stream window, so that one stream whose provider is
     * slow to take its body cannot hold the whole connection's window.
     */
    private void widenConnectionWindow() throws Http2Exception {
        Http2Stream connectionStream = connection().connectionStream();
        Http2LocalFlowController flow = decoder().flowController();
        int delta = server.http2().initialWindowSize() - flow.initialWindowSize(connectionStream);
        if (delta > 0) {
            flow.incrementWindowSize(connectionStream, Math.max(delta << 1, delta));
            flush(ctx);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        lastActivityNanos = loop.clock().nanoTime();
        batch.start();
        super.channelRead(ctx, msg);
    }

    /** The read batch is over ({@link ReadBatch#end}), then Netty flushes what the batch wrote to the client. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        batch.end();
        freeStreams.batchOver();
        super.channelReadComplete(ctx);
        if (goAwayPending) {
            goAway();
        }
    }

    /**
     * A stream was answered {@code 429} for a throttled authentication failure: the connection ends, as an HTTP/1.1
     * one does. At the end of the read batch (at once outside one), the answers written so far are flushed, then
     * GOAWAY ENHANCE_YOUR_CALM (RFC 9113 §7) names the last stream the client opened, and the connection closes once
     * the streams up to it are done (within the shutdown grace): every stream opened before it is answered and
     * journaled, and the 429 is not cut off as it would be by a connection error's immediate close.
     */
    void goAwayAfterRead() {
        if (goneAway) {
            return;
        }
        goAwayPending = true;
        if (!batch.reading()) {
            goAway();
        }
    }

    private void goAway() {
        goAwayPending = false;
        goneAway = true;
        flush(ctx);
        goAway(ctx, connection().remote().lastStreamCreated(), Http2Error.ENHANCE_YOUR_CALM.code(),
                Unpooled.EMPTY_BUFFER, ctx.newPromise());
        ctx.channel().close();
    }

    ReadBatch readBatch() {
        return batch;
    }

    /**
     * A connection error (ours or one of Netty's limits): Netty sends GOAWAY with its code and closes, and nothing
     * more of the connection is read ({@link ClosingConnectionDecoder}), admitted or sent upstream. A debug line
     * rather than a warning per attacker.
     */
    @Override
    protected void onConnectionError(ChannelHandlerContext ctx, boolean outbound, Throwable cause,
                                     Http2Exception http2Ex) {
        fail();
        log.debug("HTTP/2 connection from {} failed: {}", ctx.channel().remoteAddress(), String.valueOf(cause));
        super.onConnectionError(ctx, outbound, cause, http2Ex);
    }

    /**
     * A stream error Netty found in the client's frames. The stream's exchange ends first (without writing: a reset
     * of its own would carry CANCEL, a code that blames nobody and that no reset limit counts), then Netty resets it
     * with the error's own code. A DATA or HEADERS on a stream Netty no longer holds is answered as
     * {@link ClosedStreams} says the stream's state requires.
     */
    @Override
    protected void onStreamError(ChannelHandlerContext ctx, boolean outbound, Throwable cause,
                                 Http2Exception.StreamException http2Ex) {
        int streamId = http2Ex.streamId();
        Http2Stream stream = connection().stream(streamId);
        if (stream == null && !outbound && http2Ex.error() == Http2Error.STREAM_CLOSED) {
            if (closedStreams.ignoresFrameOn(streamId)) {
                return;
            }
            Http2Exception connectionError = closedStreams.connectionErrorOnFrame(streamId);
            if (connectionError != null) {
                onConnectionError(ctx, false, cause, connectionError);
                return;
            }
        }
        Http2ClientStream exchange = stream == null ? null : exchange(stream);
        if (exchange != null && !outbound) {
            exchange.onReset();
        }
        super.onStreamError(ctx, outbound, cause, http2Ex);
    }

    void fail() {
        failed = true;
    }

    boolean failed() {
        return failed;
    }

    /** Whether admitted streams may still go upstream: the connection has not failed and is open. */
    boolean serving() {
        return !failed && ctx.channel().isActive();
    }

    /** An HTTP/2 connection with no open stream is closed after the server's idle timeout, as HTTP/1.1's is. */
    private void idleDeadlinePassed(long now) {
        if (connection().numActiveStreams() > 0) {
            lastActivityNanos = now;
        }
        long due = lastActivityNanos + server.idleTimeoutNanos();
        if (now - due >= 0) {
            ctx.channel().close();
        } else {
            loop.deadlines().schedule(idleDeadline, due);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == Http1Connection.DrainEvent.INSTANCE) {
            // Through Netty's close: GOAWAY, then the close once open streams are done (or the grace is over).
            ctx.channel().close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (loop != null) {
            loop.deadlines().cancel(idleDeadline);
        }
        super.channelInactive(ctx);
    }

    // ---------------------------------------------------------------------------------------------
    // The streams
    // ---------------------------------------------------------------------------------------------

    Http2ClientStream exchange(Http2Stream stream) {
        return stream.getProperty(exchangeKey);
    }

    /** A new stream's exchange (the client's HEADERS opened it): a closed stream's object if one is free. */
    Http2ClientStream newExchange(Http2Stream stream) {
        Http2ClientStream exchange = freeStreams.take();
        if (exchange == null) {
            exchange = new Http2ClientStream(this);
        }
        exchange.open(stream);
        stream.setProperty(exchangeKey, exchange);
        return exchange;
    }

    /** The client reset {@code streamId} (RST_STREAM read). */
    void resetReceived(int streamId) {
        closedStreams.resetReceived(streamId);
    }

    /** Follows the client's streams into {@link ClosedStreams}, and tells an exchange that its stream closed. */
    private final class StreamLifecycle extends Http2ConnectionAdapter {
        @Override
        public void onStreamAdded(Http2Stream stream) {
            closedStreams.opened(stream.id());
        }

        @Override
        public void onStreamClosed(Http2Stream stream) {
            closedStreams.closed(stream.id(), stream.isResetSent());
            Http2ClientStream exchange = stream.removeProperty(exchangeKey);
            if (exchange != null) {
                exchange.onClosed();
                freeStreams.closed(exchange, batch.underWay());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // What the streams share
    // ---------------------------------------------------------------------------------------------

    /** Resets {@code stream} unless it has closed already (a frame on a closed stream is an error, §5.1). */
    void resetStream(Http2Stream stream, Http2Error error) {
        if (ctx.channel().isActive() && connection().stream(stream.id()) != null) {
            encoder().writeRstStream(ctx, stream.id(), error.code(), ctx.voidPromise());
        }
    }

    /** Returns {@code bytes} of {@code stream}'s request body to the client's windows. */
    void consume(Http2Stream stream, int bytes) {
        try {
            decoder().flowController().consumeBytes(stream, bytes);
        } catch (Http2Exception e) {
            writeFailed(e);
        }
    }

    /** A write for a stream failed in the flow controller: handled as Netty handles its own. */
    void writeFailed(Http2Exception e) {
        onError(ctx, true, e);
    }

    /** Whether {@code stream} takes more of its response now (its window and the connection's buffer allow). */
    boolean isWritable(Http2Stream stream) {
        return encoder().flowController().isWritable(stream);
    }

    /** Flushes what the streams wrote, unless a read batch is under way (its end flushes). */
    void flush() {
        if (!batch.reading()) {
            flush(ctx);
        }
    }

    /**
     * Closes the connection at once, without GOAWAY and without flushing: an answer the journal could not record
     * must not reach the client.
     */
    void closeNow() {
        ctx.close();
    }

    boolean isActive() {
        return ctx.channel().isActive();
    }

    ChannelHandlerContext ctx() {
        return ctx;
    }

    LoopResources loop() {
        return loop;
    }

    ClientConnection client() {
        return client;
    }
}
