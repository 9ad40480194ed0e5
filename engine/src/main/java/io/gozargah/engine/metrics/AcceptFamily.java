package io.gozargah.engine.metrics;

import io.gozargah.engine.accept.AcceptStats;
import io.gozargah.engine.accept.ListenerAcceptStats;

import java.util.function.Supplier;

/**
 * The consumer listeners' connection limits and what enforcing them did: connections refused, times a
 * listener stopped accepting, and the limits in force (the defaults are derived at start, so a scrape is
 * where an operator sees them).
 */
public final class AcceptFamily implements MetricFamily {
    private final Supplier<AcceptStats> stats;

    public AcceptFamily(Supplier<AcceptStats> stats) {
        this.stats = stats;
    }

    @Override
    public void write(PrometheusText out) {
        AcceptStats s = stats.get();
        out.family("gozargah_consumer_connections_max", "gauge",
                "server.maxConnections in force: consumer connections open at once over all listeners.");
        out.sample("gozargah_consumer_connections_max", (long) s.maxConnections());
        out.family("gozargah_consumer_connections_per_address_max", "gauge",
                "server.maxConnectionsPerAddress in force (an IPv6 client's /64 is one address).");
        out.sample("gozargah_consumer_connections_per_address_max", (long) s.maxConnectionsPerAddress());
        out.family("gozargah_consumer_addresses", "gauge",
                "Client addresses (IPv6: /64 networks) with consumer connections open.");
        out.sample("gozargah_consumer_addresses", (long) s.addresses());

        String refused = "gozargah_connections_refused_total";
        out.family(refused, "counter", "Consumer connections closed at accept, by listener and reason: address"
                + " (its address had server.maxConnectionsPerAddress open), limit (accepted in the same batch as"
                + " the one that reached maxConnections), descriptors (the process had no file descriptor left).");
        for (ListenerAcceptStats l : s.listeners()) {
            out.sample(refused, l.refusedAddress(), "listener", l.listener(), "reason", "address");
            out.sample(refused, l.refusedLimit(), "listener", l.listener(), "reason", "limit");
            out.sample(refused, l.refusedDescriptors(), "listener", l.listener(), "reason", "descriptors");
        }
        String paused = "gozargah_accept_paused_total";
        out.family(paused, "counter", "Times a consumer listener stopped accepting, by reason: limit"
                + " (server.maxConnections or its own maxConnections reached; new connections wait in the backlog"
                + " until some close), descriptors (accept failed with no spare descriptor; retried shortly).");
        for (ListenerAcceptStats l : s.listeners()) {
            out.sample(paused, l.pausesLimit(), "listener", l.listener(), "reason", "limit");
            out.sample(paused, l.pausesDescriptors(), "listener", l.listener(), "reason", "descriptors");
        }
        out.family("gozargah_accepting", "gauge", "1 while a consumer listener accepts connections, else 0.");
        for (ListenerAcceptStats l : s.listeners()) {
            out.sample("gozargah_accepting", l.accepting() ? 1 : 0, "listener", l.listener());
        }
    }
}
