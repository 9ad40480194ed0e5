package io.gozargah.engine.config;

/**
 * How a provider's endpoint takes part in balancing (the map form of an {@code endpoints:} item).
 *
 * @param weight its share of requests relative to the other endpoints of its tier (1 to 1000, default 1)
 * @param backup used only when no primary endpoint of the provider is usable
 */
public record EndpointRole(int weight, boolean backup) {
    public static final EndpointRole PRIMARY = new EndpointRole(1, false);
}
