package io.gozargah.engine.cache;

import io.gozargah.engine.admission.NanoClock;
import io.gozargah.engine.config.CacheConfig;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger log = LoggerFactory.getLogger(InquiryCaches.class);
    /**
     * The most of the JVM's heap all caches together may hold: kept answers live on the heap, and the rest of the
     * gateway (buffers' wrappers, the journal's ring is off-heap, config and metrics) needs the remainder.
     */
    static final double HEAP_SHARE = 0.4;

    private final NanoClock clock;
    private final long heapBytes;
    private final ConcurrentHashMap<String, InquiryCache> caches = new ConcurrentHashMap<>();

    public InquiryCaches(NanoClock clock) {
        this(clock, Runtime.getRuntime().maxMemory());
    }

    /** With {@code heapBytes} as the heap the caches share {@link #HEAP_SHARE} of (for tests). */
    public InquiryCaches(NanoClock clock, long heapBytes) {
        this.clock = clock;
        this.heapBytes = heapBytes;
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
        fitToHeap();
    }

    /**
     * When the services' maxBytes together are more than the caches' share of the heap, each cache is held to its
     * part of that share (in proportion to its maxBytes) and the operator is told: a gateway whose caches could fill
     * its heap would end in an OutOfMemoryError, not in fewer hits.
     */
    private void fitToHeap() {
        long budget = (long) (heapBytes * HEAP_SHARE);
        long asked = 0;
        for (InquiryCache c : caches.values()) {
            asked += c.config().maxBytes();
        }
        double scale = asked > budget ? (double) budget / asked : 1.0;
        for (InquiryCache c : caches.values()) {
            c.limit((long) (c.config().maxBytes() * scale));
        }
        if (scale < 1.0) {
            log.warn("the services' cache maxBytes add up to {} MiB, more than {}% of the heap ({} MiB): each cache"
                    + " is held to {}% of its maxBytes; lower maxBytes or raise -Xmx", asked >> 20,
                    (int) (HEAP_SHARE * 100), heapBytes >> 20, (int) (scale * 100));
        }
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
