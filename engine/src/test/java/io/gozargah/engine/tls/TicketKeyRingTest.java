package io.gozargah.engine.tls;

import io.netty.handler.ssl.OpenSslSessionTicketKey;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class TicketKeyRingTest {
    private static final long GRACE = 3_600_000_000_000L;

    @Test
    void shouldSealWithTheNewestKeyAndStillOpenWithTheReplacedOne() {
        TicketKeyRing ring = new TicketKeyRing(new SecureRandom(), GRACE);
        OpenSslSessionTicketKey first = ring.keys()[0];

        ring.rotate(1_000);

        OpenSslSessionTicketKey[] keys = ring.keys();
        assertEquals(2, keys.length);
        assertFalse(java.util.Arrays.equals(first.name(), keys[0].name()), "a new key seals");
        assertArrayEquals(first.name(), keys[1].name(), "the replaced key still opens");
    }

    @Test
    void shouldKeepAReplacedKeyForTheGracePeriodOnly() {
        TicketKeyRing ring = new TicketKeyRing(new SecureRandom(), GRACE);
        OpenSslSessionTicketKey first = ring.keys()[0];
        ring.rotate(0);
        OpenSslSessionTicketKey second = ring.keys()[0];

        ring.rotate(GRACE - 1);
        assertEquals(3, ring.keys().length, "the first key was replaced less than the grace period ago");
        assertArrayEquals(first.name(), ring.keys()[2].name());

        ring.rotate(GRACE);
        OpenSslSessionTicketKey[] keys = ring.keys();
        assertEquals(3, keys.length);
        assertArrayEquals(second.name(), keys[2].name(), "the first key is gone, the second still opens");
        for (OpenSslSessionTicketKey k : keys) {
            assertFalse(java.util.Arrays.equals(first.name(), k.name()));
        }
    }
}
