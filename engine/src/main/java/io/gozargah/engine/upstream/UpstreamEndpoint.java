package io.gozargah.engine.upstream;

import io.gozargah.engine.config.EndpointConfig;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * One upstream endpoint of a provider as the hot path needs it: a resolved address, the request-line end
 * with its Host field and the path prefix as bytes, and the pool limits. Pools are keyed by {@link #key()}, so a reload that keeps an
 * endpoint with the same settings keeps its pooled connections.
 */
public final class UpstreamEndpoint {
    private final EndpointConfig config;
    private final InetSocketAddress address;
    private final byte[] requestLineEnd;
    private final byte[] pathPrefix;
    private final int connectTimeoutMillis;
    private final int maxConnections;
    private final long idleTimeoutNanos;
    private final String key;
    private final int journalId;

    public UpstreamEndpoint(EndpointConfig config, int connectTimeoutMillis, int maxConnections, long idleTimeoutNanos) {
        this(config, connectTimeoutMillis, maxConnections, idleTimeoutNanos, 0);
    }

    /** As above, with the endpoint's journal dictionary id (its URL's). */
    public UpstreamEndpoint(EndpointConfig config, int connectTimeoutMillis, int maxConnections, long idleTimeoutNanos,
                            int journalId) {
        this.config = config;
        this.journalId = journalId;
        // Resolved once per snapshot: the event loop must never block on DNS. A reload re-resolves.
        this.address = new InetSocketAddress(config.host(), config.port());
        this.requestLineEnd = (" HTTP/1.1\r\nHost: " + config.authority() + "\r\n").getBytes(StandardCharsets.US_ASCII);
        this.pathPrefix = config.pathPrefix().getBytes(StandardCharsets.US_ASCII);
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.maxConnections = maxConnections;
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.key = config + "|" + connectTimeoutMillis + "|" + maxConnections + "|" + idleTimeoutNanos;
    }

    /** The endpoint's journal dictionary id (0 when the journal is off). */
    public int journalId() {
        return journalId;
    }

    public InetSocketAddress address() {
        return address;
    }

    /**
     * The end of every request line to this endpoint and its Host field, rendered once:
     * {@code " HTTP/1.1\r\nHost: <authority>\r\n"}.
     */
    public byte[] requestLineEnd() {
        return requestLineEnd;
    }

    public byte[] pathPrefix() {
        return pathPrefix;
    }

    public int connectTimeoutMillis() {
        return connectTimeoutMillis;
    }

    public int maxConnections() {
        return maxConnections;
    }

    public long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }

    /** Identity for pooling across snapshots. */
    public String key() {
        return key;
    }

    @Override
    public String toString() {
        return config.toString();
    }
}
