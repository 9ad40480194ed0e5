package io.gozargah.engine.config;

/**
 * @param maxStartLineBytes   longest request line (414 past it)
 * @param maxHeaderCount      most request header fields (431 past it)
 * @param maxHeaderBytes      most bytes in a request header section (431 past it)
 * @param maxChunkLineBytes   longest chunk-size line with extensions
 * @param maxRequestBodyBytes largest request body, declared or streamed (413 past it)
 * @param maxResponseHeaderBytes most bytes in an upstream response head (502 past it)
 * @param underscoreFields    what becomes of request fields whose name holds '_'
 * @param maxDiscardBytes     most of a refused request's body read and dropped to keep its connection open
 */
public record LimitsConfig(int maxStartLineBytes, int maxHeaderCount, int maxHeaderBytes, int maxChunkLineBytes,
                           long maxRequestBodyBytes, int maxResponseHeaderBytes, UnderscoreFields underscoreFields,
                           long maxDiscardBytes) {

    /**
     * Request fields whose name holds '_' ({@code X_Gozargah_Consumer}): many servers fold '_' into '-', so they
     * would pass for fields only the gateway may set. They never reach a provider; the choice is whether the
     * request still goes (without them) or is refused.
     */
    public enum UnderscoreFields {
        /** Forward the request without them. */
        DROP,
        /** Answer 400 bad-request. */
        REFUSE
    }

    /** What a config without a {@code limits:} section gets (documented in config/gozargah.yaml). */
    public static LimitsConfig defaults() {
        return new LimitsConfig(8192, 100, 32 * 1024, 1024, 10L * 1024 * 1024, 64 * 1024, UnderscoreFields.DROP,
                64 * 1024);
    }
}
