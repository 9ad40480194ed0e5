package io.gozargah.codec.http1;

/**
 * Why a parser rejected its input. Each carries the HTTP status the gateway answers a consumer with and
 * a fixed detail text (no per-request string building on the error path either).
 */
public enum Http1Error {
    BAD_REQUEST_LINE(400, "malformed request line"),
    BAD_METHOD(400, "invalid method token"),
    BAD_TARGET(400, "request-target is not in a form the gateway accepts"),
    URI_TOO_LONG(414, "request line too long"),
    BAD_VERSION(505, "HTTP version not supported"),
    BAD_STATUS_LINE(502, "malformed status line"),
    BAD_HEADER_NAME(400, "invalid character in a header field name"),
    WHITESPACE_BEFORE_COLON(400, "whitespace between a header field name and its colon"),
    BAD_HEADER_VALUE(400, "invalid character in a header field value"),
    OBS_FOLD(400, "obsolete line folding is not accepted"),
    BARE_CR(400, "CR not followed by LF"),
    BARE_LF(400, "LF line ending without CR"),
    TOO_MANY_HEADERS(431, "too many header fields"),
    HEADERS_TOO_LARGE(431, "header section too large"),
    BAD_CONTENT_LENGTH(400, "invalid Content-Length"),
    DUPLICATE_CONTENT_LENGTH(400, "more than one Content-Length"),
    CONTENT_LENGTH_AND_TRANSFER_ENCODING(400, "both Content-Length and Transfer-Encoding"),
    CONNECTION_NAMES_FRAMING_FIELD(400, "Connection names a field that frames or routes the request"),
    BAD_TRANSFER_ENCODING(400, "Transfer-Encoding whose final coding is not chunked"),
    UNSUPPORTED_TRANSFER_CODING(501, "unsupported transfer coding"),
    BAD_CHUNK_SIZE(400, "invalid chunk size"),
    CHUNK_SIZE_OVERFLOW(400, "chunk size too large"),
    BAD_CHUNK_EXTENSION(400, "invalid chunk extension"),
    BAD_CHUNK_DELIMITER(400, "chunk data not followed by CRLF"),
    BAD_TRAILER(400, "malformed trailer section"),
    UNEXPECTED_EOF(400, "connection closed before the message was complete"),
    /** Responses only: 101 Switching Protocols, which the gateway never asks for (it forwards no Upgrade). */
    UNSUPPORTED_UPGRADE(502, "protocol upgrade is not supported");

    private final int status;
    private final String detail;

    Http1Error(int status, String detail) {
        this.status = status;
        this.detail = detail;
    }

    /** The HTTP status for a consumer-side error (response-side errors become 502 in the engine). */
    public int status() {
        return status;
    }

    public String detail() {
        return detail;
    }
}
