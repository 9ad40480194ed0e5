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
        UpstreamPool pool = new UpstreamPool(channel.eventLoop(), endpoint, NioSocketChannel.class,
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
}
