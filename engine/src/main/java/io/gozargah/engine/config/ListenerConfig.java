package io.gozargah.engine.config;

/**
 * @param name a label for logs
 * @param host address to bind (e.g. 127.0.0.1, 0.0.0.0, ::)
 * @param port port to bind; 0 picks a free port (tests)
 * @param tls  TLS settings, or null for a cleartext listener (HTTP/1.1, and h2c with prior knowledge)
 * @param maxConnections most connections open at once on this listener, or 0 for none but the server's
 */
public record ListenerConfig(String name, String host, int port, TlsConfig tls, int maxConnections) {

    /** A cleartext listener. */
    public ListenerConfig(String name, String host, int port) {
        this(name, host, port, null);
    }

    /** A listener capped only by the server's limits. */
    public ListenerConfig(String name, String host, int port, TlsConfig tls) {
        this(name, host, port, tls, 0);
    }
}
