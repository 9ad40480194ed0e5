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
 * @param journalBodies   what the journal keeps of request and response bodies
 * @param passFields      fields that claim a client's origin or method ({@code Forwarded}, {@code X-Real-IP},
 *                        {@code True-Client-IP}, {@code X-Forwarded-Host}, the method overrides) that this
 *                        service's provider wants as the client sent them; every other such field is stripped.
 *                        Lower case.
 * @param requestTimeout  overrides the provider's, or null to inherit it
 * @param sendTimeout     overrides the provider's, or null to inherit it
 * @param subject         where requests name the subject they are about, for the journal's subject hash; null for
 *                        none
 * @param maxResponseBytes overrides the provider's, or null to inherit it
 * @param listing          how the portal's catalogue presents the service
 * @param retry            when and how a failed request is sent again ({@link RetryConfig#DEFAULT} when unset)
 * @param cache            how the service's answers are cached and identical inquiries coalesced; null: no cache
 */
public record ServiceConfig(String name, String path, Set<String> methods, Duration responseTimeout, int maxInFlight,
                            JournalBodies journalBodies, Set<String> passFields, Duration requestTimeout,
                            Duration sendTimeout, SubjectConfig subject, Long maxResponseBytes,
                            ListingConfig listing, RetryConfig retry, CacheConfig cache) {
    /** What the journal keeps of a service's bodies. */
    public enum JournalBodies {
        /** Nothing but their sizes. */
        NONE,
        /** Their SHA-256, computed while streaming: proof of what was said, without keeping it. */
        HASH
    }
}
