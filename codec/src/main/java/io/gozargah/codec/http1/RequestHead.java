package io.gozargah.codec.http1;

import io.netty.buffer.ByteBuf;

/**
 * A parsed request head as offsets into the parser's input buffer; same lifetime rules as
 * {@link HeaderBlock}. Reused by its parser.
 */
public final class RequestHead {

    public ByteBuf buffer() {
        throw new UnsupportedOperationException();
    }

    /** The method, or {@link HttpMethod#OTHER} for an extension method (then see methodStart/Length). */
    public HttpMethod method() {
        throw new UnsupportedOperationException();
    }

    public int methodStart() {
        throw new UnsupportedOperationException();
    }

    public int methodLength() {
        throw new UnsupportedOperationException();
    }

    /** The request-target exactly as received (origin-form: path and query). */
    public int targetStart() {
        throw new UnsupportedOperationException();
    }

    public int targetLength() {
        throw new UnsupportedOperationException();
    }

    /** 0 for HTTP/1.0, 1 for HTTP/1.1 (major is always 1). */
    public int versionMinor() {
        throw new UnsupportedOperationException();
    }

    public HeaderBlock headers() {
        throw new UnsupportedOperationException();
    }

    public BodyFraming framing() {
        throw new UnsupportedOperationException();
    }

    /** The Content-Length value when {@link #framing()} is CONTENT_LENGTH, otherwise -1. */
    public long contentLength() {
        throw new UnsupportedOperationException();
    }

    /**
     * Whether the connection persists after this exchange by the request's own terms: HTTP/1.1 unless
     * {@code Connection: close}; HTTP/1.0 only with {@code Connection: keep-alive} (RFC 9112 §9.3).
     */
    public boolean keepAlive() {
        throw new UnsupportedOperationException();
    }

    /** {@code Expect: 100-continue} was present (RFC 9110 §10.1.1). */
    public boolean expectContinue() {
        throw new UnsupportedOperationException();
    }

    /** How many Host fields were present (the engine answers 400 unless exactly one on HTTP/1.1). */
    public int hostCount() {
        throw new UnsupportedOperationException();
    }

    /** Bytes of the whole head, start line through the empty line. */
    public int headLength() {
        throw new UnsupportedOperationException();
    }

    /** Allocates. */
    public String methodString() {
        throw new UnsupportedOperationException();
    }

    /** Allocates. */
    public String targetString() {
        throw new UnsupportedOperationException();
    }
}
