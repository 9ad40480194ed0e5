package io.gozargah.engine.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * One multiplexed HTTP/2 connection to an upstream endpoint, as its {@link Http2UpstreamConnections} sees it:
 * whether the peer's first SETTINGS has arrived (only then is its stream limit known), how many of our
 * streams are open against SETTINGS_MAX_CONCURRENT_STREAMS, and whether a GOAWAY has put it into draining.
 * It sits last in the connection's pipeline, after Netty's frame codec and multiplexer, and sees the
 * connection-level frames they pass on, and any failure (including a failed TLS handshake).
 */
final class Http2UpstreamConnection extends ChannelInboundHandlerAdapter {
    private final Http2UpstreamConnections owner;
    private Channel channel;
    private boolean ready;
    private boolean draining;
    /** RFC 9113 §6.5.2: unlimited until the peer says otherwise; we wait for its SETTINGS before using it. */
    private long maxStreams = Long.MAX_VALUE;
    private int streams;
    private long idleSinceNanos;
    ScheduledFuture<?> idleCheck;
    /** Why the connection could not be set up (connect, TLS, ALPN), for the exchanges waiting on it. */
    String failure;

    Http2UpstreamConnection(Http2UpstreamConnections owner) {
        this.owner = owner;
    }

    void attach(Channel channel) {
        this.channel = channel;
    }

    Channel channel() {
        return channel;
    }

    boolean ready() {
        return ready;
    }

    boolean draining() {
        return draining;
    }

    int streams() {
        return streams;
    }

    long maxStreams() {
        return maxStreams;
    }

    long idleSinceNanos() {
        return idleSinceNanos;
    }

    /** Whether a new stream may be opened now. */
    boolean hasRoom() {
        return ready && !draining && channel.isActive() && streams < maxStreams;
    }

    void streamOpened() {
        streams++;
    }

    void streamClosed(long nowNanos) {
        streams--;
        if (streams == 0) {
            idleSinceNanos = nowNanos;
        }
    }

    /** No new streams; the connection closes once its last stream is done. */
    void drain() {
        draining = true;
        if (streams == 0 && channel != null && channel.isOpen()) {
            channel.close();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof Http2SettingsFrame settings) {
                Long max = settings.settings().maxConcurrentStreams();
                if (max != null) {
                    maxStreams = max;
                }
                if (!ready) {
                    ready = true;
                    owner.connectionReady(this);
                } else {
                    owner.dispatch();
                }
            } else if (msg instanceof Http2GoAwayFrame goAway) {
                // Streams up to the last stream id finish here; those above it are closed by Netty and
                // retried by the front end where that is safe (RFC 9113 §6.8). New streams go elsewhere.
                owner.goAwayReceived(this, goAway.lastStreamId(), goAway.errorCode());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        owner.connectionFailed(this, cause);
        ctx.close();
    }
}
