package io.gozargah.engine.http2;

import io.gozargah.engine.admission.NanoClock;
import io.gozargah.engine.auth.ApiKeyAuthenticator;
import io.gozargah.engine.auth.ClientCertificate;
import io.gozargah.engine.config.Http2Config;
import io.gozargah.engine.exchange.ClientForwarding;
import io.gozargah.engine.exchange.ExchangeGate;
import io.gozargah.engine.http1.Http1Connection;
import io.gozargah.engine.server.LoopResources;
import io.gozargah.engine.server.ServerContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2LocalFlowController;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One consumer connection speaking HTTP/2, at frame level: Netty's {@link Http2ConnectionHandler} does framing,
 * HPACK, flow control, stream states and the flood defences; a {@link StreamFrameListener} hands each stream's
 * frames to its {@link Http2ClientStream}, a plain object kept on Netty's stream (no child channel or pipeline
 * per stream). This handler holds what the streams share (identity, the exchange gate, the forwarded lines),
 * writes for them through the connection encoder with one flush per read batch or upstream read batch, and closes
 * the connection when it has been idle too long or the gateway drains (GOAWAY, then the close once open streams
 * finish within the shutdown grace).
 *
 * <p>Streams go upstream at the end of the read batch that admitted them ({@link #dispatchAfterRead}), not as
 * their HEADERS are read: a RST_STREAM or a stream error in the same batch (Rapid Reset and MadeYouReset send both
 * in one packet) ends the stream before it has taken, written to or cost an upstream connection. After a
 * connection error (a flood limit) nothing more is read, admitted or sent upstream.
 */
public final class Http2Connection extends Http2ConnectionHandler {
    private static final Logger log = LoggerFactory.getLogger(Http2Connection.class);
    /**
     * How many closed streams' objects a connection keeps for its next streams (fewer if it allows fewer concurrent
     * streams): enough for a client that keeps a handful of streams going, without every idle connection holding
     * a full maxConcurrentStreams of them.
     */
    private static final int MAX_FREE_STREAMS = 8;

    private final ServerContext server;
    private final boolean secure;
    private final ClientCertificate certificate;
    private final io.netty.handler.codec.http2.Http2Connection.PropertyKey exchangeKey;
    private final ClosedStreams closedStreams = new ClosedStreams();
    private ChannelHandlerContext ctx;
    private LoopResources loop;
    private ApiKeyAuthenticator authenticator;
    private ExchangeGate gate;
    private ClientForwarding forwarding;
    private long lastActivityNanos;
    private ScheduledFuture<?> ticker;
    /** A throttled authentication failure was answered: GOAWAY at the end of the read batch. */
    private boolean goAwayPending;
    private boolean goneAway;
    /** Between a read batch's first frame and its end. */
    private boolean reading;
    /** Streams admitted in the current read batch, to go upstream at its end. */
    private final ArrayDeque<Http2ClientStream> ready = new ArrayDeque<>();
    /** Streams that wrote request bytes upstream in the current read batch, to flush at its end. */
    private final ArrayDeque<Http2ClientStream> upstreamWriters = new ArrayDeque<>();
    /** Between a read batch's end and the end of its queued dispatches and flushes. */
    private boolean settling;
    /**
     * Stream objects whose stream closed and whose exchange is over, for the next streams: a stream then costs Netty's
     * objects and not ours (the adapter, its driver, the exchange, deadlines and trace context). At most
     * {@link #maxFreeStreams}; beyond, a closed stream's object is left to the garbage collector.
     */
    private final ArrayDeque<Http2ClientStream> free = new ArrayDeque<>();
    /** Closed while a read batch or its queues ran: offered to {@link #free} once they no longer hold them. */
    private final ArrayDeque<Http2ClientStream> closing = new ArrayDeque<>();
    private final int maxFreeStreams;
    private boolean failed;

    private Http2Connection(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings,
                            ServerContext server, boolean secure, ClientCertificate certificate) {
        super(decoder, encoder, settings);
        this.server = server;
        this.secure = secure;
        this.certificate = certificate;
        this.exchangeKey = connection().newKey();
        this.maxFreeStreams = Math.min(MAX_FREE_STREAMS, server.http2().maxConcurrentStreams());
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
        pipeline.addLast("h2", new Builder(server, secure, certificate).build());
    }

    /**
     * Netty's builder with our limits. Netty's defaults advertise no stream limit and allow an 8 KiB header list only
     * on the decode side; DESIGN.md asks for both to be set explicitly. Netty's encoder reset limit is off:
     * {@link ProvokedResetLimit} counts the resets the gateway sends, telling the client's faults from the
     * provider's, and fails the connection when it ends it; {@link ClosingConnectionDecoder} reads nothing more of
     * a connection once it has failed.
     */
    private static final class Builder extends AbstractHttp2ConnectionHandlerBuilder<Http2Connection, Builder> {
        private final ServerContext server;
        private final boolean secure;
        private final ClientCertificate certificate;
        /** Set once built: the limits' callbacks reach the connection through it. */
        private Http2Connection built;

        Builder(ServerContext server, boolean secure, ClientCertificate certificate) {
            this.server = server;
            this.secure = secure;
            this.certificate = certificate;
            Http2Config c = server.http2();
            int rstWindowSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, c.rstFramesWindow().toSeconds()));
            server(true);
            initialSettings(Http2Settings.defaultSettings()
                    .maxConcurrentStreams(c.maxConcurrentStreams())
                    .maxHeaderListSize(c.maxHeaderListSize())
                    .maxFrameSize(c.maxFrameSize())
                    .initialWindowSize(c.initialWindowSize()));
            validateHeaders(true);
            decoderEnforceMaxRstFramesPerWindow(c.maxRstFramesPerWindow(), rstWindowSeconds);
            encoderEnforceMaxRstFramesPerWindow(0, rstWindowSeconds);
            decoderEnforceMaxSmallContinuationFrames(c.maxSmallContinuationFrames());
            decoderEnforceMaxConsecutiveEmptyDataFrames(c.maxConsecutiveEmptyDataFrames());
            encoderEnforceMaxQueuedControlFrames(c.maxQueuedControlFrames());
            gracefulShutdownTimeoutMillis(server.shutdownGraceMillis());
            headerSensitivityDetector(PerResponseFields.INSTANCE);
        }

        /** Netty's build(), made callable from this package. */
        @Override
        protected Http2Connection build() {
            return super.build();
        }

        @Override
        protected Http2Connection build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                                        Http2Settings initialSettings) {
            Http2Config c = server.http2();
            ProvokedResetLimit limit = new ProvokedResetLimit(encoder, c.maxProvokedRstFramesPerWindow(),
                    c.rstFramesWindow().toNanos(), NanoClock.SYSTEM, () -> built.fail());
            built = new Http2Connection(new ClosingConnectionDecoder(decoder, () -> built.failed), limit,
                    initialSettings, server, secure, certificate);
            return built;
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        super.handlerAdded(ctx);
        this.ctx = ctx;
        loop = server.loop(ctx.channel().eventLoop());
        authenticator = new ApiKeyAuthenticator(loop.sha256(), loop.keyScratch(), loop.digestScratch());
        gate = new ExchangeGate(server.stages(), server.authFailures());
        forwarding = ClientForwarding.of(ctx.channel().remoteAddress(), secure);
        lastActivityNanos = System.nanoTime();
        long tick = server.timerTickNanos();
        ticker = ctx.executor().scheduleAtFixedRate(this::checkIdle, tick, tick, TimeUnit.NANOSECONDS);
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
        lastActivityNanos = System.nanoTime();
        reading = true;
        super.channelRead(ctx, msg);
    }

    /**
     * The read batch is over: its streams that are still wanted go upstream, request bytes written upstream are
     * flushed, then Netty flushes what the batch wrote to the client.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        reading = false;
        settling = true;
        Http2ClientStream exchange;
        while ((exchange = ready.poll()) != null) {
            exchange.dispatch(!failed && ctx.channel().isActive());
        }
        while ((exchange = upstreamWriters.poll()) != null) {
            exchange.flushUpstream();
        }
        settling = false;
        while ((exchange = closing.poll()) != null) {
            offerFree(exchange);
        }
        super.channelReadComplete(ctx);
        if (goAwayPending) {
            goAway();
        }
    }

    /**
     * A stream of this connection was answered {@code 429} for a throttled authentication failure: the connection
     * ends, as an HTTP/1.1 one does after such an answer. At the end of the read batch (at once outside one), the
     * answers written so far are flushed, then GOAWAY ENHANCE_YOUR_CALM (RFC 9113 §7: load the peer causes) names
     * the last stream the client opened, and the connection closes once the streams up to it are done (within the
     * shutdown grace). So every stream the client opened before the GOAWAY is answered (and journaled), none after
     * it is served, and the 429 is never cut off by the close, as it would be by a connection error (which closes as
     * soon as the GOAWAY is written).
     */
    void goAwayAfterRead() {
        if (goneAway) {
            return;
        }
        goAwayPending = true;
        if (!reading) {
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

    /**
     * Has {@code exchange}, admitted while reading, go upstream once the read batch is over (at once if no batch is
     * being read): {@link Http2ClientStream#dispatch} is called then, with false if the connection failed
     * meanwhile.
     */
    void dispatchAfterRead(Http2ClientStream exchange) {
        if (reading) {
            ready.add(exchange);
        } else {
            exchange.dispatch(!failed && ctx.channel().isActive());
        }
    }

    /** Has {@code exchange}'s upstream flushed at the end of the read batch (at once if none is being read). */
    void flushUpstreamAfterRead(Http2ClientStream exchange) {
        if (reading) {
            upstreamWriters.add(exchange);
        } else {
            exchange.flushUpstream();
        }
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
            ClosedStreams.End end = closedStreams.endOf(streamId);
            if (end == ClosedStreams.End.RESET_SENT) {
                return;
            }
            if (end == ClosedStreams.End.ENDED || end == ClosedStreams.End.NEVER_OPENED) {
                Http2Error error = end == ClosedStreams.End.ENDED ? Http2Error.STREAM_CLOSED
                        : Http2Error.PROTOCOL_ERROR;
                onConnectionError(ctx, false, cause, Http2Exception.connectionError(error,
                        "a frame on stream %d, which is %s", streamId,
                        end == ClosedStreams.End.ENDED ? "closed" : "below one already opened"));
                return;
            }
        }
        Http2ClientStream exchange = stream == null ? null : exchange(stream);
        if (exchange != null && !outbound) {
            exchange.onReset();
        }
        super.onStreamError(ctx, outbound, cause, http2Ex);
    }

    private void fail() {
        failed = true;
    }

    boolean failed() {
        return failed;
    }

    /** An HTTP/2 connection with no open stream is closed after the server's idle timeout, as HTTP/1.1's is. */
    private void checkIdle() {
        if (connection().numActiveStreams() > 0) {
            lastActivityNanos = System.nanoTime();
            return;
        }
        if (System.nanoTime() - lastActivityNanos > server.idleTimeoutNanos()) {
            ctx.channel().close();
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
        if (ticker != null) {
            ticker.cancel(false);
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
        Http2ClientStream exchange = free.pollFirst();
        if (exchange == null || !exchange.reusable()) {
            exchange = new Http2ClientStream(this);
        }
        exchange.open(stream);
        stream.setProperty(exchangeKey, exchange);
        return exchange;
    }

    /**
     * {@code exchange}'s stream closed: its object is offered for the next streams, at once outside a read batch,
     * else once the batch's queues ({@link #ready}, {@link #upstreamWriters}), which may still name it, are done.
     */
    private void recycle(Http2ClientStream exchange) {
        if (reading || settling) {
            closing.add(exchange);
        } else {
            offerFree(exchange);
        }
    }

    private void offerFree(Http2ClientStream exchange) {
        if (free.size() < maxFreeStreams && exchange.reusable()) {
            free.addFirst(exchange);
        }
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
                recycle(exchange);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Writing for the streams
    // ---------------------------------------------------------------------------------------------

    /** Writes HEADERS on {@code stream}; {@code promise} is told when they leave (null: nobody asks). */
    void writeHeaders(Http2Stream stream, Http2Headers headers, boolean endStream, ChannelPromise promise) {
        encoder().writeHeaders(ctx, stream.id(), headers, 0, endStream, promise == null ? ctx.voidPromise() : promise);
    }

    /**
     * Whether HEADERS written on {@code stream} now are encoded (HPACK) as they are written: yes unless frames of the
     * stream wait in flow control, behind which Netty queues them (and their values) to keep the order.
     */
    boolean encodesHeadersNow(Http2Stream stream) {
        return !encoder().flowController().hasFlowControlled(stream);
    }

    /** Writes DATA on {@code stream} (the flow controller sends it as the windows allow); see writeHeaders. */
    void writeData(Http2Stream stream, ByteBuf data, boolean endStream, ChannelPromise promise) {
        encoder().writeData(ctx, stream.id(), data, 0, endStream, promise == null ? ctx.voidPromise() : promise);
    }

    ChannelPromise newPromise() {
        return ctx.newPromise();
    }

    /**
     * Resets {@code stream} once its answer has gone out: DATA waits in the flow controller, and a reset written
     * before it leaves would discard it, so the answer the reset follows would never arrive. What the windows allow
     * is handed to the channel now, and the reset is written behind it; DATA a shut window still holds is followed
     * by the reset when {@code lastData} (null if the answer had none) has left.
     */
    void resetAfter(Http2Stream stream, Http2Error error, ChannelFuture lastData) {
        try {
            encoder().flowController().writePendingBytes();
        } catch (Http2Exception e) {
            onError(ctx, true, e);
            return;
        }
        if (lastData == null || !encoder().flowController().hasFlowControlled(stream)) {
            resetStream(stream, error);
            return;
        }
        lastData.addListener(f -> {
            resetStream(stream, error);
            flush();
        });
    }

    /** Resets {@code stream} unless it has closed already (a frame on a closed stream is an error, §5.1). */
    void resetStream(Http2Stream stream, Http2Error error) {
        if (ctx.channel().isActive() && connection().stream(stream.id()) != null) {
            encoder().writeRstStream(ctx, stream.id(), error.code(), ctx.voidPromise());
        }
    }

    /** Returns {@code bytes} of {@code stream}'s request body to the client's windows. */
    void consume(Http2Stream stream, int bytes) {
        if (bytes <= 0) {
            return;
        }
        try {
            decoder().flowController().consumeBytes(stream, bytes);
        } catch (Http2Exception e) {
            onError(ctx, true, e);
        }
    }

    /** Whether {@code stream} takes more of its response now (its window and the connection's buffer allow). */
    boolean isWritable(Http2Stream stream) {
        return encoder().flowController().isWritable(stream);
    }

    /** Flushes what the streams wrote, unless a read batch is under way (its end flushes). */
    void flush() {
        if (!reading) {
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

    ServerContext server() {
        return server;
    }

    LoopResources loop() {
        return loop;
    }

    ApiKeyAuthenticator authenticator() {
        return authenticator;
    }

    ExchangeGate gate() {
        return gate;
    }

    ClientCertificate certificate() {
        return certificate;
    }

    ClientForwarding forwarding() {
        return forwarding;
    }

}
