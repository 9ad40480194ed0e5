package io.gozargah.engine.upstream;

import io.gozargah.engine.config.EndpointRole;
import io.gozargah.engine.config.HealthCheckConfig;
import io.gozargah.engine.config.OutlierConfig;

import java.util.List;

/**
 * A provider's endpoints in one snapshot, with its balancing, ejection and health-check policy. Each endpoint
 * points back at its group; their {@link EndpointHealth} outlives the snapshot.
 */
public final class UpstreamGroup {
    private final String provider;
    private final UpstreamEndpoint[] endpoints;
    private final OutlierConfig outlier;
    private final HealthCheckConfig healthCheck;
    private final int maxEjected;

    private UpstreamGroup(String provider, UpstreamEndpoint[] endpoints, OutlierConfig outlier,
                          HealthCheckConfig healthCheck) {
        this.provider = provider;
        this.endpoints = endpoints;
        this.outlier = outlier;
        this.healthCheck = healthCheck;
        // As Envoy: the share is rounded down, but one endpoint may always be ejected (unless the share is 0).
        this.maxEjected = outlier.maxEjectedPercent() == 0 ? 0
                : Math.max(1, endpoints.length * outlier.maxEjectedPercent() / 100);
    }

    /**
     * Joins {@code endpoints} (built for this snapshot) into their provider's group: each gets its role and its
     * health from {@code registry}.
     */
    public static UpstreamGroup of(String provider, UpstreamEndpoint[] endpoints, List<EndpointRole> roles,
                                   OutlierConfig outlier, HealthCheckConfig healthCheck,
                                   EndpointHealthRegistry registry) {
        UpstreamGroup group = new UpstreamGroup(provider, endpoints, outlier, healthCheck);
        for (int i = 0; i < endpoints.length; i++) {
            EndpointRole role = roles.get(i);
            endpoints[i].join(group, role.weight(), role.backup(), registry.of(provider, endpoints[i].toString()));
        }
        return group;
    }

    public String provider() {
        return provider;
    }

    public UpstreamEndpoint[] endpoints() {
        return endpoints;
    }

    public int size() {
        return endpoints.length;
    }

    public OutlierConfig outlier() {
        return outlier;
    }

    /** The active health checks, or null for none. */
    public HealthCheckConfig healthCheck() {
        return healthCheck;
    }

    /** Most endpoints of the group ejected at once. */
    int maxEjected() {
        return maxEjected;
    }

    /** Endpoints ejected at {@code nowNanos}. */
    int ejected(long nowNanos) {
        int n = 0;
        for (UpstreamEndpoint e : endpoints) {
            if (e.health().ejected(nowNanos)) {
                n++;
            }
        }
        return n;
    }
}
