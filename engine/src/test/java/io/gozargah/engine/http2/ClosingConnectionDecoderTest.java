package io.gozargah.engine.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2EventAdapter;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2LifecycleManager;
import io.netty.handler.codec.http2.Http2LocalFlowController;
import io.netty.handler.codec.http2.Http2Settings;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ClosingConnectionDecoderTest {
    private boolean failed;
    private final Recording inner = new Recording();
    private final ClosingConnectionDecoder decoder = new ClosingConnectionDecoder(inner, () -> failed);
    private final List<Integer> heads = new ArrayList<>();
    private final Http2FrameListener listener = new Http2EventAdapter() {
        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                                  boolean endOfStream) {
            heads.add(streamId);
        }
    };

    @Test
    void shouldReadAsUsualUntilTheConnectionFails() throws Http2Exception {
        decoder.frameListener(listener);
        assertSame(listener, decoder.frameListener(), "the codec sees its own listener");
        ByteBuf in = Unpooled.wrappedBuffer(new byte[10]);
        decoder.decodeFrame(null, in, List.of());
        assertEquals(1, inner.decoded);
        inner.listener.onHeadersRead(null, 1, new DefaultHttp2Headers(), 0, true);
        assertEquals(List.of(1), heads);
    }

    @Test
    void shouldSkipWhatIsLeftAndOpenNoStreamOnceFailed() throws Http2Exception {
        decoder.frameListener(listener);
        failed = true;
        ByteBuf in = Unpooled.wrappedBuffer(new byte[10]);
        decoder.decodeFrame(null, in, List.of());
        assertEquals(0, inner.decoded);
        assertEquals(0, in.readableBytes(), "the rest of the batch is skipped");

        // A HEADERS already being read when the connection failed stops the reader with a connection error.
        Http2Exception e = assertThrows(Http2Exception.class,
                () -> inner.listener.onHeadersRead(null, 3, new DefaultHttp2Headers(), 0, true));
        assertEquals(Http2Error.ENHANCE_YOUR_CALM, e.error());
        assertThrows(Http2Exception.class, () -> inner.listener.onHeadersRead(null, 5, new DefaultHttp2Headers(), 0,
                (short) 16, false, 0, true));
        assertEquals(List.of(), heads);
    }

    /** The decoder underneath: counts decode calls and holds the listener it was given. */
    private static final class Recording implements Http2ConnectionDecoder {
        int decoded;
        Http2FrameListener listener;

        @Override
        public void decodeFrame(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            decoded++;
            in.skipBytes(in.readableBytes());
        }

        @Override
        public void frameListener(Http2FrameListener listener) {
            this.listener = listener;
        }

        @Override
        public Http2FrameListener frameListener() {
            return listener;
        }

        @Override
        public void lifecycleManager(Http2LifecycleManager lifecycleManager) {
        }

        @Override
        public Http2Connection connection() {
            return null;
        }

        @Override
        public Http2LocalFlowController flowController() {
            return null;
        }

        @Override
        public Http2Settings localSettings() {
            return null;
        }

        @Override
        public boolean prefaceReceived() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
