package io.gozargah.engine.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A provider agency.
 *
 * @param name                  path segment consumers address it by ({@code [a-z0-9][a-z0-9_-]*})
 * @param endpoints             upstream base URLs, balanced by weighted least outstanding requests
 * @param connectTimeout        TCP connect timeout to an endpoint
 * @param responseTimeout       from the request's last byte sent until the response head arrives
 * @param maxConnectionsPerLoop cap on upstream connections per event loop per endpoint
 * @param idleTimeout           an idle pooled upstream connection is closed after this
 * @param maxInFlight           most requests in flight to this provider at once, over all loops and
 *                              services (503 overloaded past it), or 0 for no cap
 * @param services              by service name
 * @param protocol              what the endpoints speak: HTTP/1.1, HTTP/2 over TLS, or cleartext HTTP/2
 * @param tls                   trust for {@code https://} endpoints (defaults when there are none)
 * @param requestTimeout        a request's body must have arrived whole this long after its head (408 past it)
 * @param sendTimeout           a client that takes no more of a response for this long is cut off
 * @param maxResponseBytes      the largest response body a provider may send ({@link Long#MAX_VALUE}: no limit)
 * @param listing               how the portal's catalogue presents the agency
 * @param roles                 each endpoint's weight and whether it is a backup, in the order of {@code endpoints}
 * @param outlier               passive outlier ejection of the endpoints
 * @param healthCheck           active health checks of the endpoints, or null for none
 * @param maxPendingAcquisitionsPerLoop requests that may wait for an upstream connection per event loop per
 *                              endpoint when all {@code maxConnectionsPerLoop} are busy (503 overloaded at once past
 *                              it, instead of queueing without bound behind a slow agency)
 */
public record ProviderConfig(String name, List<EndpointConfig> endpoints, Duration connectTimeout,
                             Duration responseTimeout, int maxConnectionsPerLoop, Duration idleTimeout,
                             int maxInFlight, Map<String, ServiceConfig> services, UpstreamProtocol protocol,
                             UpstreamTlsConfig tls, Duration requestTimeout, Duration sendTimeout,
                             long maxResponseBytes, ListingConfig listing, List<EndpointRole> roles,
                             OutlierConfig outlier, HealthCheckConfig healthCheck, int maxPendingAcquisitionsPerLoop) {
}
