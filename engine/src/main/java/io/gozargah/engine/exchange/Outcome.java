package io.gozargah.engine.exchange;

import java.nio.charset.StandardCharsets;

/**
 * How a transaction ended. {@link #PROXIED} is a provider's answer passed through; every other outcome is
 * an error the gateway made itself, answered as {@code application/problem+json} (RFC 9457) with type
 * {@code urn:gozargah:error:<code>}. The codes are the wire contract of DESIGN.md; 414, 505 and 501
 * cover request lines and codings the parser refuses (RFC 9112 §3, §2.3, RFC 9110 §15.6.2).
 */
public enum Outcome {
    PROXIED(0, "ok", "OK"),
    BAD_REQUEST(400, "bad-request", "Bad request"),
    UNAUTHENTICATED(401, "unauthenticated", "Unauthenticated"),
    FORBIDDEN(403, "forbidden", "Forbidden"),
    UNKNOWN_SERVICE(404, "unknown-service", "Unknown service"),
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
    /** The request (its body) did not arrive whole within the service's requestTimeout. */
    REQUEST_TIMEOUT(408, "request-timeout", "Request timeout"),
    PAYLOAD_TOO_LARGE(413, "payload-too-large", "Payload too large"),
    URI_TOO_LONG(414, "uri-too-long", "URI too long"),
    HEADERS_TOO_LARGE(431, "headers-too-large", "Request header fields too large"),
    RATE_LIMITED(429, "rate-limited", "Rate limited"),
    QUOTA_EXHAUSTED(429, "quota-exhausted", "Quota exhausted"),
    NOT_IMPLEMENTED(501, "not-implemented", "Not implemented"),
    UPSTREAM_UNAVAILABLE(502, "upstream-unavailable", "Upstream unavailable"),
    OVERLOADED(503, "overloaded", "Overloaded"),
    JOURNAL_UNAVAILABLE(503, "journal-unavailable", "Journal unavailable"),
    UPSTREAM_TIMEOUT(504, "upstream-timeout", "Upstream timeout"),
    VERSION_NOT_SUPPORTED(505, "version-not-supported", "HTTP version not supported"),
    /** The client went away before its response was complete; nothing could be answered. */
    CLIENT_ABORTED(0, "client-aborted", "Client aborted"),
    /** The upstream failed after the response head had been sent: the client connection was cut. */
    UPSTREAM_ABORTED(0, "upstream-aborted", "Upstream aborted"),
    /** The client took none of the response for the service's sendTimeout: it was cut off. */
    SEND_TIMEOUT(0, "send-timeout", "Send timeout"),
    /**
     * The provider's response body exceeds the service's maxResponseBytes: 502 when its declared length says so
     * before anything was sent to the client, else the response is cut off where it passed the limit.
     */
    RESPONSE_TOO_LARGE(502, "response-too-large", "Response too large"),
    /**
     * The gateway's drain deadline ({@code server.shutdownGrace}, or the one {@code POST /admin/drain} was given)
     * passed before the exchange finished: its connection was closed by the gateway, not by the client.
     */
    SHUTDOWN_ABORTED(0, "shutdown-aborted", "Shutdown aborted");

    private final int status;
    private final String code;
    private final String title;
    private final byte[] typeJson;

    Outcome(int status, String code, String title) {
        this.status = status;
        this.code = code;
        this.title = title;
        this.typeJson = ("{\"type\":\"urn:gozargah:error:" + code + "\",\"title\":\"" + title + "\",\"status\":"
                + status + ",").getBytes(StandardCharsets.US_ASCII);
    }

    /** HTTP status answered for this outcome (0 for outcomes that answer nothing or pass the provider's through). */
    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String title() {
        return title;
    }

    /** The constant start of the problem document, through {@code "status":N,}. */
    byte[] problemPrefix() {
        return typeJson;
    }

    /** The outcome for a parser error status. */
    public static Outcome forParserStatus(int status) {
        switch (status) {
            case 414: return URI_TOO_LONG;
            case 431: return HEADERS_TOO_LARGE;
            case 501: return NOT_IMPLEMENTED;
            case 505: return VERSION_NOT_SUPPORTED;
            case 413: return PAYLOAD_TOO_LARGE;
            default: return BAD_REQUEST;
        }
    }
}
