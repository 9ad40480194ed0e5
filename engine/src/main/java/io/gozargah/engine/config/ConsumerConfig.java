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
 */
public record ConsumerConfig(String name, List<byte[]> apiKeyHashes, List<GrantConfig> grants, RateLimitConfig rate,
                             List<byte[]> certificates) {

    /** A consumer identified by API key only, without an overall rate limit. */
    public ConsumerConfig(String name, List<byte[]> apiKeyHashes, List<GrantConfig> grants) {
        this(name, apiKeyHashes, grants, null, List.of());
    }
}
