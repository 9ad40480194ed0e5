package io.gozargah.engine.accept;

import java.util.List;

/**
 * The consumer side's connection limits and what they have done, read at scrape time.
 *
 * @param maxConnections           server.maxConnections in force (configured or derived)
 * @param maxConnectionsPerAddress server.maxConnectionsPerAddress in force
 * @param open                     consumer connections counted against server.maxConnections
 * @param addresses                client addresses (IPv6: /64 networks) with connections open
 * @param listeners                per consumer listener, in config order
 */
public record AcceptStats(int maxConnections, int maxConnectionsPerAddress, int open, int addresses,
                          List<ListenerAcceptStats> listeners) {
}
