package io.gozargah.engine.upstream;

import io.gozargah.engine.config.EndpointConfig;
import io.gozargah.engine.config.UpstreamProtocol;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AsciiString;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * One upstream endpoint of a provider as the hot path needs it: a resolved address, the request-line end
 * with its Host field and the path prefix as bytes, the pool limits, the protocol it speaks and, for
 * {@code https://}, the client TLS context. Pools are keyed by {@link #key()}, so a reload that keeps an
 * endpoint with the same settings keeps its pooled connections.
 */
public final class UpstreamEndpoint {
    private final EndpointConfig config;
    private final InetSocketAddress address;
    private final byte[] requestLineEnd;
    private final AsciiString http2Authority;
    private final byte[] pathPrefix;
    private final int connectTimeoutMillis;
    private final int maxConnections;
    private final int maxPendingAcquisitions;
    private final long idleTimeoutNanos;
    private final UpstreamProtocol protocol;
    private final SslContext sslContext;
    private final String key;
    private final int journalId;
    // Set once by UpstreamGroup.of before the snapshot is published (a volatile swap, which publishes these too).
    private UpstreamGroup group;
    private int weight = 1;
    private boolean backup;
    private EndpointHealth health = new EndpointHealth("", "");

    /** A cleartext HTTP/1.1 endpoint. */
    public UpstreamEndpoint(EndpointConfig config, int connectTimeoutMillis, int maxConnections, long idleTimeoutNanos) {
        this(config, connectTimeoutMillis, maxConnections, idleTimeoutNanos, UpstreamProtocol.HTTP1, null, "", 0);
    }

    /**
     * @param sslContext client TLS context, required for {@code https://} endpoints and ignored otherwise
     * @param tlsKey     identity of the TLS settings (trust and hostname checks), part of the pool key
     * @param journalId  the endpoint's journal dictionary id (its URL's; 0 when the journal is off)
     */
    public UpstreamEndpoint(EndpointConfig config, int connectTimeoutMillis, int maxConnections, long idleTimeoutNanos,
                            UpstreamProtocol protocol, SslContext sslContext, String tlsKey, int journalId) {
        this(config, connectTimeoutMillis, maxConnections, idleTimeoutNanos, protocol, sslContext, tlsKey, journalId,
                Integer.MAX_VALUE);
    }

    /**
     * @param maxPendingAcquisitions acquisitions that may wait per pool while all its connections are busy; one
     *                               more fails at once as overloaded
     */
    public UpstreamEndpoint(EndpointConfig config, int connectTimeoutMillis, int maxConnections, long idleTimeoutNanos,
                            UpstreamProtocol protocol, SslContext sslContext, String tlsKey, int journalId,
                            int maxPendingAcquisitions) {
        this.maxPendingAcquisitions = maxPendingAcquisitions;
        if (config.tls() && sslContext == null) {
            throw new IllegalArgumentException("an https endpoint needs a TLS context: " + config);
        }
        this.config = config;
        this.journalId = journalId;
        this.protocol = protocol;
        this.sslContext = config.tls() ? sslContext : null;
        // Resolved once per snapshot: the event loop must never block on DNS. A reload re-resolves.
        this.address = new InetSocketAddress(config.host(), config.port());
        this.requestLineEnd = (" HTTP/1.1\r\nHost: " + config.authority() + "\r\n").getBytes(StandardCharsets.US_ASCII);
        this.http2Authority = new AsciiString(config.authority());
        this.pathPrefix = config.pathPrefix().getBytes(StandardCharsets.US_ASCII);
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.maxConnections = maxConnections;
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.key = config + "|" + connectTimeoutMillis + "|" + maxConnections + "|" + maxPendingAcquisitions + "|"
                + idleTimeoutNanos + "|"
                + protocol.configName() + (config.tls() ? "|" + tlsKey : "");
    }

    void join(UpstreamGroup group, int weight, boolean backup, EndpointHealth health) {
        this.group = group;
        this.weight = weight;
        this.backup = backup;
        this.health = health;
    }

    /** The provider's endpoints this one belongs to, or null for one built alone (tests of the pool). */
    public UpstreamGroup group() {
        return group;
    }

    /** Its share of requests relative to the other endpoints of its tier. */
    public int weight() {
        return weight;
    }

    /** Whether it is used only when no primary endpoint of its provider is usable. */
    public boolean backup() {
        return backup;
    }

    /** What the gateway knows of it, shared by every loop and kept across reloads. */
    public EndpointHealth health() {
        return health;
    }

    public UpstreamProtocol protocol() {
        return protocol;
    }

    /** The client TLS context, or null for a cleartext endpoint. */
    public SslContext sslContext() {
        return sslContext;
    }

    /** The host name or address as configured: SNI and hostname verification use it. */
    public String host() {
        return config.host();
    }

    /** The {@code :authority} of HTTP/2 requests: the {@code Host} value the HTTP/1.1 path sends. */
    public String authority() {
        return config.authority();
    }

    /** {@link #authority()} as HTTP/2 HEADERS carry it, made once. */
    public AsciiString http2Authority() {
        return http2Authority;
    }

    public boolean tls() {
        return sslContext != null;
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

    /** Acquisitions that may wait per pool while all its connections are busy. */
    public int maxPendingAcquisitions() {
        return maxPendingAcquisitions;
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
