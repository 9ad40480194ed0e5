package io.gozargah.engine.config;

import java.time.Duration;
import java.util.List;

/**
 * @param listeners          consumer-facing listeners (at least one)
 * @param eventLoops         event loop threads; 0 means one per available core
 * @param transport          which Netty transport to use
 * @param idleTimeout        a downstream connection with no request in flight is closed after this
 * @param requestHeadTimeout a request head must arrive completely within this (slow-loris guard)
 * @param shutdownGrace      on SIGTERM, how long in-flight requests may take to finish
 * @param maxConnections     most consumer connections open at once over all listeners; 0: derived at start from
 *                           the descriptor limit and the heap ({@code accept.ConnectionBudget})
 * @param maxConnectionsPerAddress most consumer connections from one client address (an IPv6 client's /64);
 *                           0: derived at start from {@code maxConnections}
 * @param authFailures       how fast one client address may fail authentication before it is throttled
 */
public record ServerConfig(List<ListenerConfig> listeners, int eventLoops, Transport transport,
                           Duration idleTimeout, Duration requestHeadTimeout, Duration shutdownGrace,
                           int maxConnections, int maxConnectionsPerAddress, AuthFailuresConfig authFailures) {

    /** The same settings with other listeners (the demo adds its HTTPS one). */
    public ServerConfig withListeners(List<ListenerConfig> other) {
        return new ServerConfig(other, eventLoops, transport, idleTimeout, requestHeadTimeout, shutdownGrace,
                maxConnections, maxConnectionsPerAddress, authFailures);
    }

    public enum Transport { AUTO, EPOLL, IO_URING, NIO }
}
