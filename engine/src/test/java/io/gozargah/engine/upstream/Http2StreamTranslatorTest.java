package io.gozargah.engine.upstream;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The request side of an HTTP/2 upstream stream: the driver's HEADERS pass as they are, its body buffers become DATA
 * frames, and END_STREAM rides on the last DATA frame when the end comes before a flush, on a frame of its own after.
 */
class Http2StreamTranslatorTest {
    private final EmbeddedChannel stream = new EmbeddedChannel(new Http2StreamTranslator(null));

    @AfterEach
    void finish() {
        assertFalse(stream.finishAndReleaseAll(), "nothing left over");
    }

    private static DefaultHttp2HeadersFrame head(boolean endStream) {
        return new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("POST").path("/x"), endStream);
    }

    private static io.netty.buffer.ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    private void assertData(String content, boolean endStream) {
        Http2DataFrame data = stream.readOutbound();
        try {
            assertEquals(content, data.content().toString(StandardCharsets.US_ASCII));
            assertEquals(endStream, data.isEndStream());
        } finally {
            data.release();
        }
    }

    @Test
    void shouldPutEndStreamOnTheLastDataFrameWithinABatch() {
        stream.write(head(false));
        stream.write(text("abc"));
        stream.write(text("def"));
        stream.write(new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true));
        stream.flush();
        Http2HeadersFrame headers = stream.readOutbound();
        assertFalse(headers.isEndStream());
        assertData("abc", false);
        assertData("def", true);
        assertNull(stream.readOutbound());
    }

    @Test
    void shouldSendHeldDataAtAFlushAndEndStreamOnItsOwnAfter() {
        stream.write(head(false));
        stream.write(text("abc"));
        stream.flush();
        assertTrue(stream.readOutbound() instanceof Http2HeadersFrame);
        assertData("abc", false);
        stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true));
        assertData("", true);
        stream.writeAndFlush(text("late")); // past the end of the stream: dropped, released
        assertNull(stream.readOutbound());
    }

    @Test
    void shouldSendTrailersAfterTheLastData() {
        stream.write(head(false));
        stream.write(text("abc"));
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("x-checksum", "1"), true));
        assertTrue(stream.readOutbound() instanceof Http2HeadersFrame);
        assertData("abc", false);
        Http2HeadersFrame trailers = stream.readOutbound();
        assertTrue(trailers.isEndStream());
        assertEquals("1", trailers.headers().get("x-checksum").toString());
    }

    @Test
    void shouldEndABodilessRequestOnItsHeaders() {
        stream.writeAndFlush(head(true));
        Http2HeadersFrame headers = stream.readOutbound();
        assertTrue(headers.isEndStream());
        stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true));
        assertNull(stream.readOutbound(), "nothing follows END_STREAM");
    }
}
