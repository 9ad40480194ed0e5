package io.gozargah.codec.http1;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class Http1WriterTest {

    @Test
    void shouldWriteRequestLineAndCopyFieldsRawExceptHopByHop() {
        ByteBuf in = PooledByteBufAllocator.DEFAULT.heapBuffer();
        try {
            in.writeCharSequence("PROPFIND /x HTTP/1.0\r\nHost: a\r\nConnection: x-hop\r\nX-Hop: 1\r\nAccept:  */*  \r\n\r\n",
                    ISO_8859_1);
            HttpRequestParser parser = new HttpRequestParser(Http1Limits.defaults());
            assertEquals(ParseResult.HEAD, parser.parse(in));
            RequestHead head = parser.head();
            assertEquals("PROPFIND /x HTTP/1.1\r\nHost: a\r\nAccept:  */*  \r\n", written(out -> {
                Http1Writer.writeMethod(out, head);
                out.writeBytes(head.buffer(), head.targetStart(), head.targetLength());
                Http1Writer.writeRequestLineEnd(out);
                Http1Writer.copyHeaders(out, head.headers(), (h, i) -> !h.hopByHop(i));
            }));
        } finally {
            in.release();
        }
    }

    @Test
    void shouldWriteStatusLinesFieldsAndChunkFraming() {
        assertEquals("HTTP/1.1 431 Request Header Fields Too Large\r\nHTTP/1.1 299 \r\n", written(out -> {
            Http1Writer.writeStatusLine(out, 431);
            Http1Writer.writeStatusLine(out, 299);
        }));
        assertEquals("Content-Length: 9223372036854775807\r\nContent-Length: 0\r\nX-Gozargah-Consumer: snapp\r\n"
                + "X-Forwarded-Proto: https\r\n\r\n", written(out -> {
                    Http1Writer.writeHeader(out, KnownHeaders.NAME_CONTENT_LENGTH, Long.MAX_VALUE);
                    Http1Writer.writeHeader(out, KnownHeaders.NAME_CONTENT_LENGTH, 0);
                    Http1Writer.writeHeader(out, KnownHeaders.NAME_X_GOZARGAH_CONSUMER, "snapp");
                    Http1Writer.writeHeader(out, KnownHeaders.NAME_X_FORWARDED_PROTO, io.netty.util.AsciiString.of("https"));
                    Http1Writer.writeCrlf(out);
                }));
        assertEquals("1\r\nff\r\n7fffffff\r\n0\r\n", written(out -> {
            Http1Writer.writeChunkHeader(out, 1);
            Http1Writer.writeChunkHeader(out, 255);
            Http1Writer.writeChunkHeader(out, Integer.MAX_VALUE);
            Http1Writer.writeLastChunk(out);
        }));
    }

    @Test
    void shouldCopyTheReasonOfAParsedResponse() {
        ByteBuf in = PooledByteBufAllocator.DEFAULT.heapBuffer();
        try {
            in.writeCharSequence("HTTP/1.0 200 Fine Thanks\r\nContent-Length: 0\r\n\r\n", ISO_8859_1);
            HttpResponseParser parser = new HttpResponseParser(Http1Limits.defaults());
            parser.expectResponseTo(HttpMethod.GET);
            assertEquals(ParseResult.HEAD, parser.parse(in));
            assertEquals("HTTP/1.1 200 Fine Thanks\r\n", written(out -> Http1Writer.writeStatusLine(out, parser.head())));
        } finally {
            in.release();
        }
    }

    private static String written(Consumer<ByteBuf> write) {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer();
        try {
            write.accept(out);
            return out.toString(ISO_8859_1);
        } finally {
            out.release();
        }
    }
}
