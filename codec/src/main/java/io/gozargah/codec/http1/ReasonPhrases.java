package io.gozargah.codec.http1;

import io.netty.util.AsciiString;

/** The reason phrases of RFC 9110 §15 for the status codes it defines, as bytes. */
final class ReasonPhrases {

    private static final AsciiString[] PHRASES = new AsciiString[600];
    private static final AsciiString EMPTY = AsciiString.EMPTY_STRING;

    static {
        define(100, "Continue");
        define(101, "Switching Protocols");
        define(103, "Early Hints");
        define(200, "OK");
        define(201, "Created");
        define(202, "Accepted");
        define(203, "Non-Authoritative Information");
        define(204, "No Content");
        define(205, "Reset Content");
        define(206, "Partial Content");
        define(300, "Multiple Choices");
        define(301, "Moved Permanently");
        define(302, "Found");
        define(303, "See Other");
        define(304, "Not Modified");
        define(307, "Temporary Redirect");
        define(308, "Permanent Redirect");
        define(400, "Bad Request");
        define(401, "Unauthorized");
        define(402, "Payment Required");
        define(403, "Forbidden");
        define(404, "Not Found");
        define(405, "Method Not Allowed");
        define(406, "Not Acceptable");
        define(407, "Proxy Authentication Required");
        define(408, "Request Timeout");
        define(409, "Conflict");
        define(410, "Gone");
        define(411, "Length Required");
        define(412, "Precondition Failed");
        define(413, "Content Too Large");
        define(414, "URI Too Long");
        define(415, "Unsupported Media Type");
        define(416, "Range Not Satisfiable");
        define(417, "Expectation Failed");
        define(421, "Misdirected Request");
        define(422, "Unprocessable Content");
        define(426, "Upgrade Required");
        define(428, "Precondition Required");
        define(429, "Too Many Requests");
        define(431, "Request Header Fields Too Large");
        define(500, "Internal Server Error");
        define(501, "Not Implemented");
        define(502, "Bad Gateway");
        define(503, "Service Unavailable");
        define(504, "Gateway Timeout");
        define(505, "HTTP Version Not Supported");
    }

    private ReasonPhrases() {
    }

    private static void define(int status, String phrase) {
        PHRASES[status] = AsciiString.cached(phrase);
    }

    /** The phrase for {@code status}, or empty (RFC 9112 §4 allows an empty reason) for one it does not define. */
    static AsciiString of(int status) {
        AsciiString phrase = status >= 0 && status < PHRASES.length ? PHRASES[status] : null;
        return phrase == null ? EMPTY : phrase;
    }
}
