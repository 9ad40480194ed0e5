package io.gozargah.engine.upstream;

import io.gozargah.codec.http1.HeaderBlock;
import io.gozargah.codec.http1.Http1Limits;
import io.gozargah.codec.http1.HttpMethod;
import io.gozargah.codec.http1.ResponseHead;
import io.gozargah.engine.admission.NanoClock;
import io.gozargah.engine.config.EndpointConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Response backpressure on one upstream connection: the listener's client turns unwritable in the middle of a
 * delivery, as a real client's channel does when a write passes its high-water mark, and writable again later.
 */
class UpstreamConnectionTest {
    /** The exchange's end as the listener hands it over: what the connection is idle since in the pool. */
    private static final long END_NANOS = 123_456_789L;
    private EmbeddedChannel channel;
    private UpstreamConnection connection;
    private UpstreamPool pool;
    private final Listener listener = new Listener();

    /**
     * Writes down what the exchange is told; every content delivery fills the client up, and a complete
     * response gives the connection back.
     */
    private final class Listener implements UpstreamListener {
        final List<String> events = new ArrayList<>();
        final StringBuilder body = new StringBuilder();

        @Override
        public void onResponseHead(ResponseHead head) {
            events.add("head " + head.status());
        }

        @Override
        public void onResponseContent(ByteBuf in, int length) {
            body.append(in.readCharSequence(length, StandardCharsets.US_ASCII));
            events.add("content " + length);
            connection.setClientWritable(false);
        }

        @Override
        public void onResponseComplete(HeaderBlock trailers) {
            events.add("complete");
            connection.release(true, END_NANOS); // as an exchange does: the connection goes back to the pool
        }

        @Override
        public void onUpstreamFailure(boolean responseStarted, String detail) {
            events.add("failure " + detail);
        }

        @Override
        public void onUpstreamReadComplete() {
            events.add("flush");
        }

        @Override
        public void onUpstreamWritabilityChanged(boolean writable) {
        }
    }

    @BeforeEach
    void open() {
        channel = new EmbeddedChannel();
        UpstreamEndpoint endpoint = new UpstreamEndpoint(new EndpointConfig("http", "127.0.0.1", 9, ""),
                1000, 4, 60_000_000_000L);
        pool = new UpstreamPool(channel.eventLoop(), endpoint, NioSocketChannel.class,
                Http1Limits.defaults(), WriteBufferWaterMark.DEFAULT, NanoClock.SYSTEM);
        connection = new UpstreamConnection(pool, Http1Limits.defaults());
        channel.pipeline().addLast(connection);
        connection.bind(listener, HttpMethod.GET);
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private void receive(String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.US_ASCII));
    }

    @Test
    void shouldCompleteAFixedLengthResponseWhoseLastBytesFilledTheClientOnceItCanTakeMore() {
        receive("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789");
        assertEquals(List.of("head 200", "content 10", "flush"), listener.events);
        assertFalse(channel.config().isAutoRead(), "the upstream is not read while the client is full");

        listener.events.clear();
        connection.setClientWritable(true);

        // The whole body had arrived: nothing more will come from the upstream to finish the response.
        assertEquals(List.of("complete"), listener.events);
        assertEquals("0123456789", listener.body.toString());
        assertEquals(END_NANOS, connection.idleSinceNanos(), "idle since the exchange's end, not a new reading");
    }

    @Test
    void shouldFlushWhatItDeliversOnResumingWhenTheResponseIsNotYetWhole() {
        receive("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\nworld\r\n");
        assertEquals(List.of("head 200", "content 5", "flush"), listener.events);

        listener.events.clear();
        connection.setClientWritable(true);

        // "world" was held in the connection's buffer: it is handed on and flushed, with no upstream read.
        assertEquals(List.of("content 5", "flush"), listener.events);
        assertEquals("helloworld", listener.body.toString());
        assertFalse(channel.config().isAutoRead());

        connection.setClientWritable(true);
        listener.events.clear();
        receive("0\r\n\r\n");
        assertEquals(List.of("complete"), listener.events);
        assertTrue(channel.config().isAutoRead());
    }

    @Test
    void shouldDeliverNothingOnResumingWhenNoResponseByteHasArrived() {
        connection.setClientWritable(false);
        connection.setClientWritable(true);

        assertEquals(List.of("flush"), listener.events);
        assertTrue(channel.config().isAutoRead());
        receive("HTTP/1.1 204 No Content\r\n\r\n");
        assertEquals(List.of("flush", "head 204", "complete"), listener.events);
    }

    private static final long SECOND = 1_000_000_000L;

    @Test
    void shouldStopReusingAConnectionBeforeTheProvidersKeepAliveTimeout() {
        receive("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nKeep-Alive: timeout=4, max=50\r\n\r\n");
        assertEquals(List.of("head 200", "complete"), listener.events);
        assertEquals(1, pool.idle(), "back in the pool");
        // 4 s less a margin of 1 s: never sent on as the provider is about to drop it.
        assertTrue(connection.reusableAt(END_NANOS + 3 * SECOND - 1));
        assertFalse(connection.reusableAt(END_NANOS + 3 * SECOND));
    }

    @Test
    void shouldKeepTheEndpointsIdleTimeoutWithoutAKeepAliveField() {
        receive("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        assertTrue(connection.reusableAt(END_NANOS + 60 * SECOND - 1));
        assertFalse(connection.reusableAt(END_NANOS + 60 * SECOND));
    }

    @Test
    void shouldTakeAShortKeepAliveTimeoutWithAProportionateMargin() {
        receive("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nKeep-Alive: timeout=1\r\n\r\n");
        assertTrue(connection.reusableAt(END_NANOS + 750_000_000L - 1), "a quarter of 1 s as margin");
        assertFalse(connection.reusableAt(END_NANOS + 750_000_000L));
    }

    @Test
    void shouldCloseRatherThanReuseWhenTheProviderTakesNoMoreThanOneMoreRequest() {
        receive("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nKeep-Alive: timeout=5, max=1\r\n\r\n");
        assertEquals(List.of("head 200", "complete"), listener.events);
        assertEquals(0, pool.idle(), "never pooled");
        assertFalse(channel.isOpen(), "closed: the provider's last request is not one to race its close with");
    }

    @Test
    void shouldReuseWhileTheProvidersMaxLeavesRoom() {
        receive("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nKeep-Alive: max=2\r\n\r\n");
        assertEquals(1, pool.idle());
        assertTrue(channel.isOpen());
    }
}
