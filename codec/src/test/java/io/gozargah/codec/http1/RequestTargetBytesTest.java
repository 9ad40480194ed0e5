package io.gozargah.codec.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestTargetBytesTest {

    @Test
    void shouldAcceptExactlyTheBytesTheRequestParserAccepts() {
        for (int b = 0; b < 256; b++) {
            String target = "/a" + (char) b + "b";
            assertEquals(parserAccepts(target), RequestTargetBytes.valid(target), "byte 0x" + Integer.toHexString(b));
        }
    }

    @Test
    void shouldRefuseCharactersBeyondOneByte() {
        assertFalse(RequestTargetBytes.valid("/a\u0141b"));
        assertTrue(RequestTargetBytes.valid("/svc/a-._~!$&'()*+,;=:@%20?x=[1]/?"));
        assertTrue(RequestTargetBytes.valid(""));
    }

    private static boolean parserAccepts(String target) {
        HttpRequestParser parser = new HttpRequestParser(new Http1Limits(8192, 100, 32 * 1024, 1024));
        ByteBuf in = Unpooled.copiedBuffer("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n",
                StandardCharsets.ISO_8859_1);
        try {
            ParseResult r = parser.parse(in);
            if (r == ParseResult.ERROR) {
                return false;
            }
            assertEquals(ParseResult.HEAD, r);
            return true;
        } finally {
            in.release();
        }
    }
}
