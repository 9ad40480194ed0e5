package io.gozargah.codec.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeepAliveParametersTest {

    private static KeepAliveParameters read(String fields) {
        HttpResponseParser parser = new HttpResponseParser(Http1Limits.defaults());
        parser.expectResponseTo(HttpMethod.GET);
        ByteBuf in = Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n" + fields + "\r\n",
                StandardCharsets.US_ASCII);
        try {
            assertEquals(ParseResult.HEAD, parser.parse(in));
            return new KeepAliveParameters().read(parser.head().headers());
        } finally {
            in.release();
        }
    }

    @Test
    void shouldReadTimeoutAndMax() {
        KeepAliveParameters p = read("Keep-Alive: timeout=5, max=100\r\n");
        assertEquals(5, p.timeoutSeconds());
        assertEquals(100, p.max());
    }

    @Test
    void shouldReadCaseInsensitiveQuotedAndSpacedParameters() {
        KeepAliveParameters p = read("keep-alive: MAX = \"3\" ,Timeout=15\r\n");
        assertEquals(15, p.timeoutSeconds());
        assertEquals(3, p.max());
    }

    @Test
    void shouldReportMissingParametersAsUnknown() {
        KeepAliveParameters none = read("Connection: keep-alive\r\n");
        assertEquals(-1, none.timeoutSeconds());
        assertEquals(-1, none.max());
        KeepAliveParameters onlyMax = read("Keep-Alive: max=7\r\n");
        assertEquals(-1, onlyMax.timeoutSeconds());
        assertEquals(7, onlyMax.max());
    }

    @Test
    void shouldSkipValuesThatAreNotPlainNumbers() {
        KeepAliveParameters p = read("Keep-Alive: timeout=5s, max=-1, foo, bar=2, max=\r\n");
        assertEquals(-1, p.timeoutSeconds());
        assertEquals(-1, p.max());
    }

    @Test
    void shouldCapHugeValues() {
        KeepAliveParameters p = read("Keep-Alive: timeout=99999999999999999999\r\n");
        assertEquals(Integer.MAX_VALUE, p.timeoutSeconds());
    }
}
