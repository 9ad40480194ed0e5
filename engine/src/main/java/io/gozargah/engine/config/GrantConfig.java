package io.gozargah.engine.config;

/**
 * Permission for one consumer to call one service. Rates and quotas join with the admission work.
 *
 * @param provider provider name
 * @param service  service name within the provider
 */
public record GrantConfig(String provider, String service) {
}
