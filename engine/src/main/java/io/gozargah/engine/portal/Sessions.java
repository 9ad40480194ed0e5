package io.gozargah.engine.portal;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Signed-in consumers, by session id. An id is 128 random bits from {@link SecureRandom} (base64url), and a
 * session holds the consumer's name and when it ends: never the key, which is checked once at sign-in and dropped.
 * Bounded both ways: a session ends {@code lifetime} after sign-in, and past {@code capacity} sessions the oldest
 * is dropped, so that no client can grow the table. Used by the portal's one event loop thread only.
 */
final class Sessions {
    static final String COOKIE = "gz_session";
    private static final int ID_BYTES = 16;

    private record Session(String consumer, long endsNanos) {
    }

    private final SecureRandom random = new SecureRandom();
    private final LinkedHashMap<String, Session> sessions = new LinkedHashMap<>();
    private final int capacity;
    private final long lifetimeNanos;
    private final LongSupplier nanoClock;

    Sessions(int capacity, long lifetimeNanos, LongSupplier nanoClock) {
        this.capacity = capacity;
        this.lifetimeNanos = lifetimeNanos;
        this.nanoClock = nanoClock;
    }

    /** A new session for {@code consumer}; its id, for the cookie. */
    String open(String consumer) {
        long now = nanoClock.getAsLong();
        expire(now);
        while (sessions.size() >= capacity) {
            Iterator<String> oldest = sessions.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        byte[] raw = new byte[ID_BYTES];
        random.nextBytes(raw);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        sessions.put(id, new Session(consumer, now + lifetimeNanos));
        return id;
    }

    /** The consumer of session {@code id}, or null when there is none or it has ended. */
    String consumer(String id) {
        if (id == null) {
            return null;
        }
        Session s = sessions.get(id);
        if (s == null) {
            return null;
        }
        if (nanoClock.getAsLong() - s.endsNanos() >= 0) {
            sessions.remove(id);
            return null;
        }
        return s.consumer();
    }

    void close(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    int size() {
        return sessions.size();
    }

    long lifetimeSeconds() {
        return lifetimeNanos / 1_000_000_000L;
    }

    /** Drops ended sessions from the oldest on (insertion order is end order: every session lives as long). */
    private void expire(long now) {
        Iterator<Map.Entry<String, Session>> it = sessions.entrySet().iterator();
        while (it.hasNext()) {
            if (now - it.next().getValue().endsNanos() < 0) {
                return;
            }
            it.remove();
        }
    }
}
