package io.gozargah.codec.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.AsciiString;

/**
 * Encoders for heads the gateway forwards or makes: start lines, single fields, untouched fields copied
 * byte for byte, and chunk framing. All write into a caller-owned buffer; none allocates.
 */
public final class Http1Writer {

    private static final byte SP = ' ';
    private static final short CRLF = ('\r' << 8) | '\n';
    private static final AsciiString HTTP_1_1_SP = AsciiString.cached("HTTP/1.1 ");
    private static final AsciiString REQUEST_LINE_END = AsciiString.cached(" HTTP/1.1\r\n");
    private static final AsciiString COLON_SP = AsciiString.cached(": ");
    private static final byte[] HEX = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
    private static final int MAX_LONG_DIGITS = 20;

    private Http1Writer() {
    }

    /** {@code METHOD SP} copied from the parsed head (works for extension methods). */
    public static void writeMethod(ByteBuf out, RequestHead head) {
        out.writeBytes(head.buffer(), head.methodStart(), head.methodLength());
        out.writeByte(SP);
    }

    /** {@code SP HTTP/1.1 CRLF}: the gateway always speaks HTTP/1.1 to upstreams. */
    public static void writeRequestLineEnd(ByteBuf out) {
        ByteBufUtil.copy(REQUEST_LINE_END, out);
    }

    /** {@code HTTP/1.1 SP status SP reason CRLF} with a standard reason phrase for the status. */
    public static void writeStatusLine(ByteBuf out, int status) {
        ByteBufUtil.copy(HTTP_1_1_SP, out);
        writeStatusCode(out, status);
        out.writeByte(SP);
        ByteBufUtil.copy(ReasonPhrases.of(status), out);
        writeCrlf(out);
    }

    /** {@code HTTP/1.1 SP status SP <reason bytes copied from head> CRLF}. */
    public static void writeStatusLine(ByteBuf out, ResponseHead head) {
        ByteBufUtil.copy(HTTP_1_1_SP, out);
        writeStatusCode(out, head.status());
        out.writeByte(SP);
        out.writeBytes(head.buffer(), head.reasonStart(), head.reasonLength());
        writeCrlf(out);
    }

    /** Copy every field of {@code headers} for which {@code keep} answers true, raw bytes as received. */
    public static void copyHeaders(ByteBuf out, HeaderBlock headers, HeaderFilter keep) {
        // Field lines lie back to back in the input: copy each run of kept lines in one go.
        int runStart = -1;
        int runEnd = -1;
        for (int i = 0; i < headers.size(); i++) {
            if (keep.keep(headers, i)) {
                int start = headers.lineStart(i);
                if (start != runEnd) {
                    if (runStart >= 0) {
                        out.writeBytes(headers.buffer(), runStart, runEnd - runStart);
                    }
                    runStart = start;
                }
                runEnd = headers.lineEnd(i);
            }
        }
        if (runStart >= 0) {
            out.writeBytes(headers.buffer(), runStart, runEnd - runStart);
        }
    }

    /** Copy field {@code i} raw. */
    public static void copyHeader(ByteBuf out, HeaderBlock headers, int i) {
        int start = headers.lineStart(i);
        out.writeBytes(headers.buffer(), start, headers.lineEnd(i) - start);
    }

    public static void writeHeader(ByteBuf out, AsciiString name, AsciiString value) {
        writeName(out, name);
        ByteBufUtil.copy(value, out);
        writeCrlf(out);
    }

    /** Value as ASCII; the caller guarantees it holds no CR, LF or NUL. */
    public static void writeHeader(ByteBuf out, AsciiString name, CharSequence value) {
        writeName(out, name);
        ByteBufUtil.writeAscii(out, value);
        writeCrlf(out);
    }

    public static void writeHeader(ByteBuf out, AsciiString name, long value) {
        writeName(out, name);
        writeDecimal(out, value);
        writeCrlf(out);
    }

    /** {@code name: <bytes [start, start+len) of src>} CRLF. */
    public static void writeHeader(ByteBuf out, AsciiString name, ByteBuf src, int start, int len) {
        writeName(out, name);
        out.writeBytes(src, start, len);
        writeCrlf(out);
    }

    /** The empty line that ends a head or trailer section. */
    public static void writeCrlf(ByteBuf out) {
        out.writeShort(CRLF);
    }

    /** {@code <hex size> CRLF} (size &gt; 0). */
    public static void writeChunkHeader(ByteBuf out, int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("chunk size must be positive: " + size);
        }
        int digits = (Integer.SIZE - Integer.numberOfLeadingZeros(size) + 3) / 4;
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            out.writeByte(HEX[(size >>> shift) & 0xF]);
        }
        writeCrlf(out);
    }

    /** {@code 0 CRLF} (trailers, if any, and the final CRLF follow). */
    public static void writeLastChunk(ByteBuf out) {
        out.writeByte('0');
        writeCrlf(out);
    }

    private static void writeName(ByteBuf out, AsciiString name) {
        ByteBufUtil.copy(name, out);
        ByteBufUtil.copy(COLON_SP, out);
    }

    /** Three digits, as RFC 9110 §15 requires of a status code. */
    private static void writeStatusCode(ByteBuf out, int status) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("not a three-digit status code: " + status);
        }
        out.writeByte('0' + status / 100);
        out.writeByte('0' + status / 10 % 10);
        out.writeByte('0' + status % 10);
    }

    /** Decimal digits of a non-negative value, written in place without a String. */
    private static void writeDecimal(ByteBuf out, long value) {
        if (value < 0) {
            throw new IllegalArgumentException("negative field value: " + value);
        }
        int digits = 1;
        for (long rest = value / 10; rest != 0; rest /= 10) {
            digits++;
        }
        out.ensureWritable(Math.min(digits, MAX_LONG_DIGITS));
        int end = out.writerIndex() + digits;
        long rest = value;
        for (int at = end - 1; at >= out.writerIndex(); at--) {
            out.setByte(at, (int) ('0' + rest % 10));
            rest /= 10;
        }
        out.writerIndex(end);
    }

    /** Filter for {@link #copyHeaders}. */
    @FunctionalInterface
    public interface HeaderFilter {
        boolean keep(HeaderBlock headers, int i);
    }
}
