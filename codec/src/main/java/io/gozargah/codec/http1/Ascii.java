package io.gozargah.codec.http1;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;

/** Byte classes of RFC 9110 §5.6 and RFC 9112 and allocation-free comparisons over {@link ByteBuf}s. */
final class Ascii {

    static final byte CR = '\r';
    static final byte LF = '\n';
    static final byte SP = ' ';
    static final byte HTAB = '\t';
    static final byte COLON = ':';
    static final byte COMMA = ',';
    static final byte SEMICOLON = ';';

    private static final boolean[] TCHAR = new boolean[256];
    private static final boolean[] TARGET_CHAR = new boolean[256];

    static {
        // RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_"
        // / "`" / "|" / "~" / DIGIT / ALPHA
        for (char c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
        // RFC 3986 §2: unreserved, sub-delims, gen-delims other than '#', and '%' of pct-encoded. Everything
        // else (CTLs, SP, '"', '<', '>', '\', '^', '`', '{', '|', '}', non-ASCII, and the fragment's '#',
        // which a client never sends, RFC 9112 §3.2) is not a request-target byte.
        for (char c = '0'; c <= '9'; c++) {
            TARGET_CHAR[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TARGET_CHAR[c] = true;
            TARGET_CHAR[c - 32] = true;
        }
        for (char c : "-._~!$&'()*+,;=:@/?%[]".toCharArray()) {
            TARGET_CHAR[c] = true;
        }
    }

    private Ascii() {
    }

    static boolean isTchar(byte b) {
        return TCHAR[b & 0xFF];
    }

    static boolean isTargetChar(byte b) {
        return TARGET_CHAR[b & 0xFF];
    }

    static boolean isOws(byte b) {
        return b == SP || b == HTAB;
    }

    /** field-vchar = VCHAR / obs-text (RFC 9110 §5.5): every byte but CTLs, SP and DEL. */
    static boolean isFieldVchar(byte b) {
        int u = b & 0xFF;
        return u > 0x20 && u != 0x7F;
    }

    static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    static int hexValue(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }

    static byte toLower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }

    /** Whether {@code name.length()} bytes at {@code start} equal {@code name}, ignoring ASCII case. */
    static boolean equalsIgnoreCase(ByteBuf buf, int start, AsciiString name) {
        int length = name.length();
        for (int k = 0; k < length; k++) {
            if (toLower(buf.getByte(start + k)) != toLower(name.byteAt(k))) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code length} bytes at {@code start} equal {@code name} exactly (case-sensitive). */
    static boolean equalsExactly(ByteBuf buf, int start, int length, AsciiString name) {
        if (length != name.length()) {
            return false;
        }
        for (int k = 0; k < length; k++) {
            if (buf.getByte(start + k) != name.byteAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code length} bytes at {@code a} in {@code x} equal those at {@code b} in {@code y}, ignoring ASCII case. */
    static boolean equalsIgnoreCase(ByteBuf x, int a, int length, ByteBuf y, int b) {
        for (int k = 0; k < length; k++) {
            if (toLower(x.getByte(a + k)) != toLower(y.getByte(b + k))) {
                return false;
            }
        }
        return true;
    }
}
