package io.gozargah.codec.http1;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import io.netty.buffer.ByteBuf;

/**
 * A parsed request head as offsets into the parser's input buffer; same lifetime rules as
 * {@link HeaderBlock}. Reused by its parser.
 */
public final class RequestHead {

    private final HeaderBlock headers;
    private ByteBuf buffer;
    private int base;
    private HttpMethod method;
    private int methodStart;
    private int methodLength;
    private int targetStart;
    private int targetLength;
    private int versionMinor;
    private BodyFraming framing = BodyFraming.NONE;
    private long contentLength = -1;
    private boolean keepAlive;
    private boolean expectContinue;
    private int hostCount;
    private int headLength;

    RequestHead(HeaderBlock headers) {
        this.headers = headers;
    }

    /** Called by the parser when a head is complete; positions are relative to {@code base}. */
    void publish(ByteBuf buf, int base, HttpMethod method, int methodStart, int methodLength, int targetStart,
            int targetLength, int versionMinor, BodyFraming framing, long contentLength, boolean keepAlive,
            boolean expectContinue, int hostCount, int headLength) {
        this.buffer = buf;
        this.base = base;
        this.method = method;
        this.methodStart = methodStart;
        this.methodLength = methodLength;
        this.targetStart = targetStart;
        this.targetLength = targetLength;
        this.versionMinor = versionMinor;
        this.framing = framing;
        this.contentLength = contentLength;
        this.keepAlive = keepAlive;
        this.expectContinue = expectContinue;
        this.hostCount = hostCount;
        this.headLength = headLength;
    }

    public ByteBuf buffer() {
        return buffer;
    }

    /** The method, or {@link HttpMethod#OTHER} for an extension method (then see methodStart/Length). */
    public HttpMethod method() {
        return method;
    }

    public int methodStart() {
        return base + methodStart;
    }

    public int methodLength() {
        return methodLength;
    }

    /** The request-target exactly as received (origin-form: path and query). */
    public int targetStart() {
        return base + targetStart;
    }

    public int targetLength() {
        return targetLength;
    }

    /** 0 for HTTP/1.0, 1 for HTTP/1.1 (major is always 1). */
    public int versionMinor() {
        return versionMinor;
    }

    public HeaderBlock headers() {
        return headers;
    }

    public BodyFraming framing() {
        return framing;
    }

    /** The Content-Length value when {@link #framing()} is CONTENT_LENGTH, otherwise -1. */
    public long contentLength() {
        return contentLength;
    }

    /**
     * Whether the connection persists after this exchange by the request's own terms: HTTP/1.1 unless
     * {@code Connection: close}; HTTP/1.0 only with {@code Connection: keep-alive} (RFC 9112 §9.3).
     */
    public boolean keepAlive() {
        return keepAlive;
    }

    /** {@code Expect: 100-continue} was present (RFC 9110 §10.1.1). */
    public boolean expectContinue() {
        return expectContinue;
    }

    /** How many Host fields were present (the engine answers 400 unless exactly one on HTTP/1.1). */
    public int hostCount() {
        return hostCount;
    }

    /** Bytes of the whole head, start line through the empty line. */
    public int headLength() {
        return headLength;
    }

    /** Allocates. */
    public String methodString() {
        return buffer.toString(methodStart(), methodLength, ISO_8859_1);
    }

    /** Allocates. */
    public String targetString() {
        return buffer.toString(targetStart(), targetLength, ISO_8859_1);
    }
}
