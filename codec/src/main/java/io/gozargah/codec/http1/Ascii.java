package io.gozargah.codec.http1;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;
import io.netty.util.ByteProcessor;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

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
    private static final boolean[] TCHAR_BUT_UNDERSCORE = new boolean[256];
    private static final boolean[] TARGET_CHAR = new boolean[256];
    private static final boolean[] FIELD_CONTENT = new boolean[256];

    /** ORed into ASCII letters, makes them lower case; see {@link #equalsLowerName}. */
    private static final long LOWER_LONG = 0x2020202020202020L;
    private static final int LOWER_INT = 0x20202020;
    /** Big-endian, as {@link ByteBuf#getLong} and {@link ByteBuf#getInt} read. */
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

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
        System.arraycopy(TCHAR, 0, TCHAR_BUT_UNDERSCORE, 0, TCHAR.length);
        TCHAR_BUT_UNDERSCORE['_'] = false;
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
        // RFC 9110 §5.5: field-value bytes after the leading OWS, field-vchar and the OWS between them.
        for (int b = 0; b < 256; b++) {
            FIELD_CONTENT[b] = isOws((byte) b) || isFieldVchar((byte) b);
        }
    }

    /**
     * Runs of one byte class, found with {@link ByteBuf#forEachByte(int, int, ByteProcessor)}: the buffer
     * checks bounds and liveness once per run instead of once per byte. One class for every byte class, so
     * the buffer's loop sees a single processor type and can inline it.
     */
    static final class Run implements ByteProcessor {
        private final boolean[] member;

        private Run(boolean[] member) {
            this.member = member;
        }

        @Override
        public boolean process(byte b) {
            return member[b & 0xFF];
        }
    }

    static final Run TCHARS = new Run(TCHAR);
    /** tchar without '_': a field name's first run, so that a name holding '_' is noticed at no extra cost. */
    static final Run TCHARS_BUT_UNDERSCORE = new Run(TCHAR_BUT_UNDERSCORE);
    static final Run TARGET_CHARS = new Run(TARGET_CHAR);
    /** field-vchar and OWS: what a field value (or a reason phrase) may hold once its leading OWS is skipped. */
    static final Run FIELD_CONTENT_CHARS = new Run(FIELD_CONTENT);

    private Ascii() {
    }

    static boolean isTchar(byte b) {
        return TCHAR[b & 0xFF];
    }

    static boolean isOws(byte b) {
        return b == SP || b == HTAB;
    }

    /** field-vchar = VCHAR / obs-text (RFC 9110 §5.5): every byte but CTLs, SP and DEL. */
    static boolean isFieldVchar(byte b) {
        int u = b & 0xFF;
        return u > 0x20 && u != 0x7F;
    }

    /** The index of the first byte in {@code [from, to)} outside {@code run}'s class, or {@code to}. */
    static int endOfRun(ByteBuf buf, int from, int to, Run run) {
        if (from >= to) {
            return to;
        }
        int i = buf.forEachByte(from, to - from, run);
        return i < 0 ? to : i;
    }

    /**
     * {@link #endOfRun} for {@link #FIELD_CONTENT_CHARS}, eight bytes at a time: field values are most of
     * a head, and most of their words hold no CTL and no DEL, which two SWAR tests show at once. A word
     * that holds one (HTAB is a CTL too), and whatever is left after it, is looked at byte by byte.
     */
    static int endOfFieldContent(ByteBuf buf, int from, int to) {
        int i = from;
        if (to - from >= Long.BYTES) {
            int lastWord = to - Long.BYTES;
            while (i < lastWord && isPlainText(buf.getLong(i))) {
                i += Long.BYTES;
            }
            if (i >= lastWord && isPlainText(buf.getLong(lastWord))) {
                return to;
            }
        }
        return endOfRun(buf, i, to, FIELD_CONTENT_CHARS);
    }

    /**
     * Whether no byte of {@code word} is below SP or equal to DEL (bytes of 0x80 and above pass): the
     * "has less than" and "has zero byte" tests of Bit Twiddling Hacks, exact as yes/no answers.
     */
    private static boolean isPlainText(long word) {
        long ctl = (word - 0x2020202020202020L) & ~word;
        long del = word ^ 0x7F7F7F7F7F7F7F7FL;
        del = (del - 0x0101010101010101L) & ~del;
        return ((ctl | del) & 0x8080808080808080L) == 0;
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

    /**
     * Whether {@code lower.length} bytes at {@code start} equal {@code lower}, ignoring ASCII case, read
     * eight or four bytes at a time. {@code lower} must be lower case and hold only letters, digits and
     * '-', and the bytes at {@code start} must be known to hold no CTL other than HTAB (a validated token
     * or field value). Then ORing 0x20 into a byte is exact: it lower-cases letters, maps no other byte to
     * a letter, and maps to '-' or a digit only CTLs (CR, 0x10 to 0x19), which are excluded.
     */
    static boolean equalsLowerName(ByteBuf buf, int start, byte[] lower) {
        int n = lower.length;
        if (n >= Long.BYTES) {
            int last = n - Long.BYTES;
            for (int k = 0; k < last; k += Long.BYTES) {
                if ((buf.getLong(start + k) | LOWER_LONG) != (long) LONG_BE.get(lower, k)) {
                    return false;
                }
            }
            return (buf.getLong(start + last) | LOWER_LONG) == (long) LONG_BE.get(lower, last);
        }
        if (n >= Integer.BYTES) {
            return (buf.getInt(start) | LOWER_INT) == (int) INT_BE.get(lower, 0)
                    && (buf.getInt(start + n - Integer.BYTES) | LOWER_INT) == (int) INT_BE.get(lower, n - Integer.BYTES);
        }
        for (int k = 0; k < n; k++) {
            if ((buf.getByte(start + k) | 0x20) != lower[k]) {
                return false;
            }
        }
        return true;
    }

    /** {@code name} in lower case, for {@link #equalsLowerName}; checks that it holds only letters, digits and '-'. */
    static byte[] lowerName(AsciiString name) {
        byte[] lower = name.toLowerCase().toByteArray();
        for (byte b : lower) {
            if (!(b >= 'a' && b <= 'z' || isDigit(b) || b == '-')) {
                throw new IllegalArgumentException("not a plain name: " + name);
            }
        }
        return lower;
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
