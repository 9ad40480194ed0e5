package io.gozargah.engine.http2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2ConnectionEncoder;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2LifecycleManager;
import io.netty.handler.codec.http2.Http2Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The provoked-reset count, with time driven by the test. */
class ProvokedResetLimitTest {
    private static final long WINDOW = 1_000_000_000L;
    private static final int MAX = 3;

    private final List<Throwable> errors = new ArrayList<>();
    private final List<Long> written = new ArrayList<>();
    private EmbeddedChannel channel;
    private ChannelHandlerContext ctx;
    private DefaultHttp2Connection connection;
    private ProvokedResetLimit limit;
    private long now;
    private int exceeded;

    @BeforeEach
    void setUp() {
        channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        ctx = channel.pipeline().firstContext();
        connection = new DefaultHttp2Connection(true);
        limit = new ProvokedResetLimit(new DefaultHttp2ConnectionEncoder(connection, new DefaultHttp2FrameWriter()),
                MAX, WINDOW, () -> now, () -> exceeded++);
        limit.lifecycleManager(new Lifecycle());
    }

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldEndTheConnectionWithEnhanceYourCalmPastTheLimitWithinAWindow() {
        for (int i = 0; i < MAX; i++) {
            reset(1 + 2 * i, Http2Error.PROTOCOL_ERROR);
            now += WINDOW / 10;
        }
        assertTrue(errors.isEmpty());
        assertTrue(channel.isOpen());

        reset(7, Http2Error.STREAM_CLOSED);
        assertEquals(1, errors.size());
        Http2Exception e = (Http2Exception) errors.get(0);
        assertEquals(Http2Error.ENHANCE_YOUR_CALM, e.error());
        assertFalse(e instanceof Http2Exception.StreamException, "a connection error");
        assertEquals(1, exceeded);
        assertFalse(channel.isOpen());
        assertEquals(4, written.size(), "the reset past the limit is still sent");

        reset(9, Http2Error.PROTOCOL_ERROR);
        assertEquals(1, errors.size(), "told once");
        assertEquals(1, exceeded);
    }

    @Test
    void shouldNotCountResetsThatBlameNobodyOrTheProvider() {
        for (int i = 0; i < 10 * MAX; i++) {
            reset(1 + 2 * i, i % 3 == 0 ? Http2Error.NO_ERROR : i % 3 == 1 ? Http2Error.CANCEL
                    : Http2Error.INTERNAL_ERROR);
        }
        assertTrue(errors.isEmpty());
        assertEquals(0, exceeded);
        assertEquals(10 * MAX, written.size());
    }

    @Test
    void shouldCountEachWindowAfresh() {
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < MAX; i++) {
                reset(1 + 2 * i, Http2Error.FLOW_CONTROL_ERROR);
            }
            now += WINDOW;
        }
        assertTrue(errors.isEmpty());
        assertTrue(channel.isOpen());
    }

    @Test
    void shouldNotCountAResetOfAStreamThatHadOne() throws Http2Exception {
        Http2Stream stream = connection.remote().createStream(1, false);
        stream.resetSent();
        for (int i = 0; i < 2 * MAX; i++) {
            reset(1, Http2Error.PROTOCOL_ERROR);
        }
        assertTrue(errors.isEmpty(), "the codec writes no second reset for a stream, so none is counted");
    }

    private void reset(int stream, Http2Error error) {
        limit.writeRstStream(ctx, stream, error.code(), ctx.newPromise());
    }

    /** Records what the connection handler would be asked to do. */
    private final class Lifecycle implements Http2LifecycleManager {
        @Override
        public void closeStreamLocal(Http2Stream stream, ChannelFuture future) {
        }

        @Override
        public void closeStreamRemote(Http2Stream stream, ChannelFuture future) {
        }

        @Override
        public void closeStream(Http2Stream stream, ChannelFuture future) {
        }

        @Override
        public ChannelFuture resetStream(ChannelHandlerContext ctx, int streamId, long errorCode,
                                         ChannelPromise promise) {
            written.add(errorCode);
            return promise.setSuccess();
        }

        @Override
        public ChannelFuture goAway(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData,
                                    ChannelPromise promise) {
            debugData.release();
            return promise.setSuccess();
        }

        @Override
        public void onError(ChannelHandlerContext ctx, boolean outbound, Throwable cause) {
            assertTrue(outbound);
            errors.add(cause);
        }
    }
}
