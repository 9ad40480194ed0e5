package io.gozargah.codec.http1;

/**
 * Size limits of the HTTP/1.1 parsers. Every limit is a constructor argument (no magic numbers in the
 * parser); the engine fills them from configuration.
 *
 * @param maxStartLineBytes  longest request line or status line, CRLF excluded (request: 414 when exceeded)
 * @param maxHeaderCount     most header fields in one head (and, separately, in one trailer section)
 * @param maxHeaderBytes     most bytes of the header section, start line excluded, CRLFs included
 *                           (431 when exceeded); trailer sections share this limit
 * @param maxChunkLineBytes  longest chunk-size line including extensions, CRLF excluded
 */
public record Http1Limits(int maxStartLineBytes, int maxHeaderCount, int maxHeaderBytes, int maxChunkLineBytes) {

    public Http1Limits {
        if (maxStartLineBytes < 16 || maxHeaderCount < 1 || maxHeaderBytes < 64 || maxChunkLineBytes < 8) {
            throw new IllegalArgumentException("HTTP/1.1 limits too small: " + maxStartLineBytes + ", "
                    + maxHeaderCount + ", " + maxHeaderBytes + ", " + maxChunkLineBytes);
        }
    }

    /** Defaults close to nginx's large_client_header_buffers and Netty's decoder defaults. */
    public static Http1Limits defaults() {
        return new Http1Limits(8192, 100, 32768, 1024);
    }
}
