package io.gozargah.codec.http1;

import io.netty.util.AsciiString;

/** Methods recognised without allocating; anything else that is a valid token is {@link #OTHER}. */
public enum HttpMethod {
    GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, TRACE, CONNECT, OTHER;

    private final AsciiString ascii = AsciiString.cached(name());

    /** The method name as bytes (for OTHER: "OTHER", which callers must not write; copy the token instead). */
    public AsciiString ascii() {
        return ascii;
    }
}
