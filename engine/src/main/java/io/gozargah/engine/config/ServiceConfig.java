package io.gozargah.engine.config;

import java.time.Duration;
import java.util.Set;

/**
 * An operation of a provider, addressed as {@code /{provider}/{service}[/rest]}.
 *
 * @param name            path segment ({@code [a-z0-9][a-z0-9_-]*})
 * @param path            upstream path the service maps to, starting with '/', no trailing '/' unless "/"
 * @param methods         allowed methods, upper case (405 otherwise)
 * @param responseTimeout overrides the provider's, or null to inherit it
 * @param maxInFlight     most requests in flight to this service at once (503 overloaded past it), or 0
 *                        for no cap
 */
public record ServiceConfig(String name, String path, Set<String> methods, Duration responseTimeout, int maxInFlight) {
}
