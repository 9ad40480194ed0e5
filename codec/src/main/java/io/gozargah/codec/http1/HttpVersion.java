package io.gozargah.codec.http1;

import io.netty.buffer.ByteBuf;

/** HTTP-version = HTTP-name "/" DIGIT "." DIGIT (RFC 9112 §2.3), case-sensitive, HTTP/1.0 and HTTP/1.1 only. */
final class HttpVersion {

    /** Well-formed, but a version the gateway does not speak (HTTP/2.0, HTTP/1.2). */
    static final int UNSUPPORTED = -1;
    /** Not an HTTP-version at all. */
    static final int MALFORMED = -2;
    static final int LENGTH = 8;
    /** "HTTP/1.1" and "HTTP/1.0" as {@link ByteBuf#getLong} reads them. */
    private static final long HTTP_1_1 = 0x485454502F312E31L;
    private static final long HTTP_1_0 = 0x485454502F312E30L;

    private HttpVersion() {
    }

    /** The minor version (0 or 1) of the {@code length} bytes at {@code start}, or UNSUPPORTED or MALFORMED. */
    static int minor(ByteBuf in, int start, int length) {
        if (length == LENGTH) {
            long version = in.getLong(start);
            if (version == HTTP_1_1) {
                return 1;
            }
            if (version == HTTP_1_0) {
                return 0;
            }
        }
        if (length != LENGTH || in.getByte(start) != 'H' || in.getByte(start + 1) != 'T'
                || in.getByte(start + 2) != 'T' || in.getByte(start + 3) != 'P' || in.getByte(start + 4) != '/'
                || !Ascii.isDigit(in.getByte(start + 5)) || in.getByte(start + 6) != '.'
                || !Ascii.isDigit(in.getByte(start + 7))) {
            return MALFORMED;
        }
        byte major = in.getByte(start + 5);
        byte minor = in.getByte(start + 7);
        if (major != '1' || minor > '1') {
            return UNSUPPORTED;
        }
        return minor - '0';
    }
}
