package io.gozargah.codec.http1;

/** What one call to a parser's {@code parse} produced. */
public enum ParseResult {
    /** Every readable byte was used (or the head is incomplete and kept unread); call again with more bytes. */
    NEED_MORE,
    /** A complete head is available from {@code head()}; the reader index is past it. */
    HEAD,
    /**
     * {@code bodyBytes()} bytes of message content (chunk framing removed) start at the buffer's reader
     * index. The caller must consume exactly that many bytes (skip or slice them) before calling again.
     */
    BODY,
    /** The message is complete (trailers, if any, in {@code trailers()}); the next call starts a new message. */
    MESSAGE_COMPLETE,
    /** The input is malformed; {@code error()} says how. The parser stays in this state until {@code reset()}. */
    ERROR
}
