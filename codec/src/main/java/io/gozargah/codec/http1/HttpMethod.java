package io.gozargah.codec.http1;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;

/** Methods recognised without allocating; anything else that is a valid token is {@link #OTHER}. */
public enum HttpMethod {
    GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, TRACE, CONNECT, OTHER;

    private static final HttpMethod[] KNOWN = {GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, TRACE, CONNECT};

    private final AsciiString ascii = AsciiString.cached(name());

    /** The method name as bytes (for OTHER: "OTHER", which callers must not write; copy the token instead). */
    public AsciiString ascii() {
        return ascii;
    }

    /** The method whose name is exactly (methods are case-sensitive, RFC 9110 §9.1) the token at {@code start}. */
    static HttpMethod of(ByteBuf buf, int start, int length) {
        for (HttpMethod m : KNOWN) {
            if (Ascii.equalsExactly(buf, start, length, m.ascii)) {
                return m;
            }
        }
        return OTHER;
    }
}
