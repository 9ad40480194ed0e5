package io.gozargah.codec.http1;

/** How the end of a message body is found (RFC 9112 §6.3). */
public enum BodyFraming {
    /** No body at all: requests without Content-Length or Transfer-Encoding, 1xx/204/304, responses to HEAD. */
    NONE,
    /** Exactly {@code contentLength()} bytes. */
    CONTENT_LENGTH,
    /** Chunked transfer coding, possibly followed by trailer fields. */
    CHUNKED,
    /** Responses only: the body runs until the connection closes (RFC 9112 §6.3 rule 8). */
    UNTIL_CLOSE
}
