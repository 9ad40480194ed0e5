package io.gozargah.codec.http1;

import io.netty.buffer.ByteBuf;

/**
 * Incremental, strict, zero-copy HTTP/1.1 response parser; the same contract as
 * {@link HttpRequestParser}, plus:
 * <ul>
 * <li>{@link #expectResponseTo(HttpMethod)} must be called before each response's head is parsed, so a
 * response to HEAD (and 2xx to CONNECT) is known to have no body (RFC 9112 §6.3 rules 1 and 2).</li>
 * <li>1xx responses (100, 103, ...) produce HEAD then MESSAGE_COMPLETE; the final response follows.
 * 101 is not supported by the gateway and is an error.</li>
 * <li>204 and 304 have no body whatever their headers say.</li>
 * <li>A body with no Content-Length and no chunked coding runs until the connection closes
 * ({@link BodyFraming#UNTIL_CLOSE}): the caller reports the close with {@link #endOfInput()}.</li>
 * </ul>
 */
public final class HttpResponseParser {

    public HttpResponseParser(Http1Limits limits) {
        throw new UnsupportedOperationException();
    }

    public void expectResponseTo(HttpMethod requestMethod) {
        throw new UnsupportedOperationException();
    }

    public ParseResult parse(ByteBuf in) {
        throw new UnsupportedOperationException();
    }

    /**
     * The peer closed. Returns MESSAGE_COMPLETE if that ends a close-delimited body, NEED_MORE if no
     * message had started (a clean close between messages), otherwise ERROR with UNEXPECTED_EOF.
     */
    public ParseResult endOfInput() {
        throw new UnsupportedOperationException();
    }

    public ResponseHead head() {
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

    public boolean inBody() {
        throw new UnsupportedOperationException();
    }

    public void reset() {
        throw new UnsupportedOperationException();
    }
}
