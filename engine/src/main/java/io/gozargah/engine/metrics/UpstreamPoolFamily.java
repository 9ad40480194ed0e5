package io.gozargah.engine.metrics;

import io.gozargah.engine.upstream.UpstreamPoolStats;

import java.util.List;
import java.util.function.Supplier;

/**
 * Upstream connection counts per endpoint, summed over the event loops' pools. Read at scrape time from the
 * pools' own plain counters (each loop reports its own), so the proxy path pays nothing for them.
 */
public final class UpstreamPoolFamily implements MetricFamily {
    private final Supplier<List<UpstreamPoolStats>> pools;

    public UpstreamPoolFamily(Supplier<List<UpstreamPoolStats>> pools) {
        this.pools = pools;
    }

    @Override
    public void write(PrometheusText out) {
        List<UpstreamPoolStats> stats = pools.get();
        out.family("gozargah_upstream_connections", "gauge",
                "Upstream connections by endpoint and state: open (busy or idle, or being opened) and idle.");
        for (UpstreamPoolStats p : stats) {
            out.sample("gozargah_upstream_connections", p.open(), "endpoint", p.endpoint(), "state", "open");
            out.sample("gozargah_upstream_connections", p.idle(), "endpoint", p.endpoint(), "state", "idle");
        }
        out.family("gozargah_upstream_connections_created_total", "counter",
                "Upstream connections opened, by endpoint.");
        for (UpstreamPoolStats p : stats) {
            out.sample("gozargah_upstream_connections_created_total", p.created(), "endpoint", p.endpoint());
        }
    }
}
