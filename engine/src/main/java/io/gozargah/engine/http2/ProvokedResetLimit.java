package io.gozargah.engine.http2;

import io.gozargah.engine.admission.NanoClock;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DecoratingHttp2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2LifecycleManager;
import io.netty.handler.codec.http2.Http2Stream;

/**
 * Counts the RST_STREAM frames the gateway sends because of what the client did, and ends the connection with
 * GOAWAY ENHANCE_YOUR_CALM once more than {@code maxPerWindow} fall within one window: the MadeYouReset defence
 * (CVE-2025-8671). A client that makes the server reset its streams (a zero WINDOW_UPDATE increment, RFC 9113
 * §6.9; a frame the stream's state forbids, §5.1; a body that belies its content-length, §8.1.1) has each request
 * processed without it counting against its concurrent streams, and without sending a RST_STREAM of its own that
 * the inbound Rapid Reset limit would count.
 *
 * <p>Every reset of the connection passes here: Netty's answers to stream errors in the client's frames and the
 * exchanges' own resets both go through the connection encoder's {@code writeRstStream}. Counted are the codes
 * that blame the peer (RFC 9113 §7): all but NO_ERROR and CANCEL (the gateway declines the rest of a stream it has
 * answered, or no longer needs it) and INTERNAL_ERROR (its own or the provider's failure, which a client cannot
 * cause cheaply and must not be blamed for). That distinction is why Netty's own encoder reset limit, which counts
 * INTERNAL_ERROR too, is off: a provider failing mid-response would end honest clients' connections. A reset the
 * codec will not write (the stream already had one) is not counted.
 *
 * <p>The window is fixed, opened by the first counted reset after the previous one expired, as Netty's inbound
 * limit counts.
 */
final class ProvokedResetLimit extends DecoratingHttp2ConnectionEncoder {
    private final int maxPerWindow;
    private final long windowNanos;
    private final NanoClock clock;
    private final Runnable onExceeded;
    private Http2LifecycleManager lifecycleManager;
    private long windowStart;
    private int inWindow;
    private boolean exceeded;

    /**
     * @param onExceeded told once the limit is passed, before the GOAWAY, so that nothing more of the connection's
     *                   streams goes upstream
     */
    ProvokedResetLimit(Http2ConnectionEncoder delegate, int maxPerWindow, long windowNanos, NanoClock clock,
                       Runnable onExceeded) {
        super(delegate);
        this.maxPerWindow = maxPerWindow;
        this.windowNanos = windowNanos;
        this.clock = clock;
        this.onExceeded = onExceeded;
    }

    @Override
    public void lifecycleManager(Http2LifecycleManager lifecycleManager) {
        this.lifecycleManager = lifecycleManager;
        super.lifecycleManager(lifecycleManager);
    }

    @Override
    public ChannelFuture writeRstStream(ChannelHandlerContext ctx, int streamId, long errorCode,
                                        ChannelPromise promise) {
        boolean counted = blamesPeer(errorCode) && !alreadyReset(streamId);
        ChannelFuture future = super.writeRstStream(ctx, streamId, errorCode, promise);
        if (counted && count() > maxPerWindow && !exceeded) {
            exceeded = true;
            onExceeded.run();
            Http2Exception calm = Http2Exception.connectionError(Http2Error.ENHANCE_YOUR_CALM,
                    "more than %d streams reset for the client's errors within %d ms", maxPerWindow,
                    windowNanos / 1_000_000);
            // As Netty's own limits do: the lifecycle manager sends GOAWAY with the error's code, then the close.
            lifecycleManager.onError(ctx, true, calm);
            ctx.close();
        }
        return future;
    }

    /** The resets in the current window, this one included. */
    private int count() {
        long now = clock.nanoTime();
        if (inWindow == 0 || now - windowStart >= windowNanos) {
            windowStart = now;
            inWindow = 0;
        }
        return ++inWindow;
    }

    private boolean alreadyReset(int streamId) {
        Http2Stream stream = connection().stream(streamId);
        return stream != null && stream.isResetSent();
    }

    static boolean blamesPeer(long errorCode) {
        return errorCode != Http2Error.NO_ERROR.code() && errorCode != Http2Error.CANCEL.code()
                && errorCode != Http2Error.INTERNAL_ERROR.code();
    }
}
