package io.gozargah.engine.upstream;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's {@link EndpointHealth} of every provider endpoint, by provider name and endpoint URL: a reload
 * that keeps an endpoint keeps what is known of it (an ejection, a failing health check), one that drops it
 * forgets it.
 */
public final class EndpointHealthRegistry {
    private final ConcurrentHashMap<String, EndpointHealth> byKey = new ConcurrentHashMap<>();

    /** The health of {@code provider}'s endpoint {@code url}, made on first sight. */
    public EndpointHealth of(String provider, String url) {
        return byKey.computeIfAbsent(key(provider, url), k -> new EndpointHealth(provider, url));
    }

    /** Forgets every endpoint whose key is not in {@code keep} (see {@link #key}). */
    public void retain(Set<String> keep) {
        byKey.keySet().retainAll(keep);
    }

    public static String key(String provider, String url) {
        return provider + " " + url;
    }

    public int size() {
        return byKey.size();
    }
}
