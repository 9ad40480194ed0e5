package io.gozargah.engine.config;

import java.util.List;

/**
 * An organisation calling services.
 *
 * @param name         identity forwarded upstream as {@code X-Gozargah-Consumer}
 * @param apiKeyHashes SHA-256 of each accepted API key, 32 bytes each (keys themselves are never stored)
 * @param grants       the services it may call; everything else is denied
 * @param rate         the consumer's overall rate over all its grants, or null for none
 * @param certificates SHA-256 fingerprints (of the DER encoding) of client certificates that identify it,
 *                     32 bytes each
 * @param maxInFlight  most of its requests in flight at once, over all its grants (429 past it): so that one
 *                     consumer cannot hold all of a provider's connections
 */
public record ConsumerConfig(String name, List<byte[]> apiKeyHashes, List<GrantConfig> grants, RateLimitConfig rate,
                             List<byte[]> certificates, int maxInFlight) {
    /** The in-flight cap of a consumer whose config names none. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 128;

    /** A consumer identified by API key only, without an overall rate limit, with the default in-flight cap. */
    public ConsumerConfig(String name, List<byte[]> apiKeyHashes, List<GrantConfig> grants) {
        this(name, apiKeyHashes, grants, null, List.of(), DEFAULT_MAX_IN_FLIGHT);
    }
}
