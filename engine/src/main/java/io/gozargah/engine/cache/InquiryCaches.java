package io.gozargah.engine.cache;

import io.gozargah.engine.admission.NanoClock;
import io.gozargah.engine.config.CacheConfig;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's inquiry caches by service, kept across reloads: a service whose cache settings did not change keeps
 * its cache (entries, counts) in the next snapshot; one whose settings changed starts an empty one; one removed, or
 * no longer cached, loses its. Looked up only while a snapshot is built, and by the metrics and the admin API; never
 * on the request path, which holds its service's cache in its {@code ServiceRoute}.
 */
public final class InquiryCaches {
    private final NanoClock clock;
    private final ConcurrentHashMap<String, InquiryCache> caches = new ConcurrentHashMap<>();

    public InquiryCaches(NanoClock clock) {
        this.clock = clock;
    }

    /**
     * The cache of service {@code qualifiedName} under {@code config}: the one it has when its settings are the same,
     * else a new one (replacing it). Null when {@code config} is (the service is not cached).
     */
    public InquiryCache of(String qualifiedName, CacheConfig config) {
        if (config == null) {
            caches.remove(qualifiedName);
            return null;
        }
        return caches.compute(qualifiedName, (name, existing) ->
                existing != null && existing.config().equals(config) ? existing
                        : new InquiryCache(name, config, clock));
    }

    /** Forgets the caches of services not in {@code qualifiedNames} (after a snapshot without them was built). */
    public void retain(Set<String> qualifiedNames) {
        caches.keySet().retainAll(qualifiedNames);
    }

    /** The cache of {@code qualifiedName}, or null when it has none. */
    public InquiryCache get(String qualifiedName) {
        return caches.get(qualifiedName);
    }

    /** Every cache now, for the metrics. */
    public Collection<InquiryCache> all() {
        return List.copyOf(caches.values());
    }
}
