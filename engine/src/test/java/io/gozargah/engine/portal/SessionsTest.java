package io.gozargah.engine.portal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

class SessionsTest {
    private long now = 1_000;
    private final Sessions sessions = new Sessions(3, TimeUnit.MINUTES.toNanos(30), () -> now);

    @Test
    void shouldHandOutRandom128BitIdsThatHoldOnlyTheConsumer() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            String id = sessions.open("alice");
            assertTrue(id.matches("[A-Za-z0-9_-]{22}"), id);
            ids.add(id);
            assertEquals("alice", sessions.consumer(id));
        }
        assertEquals(3, ids.size());
        assertNull(sessions.consumer("not-an-id"));
        assertNull(sessions.consumer(null));
    }

    @Test
    void shouldEndASessionAtItsLifetime() {
        String id = sessions.open("alice");
        now += TimeUnit.MINUTES.toNanos(30) - 1;
        assertEquals("alice", sessions.consumer(id));
        now += 1;
        assertNull(sessions.consumer(id));
        assertEquals(0, sessions.size(), "an ended session is dropped");
    }

    @Test
    void shouldDropTheOldestPastTheCapacity() {
        String first = sessions.open("a");
        String second = sessions.open("b");
        sessions.open("c");
        String fourth = sessions.open("d");

        assertEquals(3, sessions.size());
        assertNull(sessions.consumer(first), "the oldest made room");
        assertEquals("b", sessions.consumer(second));
        assertEquals("d", sessions.consumer(fourth));
    }

    @Test
    void shouldForgetASessionOnSignOutAndExpiredOnesOnTheNextSignIn() {
        String id = sessions.open("a");
        sessions.close(id);
        assertNull(sessions.consumer(id));

        sessions.open("b");
        sessions.open("c");
        now += TimeUnit.MINUTES.toNanos(31);
        String fresh = sessions.open("d");
        assertEquals(1, sessions.size(), "ended sessions go before a new one is kept");
        assertNotEquals(null, sessions.consumer(fresh));
    }
}
