package io.gozargah.codec.http1;

import io.netty.buffer.ByteBuf;

/**
 * A parsed response head as offsets into the parser's input buffer; same lifetime rules as
 * {@link HeaderBlock}. Reused by its parser.
 */
public final class ResponseHead {

    public ByteBuf buffer() {
        throw new UnsupportedOperationException();
    }

    /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
    public int versionMinor() {
        throw new UnsupportedOperationException();
    }

    public int status() {
        throw new UnsupportedOperationException();
    }

    /** 1xx: an interim response; the parser reports MESSAGE_COMPLETE right after it, then parses the next head. */
    public boolean informational() {
        throw new UnsupportedOperationException();
    }

    public int reasonStart() {
        throw new UnsupportedOperationException();
    }

    public int reasonLength() {
        throw new UnsupportedOperationException();
    }

    public HeaderBlock headers() {
        throw new UnsupportedOperationException();
    }

    public BodyFraming framing() {
        throw new UnsupportedOperationException();
    }

    public long contentLength() {
        throw new UnsupportedOperationException();
    }

    /** Whether the connection may be reused after this response by the response's own terms. */
    public boolean keepAlive() {
        throw new UnsupportedOperationException();
    }

    public int headLength() {
        throw new UnsupportedOperationException();
    }

    /** Allocates. */
    public String reason() {
        throw new UnsupportedOperationException();
    }
}
