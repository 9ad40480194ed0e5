package io.gozargah.codec.http1;

import io.netty.buffer.ByteBuf;

/**
 * Incremental, strict, zero-copy HTTP/1.1 request parser (RFC 9112). An explicit state machine in the
 * manner of Netty's {@code HttpObjectDecoder}, but with no {@code String} per request, and ambiguous
 * framing rejected, never guessed.
 *
 * <h2>Contract</h2>
 * <ul>
 * <li>{@link #parse(ByteBuf)} reads from {@code in.readerIndex()}. While a head is incomplete it does not
 * move the reader index (the head must stay contiguous for zero-copy views) but remembers how far it
 * scanned, so the next call resumes rather than rescans. The caller may compact the buffer only between
 * messages or while no head is pending; the parser keeps positions relative to the reader index.</li>
 * <li>HEAD: {@link #head()} is valid, reader index is past the head.</li>
 * <li>BODY: {@link #bodyBytes()} content bytes start at the reader index; the caller consumes them.</li>
 * <li>MESSAGE_COMPLETE: {@link #trailers()} holds any trailer fields; the next call parses a new message.</li>
 * <li>ERROR: {@link #error()}; nothing more is parsed until {@link #reset()}.</li>
 * <li>Steady state allocates nothing.</li>
 * </ul>
 * Accepts only origin-form targets, plus asterisk-form for OPTIONS and authority-form for CONNECT
 * (RFC 9112 §3.2), absolute-form as the RFC requires servers to accept.
 */
public final class HttpRequestParser {

    public HttpRequestParser(Http1Limits limits) {
        throw new UnsupportedOperationException();
    }

    public ParseResult parse(ByteBuf in) {
        throw new UnsupportedOperationException();
    }

    public RequestHead head() {
        throw new UnsupportedOperationException();
    }

    public int bodyBytes() {
        throw new UnsupportedOperationException();
    }

    public HeaderBlock trailers() {
        throw new UnsupportedOperationException();
    }

    public Http1Error error() {
        throw new UnsupportedOperationException();
    }

    /** True between a HEAD and its MESSAGE_COMPLETE. */
    public boolean inBody() {
        throw new UnsupportedOperationException();
    }

    /** Forget any partial message and error; ready for a fresh message. */
    public void reset() {
        throw new UnsupportedOperationException();
    }
}
