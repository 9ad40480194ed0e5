package io.gozargah.codec.http1;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import io.netty.buffer.ByteBuf;

/**
 * A parsed response head as offsets into the parser's input buffer; same lifetime rules as
 * {@link HeaderBlock}. Reused by its parser.
 */
public final class ResponseHead {

    private final HeaderBlock headers;
    private ByteBuf buffer;
    private int base;
    private int versionMinor;
    private int status;
    private int reasonStart;
    private int reasonLength;
    private BodyFraming framing = BodyFraming.NONE;
    private long contentLength = -1;
    private boolean keepAlive;
    private int headLength;

    ResponseHead(HeaderBlock headers) {
        this.headers = headers;
    }

    /** Called by the parser when a head is complete; positions are relative to {@code base}. */
    void publish(ByteBuf buf, int base, int versionMinor, int status, int reasonStart, int reasonLength,
            BodyFraming framing, long contentLength, boolean keepAlive, int headLength) {
        this.buffer = buf;
        this.base = base;
        this.versionMinor = versionMinor;
        this.status = status;
        this.reasonStart = reasonStart;
        this.reasonLength = reasonLength;
        this.framing = framing;
        this.contentLength = contentLength;
        this.keepAlive = keepAlive;
        this.headLength = headLength;
    }

    public ByteBuf buffer() {
        return buffer;
    }

    /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
    public int versionMinor() {
        return versionMinor;
    }

    public int status() {
        return status;
    }

    /** 1xx: an interim response; the parser reports MESSAGE_COMPLETE right after it, then parses the next head. */
    public boolean informational() {
        return status < 200;
    }

    public int reasonStart() {
        return base + reasonStart;
    }

    public int reasonLength() {
        return reasonLength;
    }

    public HeaderBlock headers() {
        return headers;
    }

    public BodyFraming framing() {
        return framing;
    }

    public long contentLength() {
        return contentLength;
    }

    /** Whether the connection may be reused after this response by the response's own terms. */
    public boolean keepAlive() {
        return keepAlive;
    }

    public int headLength() {
        return headLength;
    }

    /** Allocates. */
    public String reason() {
        return buffer.toString(reasonStart(), reasonLength, ISO_8859_1);
    }
}
