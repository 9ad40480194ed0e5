package io.gozargah.engine.metrics;

import io.gozargah.engine.upstream.EndpointState;

import java.util.List;
import java.util.function.Supplier;

/**
 * Each provider endpoint's health and ejections, read at scrape time from the endpoints' shared state, so the
 * proxy path pays nothing for them.
 */
public final class UpstreamEndpointFamily implements MetricFamily {
    private final Supplier<List<EndpointState>> endpoints;

    public UpstreamEndpointFamily(Supplier<List<EndpointState>> endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    public void write(PrometheusText out) {
        List<EndpointState> states = endpoints.get();
        out.family("gozargah_upstream_endpoint_healthy", "gauge",
                "1 while the endpoint is usable (passing its health checks, if any, and not ejected), else 0.");
        for (EndpointState s : states) {
            out.sample("gozargah_upstream_endpoint_healthy", s.usable() ? 1 : 0, "provider", s.provider(),
                    "endpoint", s.endpoint());
        }
        out.family("gozargah_upstream_ejections_total", "counter",
                "Outlier ejections of the endpoint after consecutive failures.");
        for (EndpointState s : states) {
            out.sample("gozargah_upstream_ejections_total", s.ejections(), "provider", s.provider(),
                    "endpoint", s.endpoint());
        }
    }
}
