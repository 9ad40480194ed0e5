package io.gozargah.engine.http2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DecoratingHttp2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Headers;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Reads nothing more of a connection once it has failed. Netty's frame reader stops by itself after a connection
 * error raised while reading (the inbound flood limits), but not after one raised while writing, as
 * {@link ProvokedResetLimit}'s is: the reader would go on through the rest of the read batch, and a batch can
 * hold thousands of the attacker's streams, each opened, given a stream channel and answered for nothing while
 * the connection closes. Here the next frame read fails the reader instead, and a HEADERS read in the middle
 * of a frame sequence raises a connection error, which stops the reader as Netty's own limits do.
 */
final class ClosingConnectionDecoder extends DecoratingHttp2ConnectionDecoder {
    private final BooleanSupplier failed;

    ClosingConnectionDecoder(Http2ConnectionDecoder delegate, BooleanSupplier failed) {
        super(delegate);
        this.failed = failed;
    }

    @Override
    public void decodeFrame(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Http2Exception {
        if (failed.getAsBoolean()) {
            in.skipBytes(in.readableBytes());
            return;
        }
        super.decodeFrame(ctx, in, out);
    }

    @Override
    public void frameListener(Http2FrameListener listener) {
        super.frameListener(listener == null ? null : new StreamGate(listener));
    }

    @Override
    public Http2FrameListener frameListener() {
        Http2FrameListener listener = super.frameListener();
        return listener instanceof StreamGate ? ((StreamGate) listener).inner() : listener;
    }

    /** Lets no stream open on a failed connection. */
    private final class StreamGate extends Http2FrameListenerDecorator {
        StreamGate(Http2FrameListener listener) {
            super(listener);
        }

        Http2FrameListener inner() {
            return listener;
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                                  boolean endOfStream) throws Http2Exception {
            refuseIfFailed();
            super.onHeadersRead(ctx, streamId, headers, padding, endOfStream);
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                                  short weight, boolean exclusive, int padding, boolean endOfStream)
                throws Http2Exception {
            refuseIfFailed();
            super.onHeadersRead(ctx, streamId, headers, streamDependency, weight, exclusive, padding, endOfStream);
        }

        private void refuseIfFailed() throws Http2Exception {
            if (failed.getAsBoolean()) {
                throw Http2Exception.connectionError(Http2Error.ENHANCE_YOUR_CALM, "the connection is closing");
            }
        }
    }
}
