package io.gozargah.engine.config;

/**
 * Permission for one consumer to call one service, on terms.
 *
 * @param provider   provider name
 * @param service    service name within the provider
 * @param rate       rate and burst of this grant, or null for no rate limit
 * @param quotaDay   most admitted requests per billing day, or 0 for no daily quota
 * @param quotaMonth most admitted requests per billing month, or 0 for no monthly quota
 */
public record GrantConfig(String provider, String service, RateLimitConfig rate, long quotaDay, long quotaMonth) {

    /** A grant without limits. */
    public GrantConfig(String provider, String service) {
        this(provider, service, null, 0, 0);
    }

    /** {@code provider/service}. */
    public String qualifiedService() {
        return provider + "/" + service;
    }
}
