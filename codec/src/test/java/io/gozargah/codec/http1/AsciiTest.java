package io.gozargah.codec.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.AsciiString;
import org.junit.jupiter.api.Test;

/** The word-at-a-time helpers against their byte-by-byte definitions, for every byte value at every position. */
class AsciiTest {

    @Test
    void fieldContentEndsAtTheFirstByteThatIsNeitherFieldVcharNorOws() {
        ByteBuf buf = Unpooled.directBuffer(26);
        try {
            for (int length = 0; length <= 24; length++) {
                for (int at = 0; at < length; at++) {
                    for (int b = 0; b < 256; b++) {
                        buf.clear().writeByte('x');
                        for (int k = 0; k < length; k++) {
                            buf.writeByte(k == at ? b : 'a' + k % 26);
                        }
                        buf.writeByte('\n');
                        int expected = 1 + length;
                        for (int k = 1; k < 1 + length; k++) {
                            byte c = buf.getByte(k);
                            if (!Ascii.isOws(c) && !Ascii.isFieldVchar(c)) {
                                expected = k;
                                break;
                            }
                        }
                        assertEquals(expected, Ascii.endOfFieldContent(buf, 1, 1 + length),
                                "byte " + b + " at " + at + " of " + length);
                    }
                }
            }
        } finally {
            buf.release();
        }
    }

    @Test
    void lowerNameCompareIsExactForTokens() {
        byte[] lower = Ascii.lowerName(AsciiString.cached("X-Forwarded-Proto"));
        ByteBuf buf = Unpooled.directBuffer(lower.length + 2);
        try {
            for (int at = 0; at < lower.length; at++) {
                for (int b = 0; b < 256; b++) {
                    if (!Ascii.isTchar((byte) b)) {
                        continue;
                    }
                    buf.clear().writeByte('!').writeBytes(lower).setByte(1 + at, b);
                    boolean expected = Ascii.toLower((byte) b) == lower[at];
                    assertEquals(expected, Ascii.equalsLowerName(buf, 1, lower), "byte " + b + " at " + at);
                }
            }
        } finally {
            buf.release();
        }
    }
}
