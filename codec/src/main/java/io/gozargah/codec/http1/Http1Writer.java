package io.gozargah.codec.http1;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;

/**
 * Encoders for heads the gateway forwards or makes: start lines, single fields, untouched fields copied
 * byte for byte, and chunk framing. All write into a caller-owned buffer; none allocates.
 */
public final class Http1Writer {

    private Http1Writer() {
    }

    /** {@code METHOD SP} copied from the parsed head (works for extension methods). */
    public static void writeMethod(ByteBuf out, RequestHead head) {
        throw new UnsupportedOperationException();
    }

    /** {@code SP HTTP/1.1 CRLF}: the gateway always speaks HTTP/1.1 to upstreams. */
    public static void writeRequestLineEnd(ByteBuf out) {
        throw new UnsupportedOperationException();
    }

    /** {@code HTTP/1.1 SP status SP reason CRLF} with a standard reason phrase for the status. */
    public static void writeStatusLine(ByteBuf out, int status) {
        throw new UnsupportedOperationException();
    }

    /** {@code HTTP/1.1 SP status SP <reason bytes copied from head> CRLF}. */
    public static void writeStatusLine(ByteBuf out, ResponseHead head) {
        throw new UnsupportedOperationException();
    }

    /** Copy every field of {@code headers} for which {@code keep} answers true, raw bytes as received. */
    public static void copyHeaders(ByteBuf out, HeaderBlock headers, HeaderFilter keep) {
        throw new UnsupportedOperationException();
    }

    /** Copy field {@code i} raw. */
    public static void copyHeader(ByteBuf out, HeaderBlock headers, int i) {
        throw new UnsupportedOperationException();
    }

    public static void writeHeader(ByteBuf out, AsciiString name, AsciiString value) {
        throw new UnsupportedOperationException();
    }

    /** Value as ASCII; the caller guarantees it holds no CR, LF or NUL. */
    public static void writeHeader(ByteBuf out, AsciiString name, CharSequence value) {
        throw new UnsupportedOperationException();
    }

    public static void writeHeader(ByteBuf out, AsciiString name, long value) {
        throw new UnsupportedOperationException();
    }

    /** {@code name: <bytes [start, start+len) of src>} CRLF. */
    public static void writeHeader(ByteBuf out, AsciiString name, ByteBuf src, int start, int len) {
        throw new UnsupportedOperationException();
    }

    /** The empty line that ends a head or trailer section. */
    public static void writeCrlf(ByteBuf out) {
        throw new UnsupportedOperationException();
    }

    /** {@code <hex size> CRLF} (size &gt; 0). */
    public static void writeChunkHeader(ByteBuf out, int size) {
        throw new UnsupportedOperationException();
    }

    /** {@code 0 CRLF} (trailers, if any, and the final CRLF follow). */
    public static void writeLastChunk(ByteBuf out) {
        throw new UnsupportedOperationException();
    }

    /** Filter for {@link #copyHeaders}. */
    @FunctionalInterface
    public interface HeaderFilter {
        boolean keep(HeaderBlock headers, int i);
    }
}
