package io.gozargah.engine.http2;

import io.gozargah.codec.http1.KnownHeaders;
import io.gozargah.engine.admission.NanoClock;
import io.gozargah.engine.auth.ApiKeyAuthenticator;
import io.gozargah.engine.auth.ClientCertificate;
import io.gozargah.engine.config.Http2Config;
import io.gozargah.engine.exchange.ExchangeGate;
import io.gozargah.engine.http1.Http1Connection;
import io.gozargah.engine.server.LoopResources;
import io.gozargah.engine.server.ServerContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One consumer connection speaking HTTP/2: Netty's {@link Http2FrameCodec} does framing, HPACK, flow control
 * and the flood defences; {@link Http2MultiplexHandler} gives each stream its own child channel, where an
 * {@link Http2StreamExchange} carries it as one transaction. This handler holds what the streams of the
 * connection share (identity, the exchange gate, the forwarded lines) and closes the connection when it has
 * been idle too long or the gateway drains (the codec sends GOAWAY and lets open streams finish within the
 * shutdown grace).
 *
 * <p>Streams go upstream at the end of the read batch that admitted them ({@link #dispatchAfterRead}), not as
 * their HEADERS are read: a RST_STREAM or a stream error in the same batch (Rapid Reset and MadeYouReset send
 * both in one packet) ends the stream before it has taken, written to or cost an upstream connection. After a
 * connection error (a flood limit) nothing more goes upstream at all.
 */
public final class Http2Connection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(Http2Connection.class);
    private static final AsciiString TRANSACTION = AsciiString.cached("x-gozargah-transaction");

    private final ServerContext server;
    private final boolean secure;
    private final ClientCertificate certificate;
    private Http2FrameCodec codec;
    private LoopResources loop;
    private ApiKeyAuthenticator authenticator;
    private ExchangeGate gate;
    private InetSocketAddress clientAddress;
    private byte[] forwardedLines;
    private long lastActivityNanos;
    private ScheduledFuture<?> ticker;
    private Channel channel;
    private ChannelHandlerContext ctx;
    /** A throttled authentication failure was answered: GOAWAY at the end of the read batch. */
    private boolean goAwayPending;
    private boolean goneAway;
    /** Between a read batch's first frame and its end. */
    private boolean reading;
    /** Streams admitted in the current read batch, to go upstream at its end. */
    private final ArrayDeque<Http2StreamExchange> ready = new ArrayDeque<>();
    private boolean failed;

    private Http2Connection(ServerContext server, boolean secure, ClientCertificate certificate) {
        this.server = server;
        this.secure = secure;
        this.certificate = certificate;
    }

    /**
     * Adds the HTTP/2 handlers to a connection whose preface is next (after ALPN chose h2, or a cleartext
     * connection that opened with the h2c preface).
     */
    public static void addHandlers(ChannelPipeline pipeline, ServerContext server, boolean secure,
                                   ClientCertificate certificate) {
        Http2Connection connection = new Http2Connection(server, secure, certificate);
        connection.codec = newCodec(server.http2(), server.shutdownGraceMillis(), connection::fail,
                connection::failed);
        pipeline.addLast("h2", connection.codec);
        pipeline.addLast("h2connection", connection);
        pipeline.addLast("h2streams", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                ch.pipeline().addLast("exchange", new Http2StreamExchange(connection));
            }
        }));
    }

    /**
     * The codec with our limits. Netty's defaults advertise no stream limit and allow an 8 KiB header list
     * only on the decode side; DESIGN.md asks for both to be set explicitly. Netty's encoder reset limit is off:
     * {@link ProvokedResetLimit} counts the resets the gateway sends, telling the client's faults from the
     * provider's, and tells {@code onCalmDown} when it ends the connection; {@link ClosingConnectionDecoder}
     * reads nothing more of a connection once {@code failed}.
     */
    static Http2FrameCodec newCodec(Http2Config c, long gracefulShutdownMillis, Runnable onCalmDown,
                                    BooleanSupplier failed) {
        Http2Settings settings = Http2Settings.defaultSettings()
                .maxConcurrentStreams(c.maxConcurrentStreams())
                .maxHeaderListSize(c.maxHeaderListSize())
                .maxFrameSize(c.maxFrameSize())
                .initialWindowSize(c.initialWindowSize());
        int rstWindowSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, c.rstFramesWindow().toSeconds()));
        return new CodecBuilder(c, onCalmDown, failed)
                .initialSettings(settings)
                .validateHeaders(true)
                .decoderEnforceMaxRstFramesPerWindow(c.maxRstFramesPerWindow(), rstWindowSeconds)
                .encoderEnforceMaxRstFramesPerWindow(0, rstWindowSeconds)
                .decoderEnforceMaxSmallContinuationFrames(c.maxSmallContinuationFrames())
                .decoderEnforceMaxConsecutiveEmptyDataFrames(c.maxConsecutiveEmptyDataFrames())
                .encoderEnforceMaxQueuedControlFrames(c.maxQueuedControlFrames())
                .gracefulShutdownTimeoutMillis(gracefulShutdownMillis)
                // Every response's transaction id is new: indexing it would only push useful entries
                // (content-type, server...) out of the client's HPACK table (RFC 7541 §7.1.3).
                .headerSensitivityDetector((name, value) -> TRANSACTION.contentEqualsIgnoreCase(name))
                .build();
    }

    /**
     * Netty's server codec builder, with the connection encoder wrapped in a {@link ProvokedResetLimit} and the
     * decoder in a {@link ClosingConnectionDecoder}.
     */
    private static final class CodecBuilder extends Http2FrameCodecBuilder {
        private final Http2Config config;
        private final Runnable onCalmDown;
        private final BooleanSupplier failed;

        CodecBuilder(Http2Config config, Runnable onCalmDown, BooleanSupplier failed) {
            this.config = config;
            this.onCalmDown = onCalmDown;
            this.failed = failed;
            server(true);
        }

        @Override
        protected Http2FrameCodec build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                                        Http2Settings initialSettings) {
            return super.build(new ClosingConnectionDecoder(decoder, failed), new ProvokedResetLimit(encoder, config.maxProvokedRstFramesPerWindow(),
                    config.rstFramesWindow().toNanos(), NanoClock.SYSTEM, onCalmDown), initialSettings);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        channel = ctx.channel();
        loop = server.loop(ctx.channel().eventLoop());
        authenticator = new ApiKeyAuthenticator(loop.sha256(), loop.keyScratch(), loop.digestScratch());
        gate = new ExchangeGate(server.stages(), server.authFailures());
        SocketAddress remote = ctx.channel().remoteAddress();
        String address = String.valueOf(remote);
        if (remote instanceof InetSocketAddress) {
            clientAddress = (InetSocketAddress) remote;
            address = clientAddress.getAddress().getHostAddress();
        }
        forwardedLines = (KnownHeaders.NAME_X_FORWARDED_FOR + ": " + address + "\r\n"
                + KnownHeaders.NAME_X_FORWARDED_PROTO + ": " + (secure ? "https" : "http") + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        lastActivityNanos = System.nanoTime();
        long tick = server.timerTickNanos();
        ticker = ctx.executor().scheduleAtFixedRate(() -> checkIdle(ctx), tick, tick, TimeUnit.NANOSECONDS);
        if (server.draining()) {
            ctx.channel().close();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lastActivityNanos = System.nanoTime();
        reading = true;
        ctx.fireChannelRead(msg);
    }

    /** The read batch is over: its streams that are still wanted go upstream, then the streams see the end. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        reading = false;
        Http2StreamExchange exchange;
        while ((exchange = ready.poll()) != null) {
            exchange.dispatch(!failed && ctx.channel().isActive());
        }
        ctx.fireChannelReadComplete();
        if (goAwayPending) {
            goAway();
        }
    }

    /**
     * A stream of this connection was answered {@code 429} for a throttled authentication failure: the connection
     * ends, as an HTTP/1.1 one does after such an answer. At the end of the read batch (at once outside one), the
     * answers written so far are flushed, then GOAWAY ENHANCE_YOUR_CALM (RFC 9113 §7: load the peer causes) names
     * the last stream the client opened, and the codec closes the connection once the streams up to it are done
     * (within the shutdown grace). So every stream the client opened before the GOAWAY is answered (and journaled),
     * none after it is served, and the 429 is never cut off by the close, as it would be by a connection error
     * (which closes as soon as the GOAWAY is written).
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
        ctx.flush();
        ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.ENHANCE_YOUR_CALM), ctx.voidPromise());
        ctx.close();
    }

    /**
     * Has {@code exchange}, admitted while reading, go upstream once the read batch is over (at once if no batch
     * is being read): {@link Http2StreamExchange#dispatch} is called then, with false if the connection failed
     * meanwhile.
     */
    void dispatchAfterRead(Http2StreamExchange exchange) {
        if (reading) {
            ready.add(exchange);
        } else {
            exchange.dispatch(!failed && channel.isActive());
        }
    }

    /**
     * A connection error: the codec sends GOAWAY and closes, and nothing more of the connection is read
     * ({@link ClosingConnectionDecoder}), admitted or sent upstream.
     */
    private void fail() {
        failed = true;
    }

    boolean failed() {
        return failed;
    }

    /** An HTTP/2 connection with no open stream is closed after the server's idle timeout, as HTTP/1.1's is. */
    private void checkIdle(ChannelHandlerContext ctx) {
        if (codec.connection().numActiveStreams() > 0) {
            lastActivityNanos = System.nanoTime();
            return;
        }
        if (System.nanoTime() - lastActivityNanos > server.idleTimeoutNanos()) {
            ctx.channel().close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == Http1Connection.DrainEvent.INSTANCE) {
            // Through the codec: GOAWAY, then the close once open streams are done (or the grace is over).
            ctx.channel().close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * Connection errors (the flood limits among them) pass here on their way to the codec's own handling, which
     * sends GOAWAY with the error's code and closes: closing here would send GOAWAY NO_ERROR first. A debug
     * line rather than a warning per attacker. Stream errors go on to the multiplexer, which hands them to
     * their stream.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2FrameStreamException) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        fail();
        log.debug("HTTP/2 connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (ticker != null) {
            ticker.cancel(false);
        }
        ctx.fireChannelInactive();
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

    InetSocketAddress clientAddress() {
        return clientAddress;
    }

    byte[] forwardedLines() {
        return forwardedLines;
    }
}
