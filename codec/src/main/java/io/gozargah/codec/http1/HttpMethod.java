package io.gozargah.codec.http1;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;

/** Methods recognised without allocating; anything else that is a valid token is {@link #OTHER}. */
public enum HttpMethod {
    GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, TRACE, CONNECT, OTHER;

    private static final HttpMethod[] KNOWN = {GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, TRACE, CONNECT};

    private static final int GET_MEDIUM = 'G' << 16 | 'E' << 8 | 'T';
    private static final int POST_INT = 'P' << 24 | 'O' << 16 | 'S' << 8 | 'T';

    private final AsciiString ascii = AsciiString.cached(name());

    /** The method name as bytes (for OTHER: "OTHER", which callers must not write; copy the token instead). */
    public AsciiString ascii() {
        return ascii;
    }

    /** The method whose name is exactly (methods are case-sensitive, RFC 9110 §9.1) the token at {@code start}. */
    static HttpMethod of(ByteBuf buf, int start, int length) {
        // The two methods nearly every request has, in one read each.
        if (length == 3 && buf.getMedium(start) == GET_MEDIUM) {
            return GET;
        }
        if (length == 4 && buf.getInt(start) == POST_INT) {
            return POST;
        }
        for (HttpMethod m : KNOWN) {
            if (Ascii.equalsExactly(buf, start, length, m.ascii)) {
                return m;
            }
        }
        return OTHER;
    }
}
