package io.gozargah.engine.auth;

import io.gozargah.engine.admission.AddressRateLimiter;
import io.gozargah.engine.config.AuthFailuresConfig;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthFailureThrottleTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.7", 40000);

    @Test
    void shouldThrottleFailuresPastTheBurstAndCountThem() {
        AuthFailureThrottle throttle = AuthFailureThrottle.of(new AuthFailuresConfig(true, 2, 3, 64));
        long key = AuthFailureThrottle.key(CLIENT);
        for (int i = 0; i < 3; i++) {
            assertEquals(AddressRateLimiter.ADMITTED, throttle.failed(key, 0));
        }
        long refused = throttle.failed(key, 0);
        assertTrue(AuthFailureThrottle.isThrottled(refused));
        assertEquals(1, throttle.retryAfterSeconds(refused), "half a second, rounded up");
        assertEquals(AddressRateLimiter.ADMITTED_WHILE_REFUSING, throttle.failed(key, 600_000_000L));
        assertFalse(AuthFailureThrottle.isThrottled(AddressRateLimiter.ADMITTED_WHILE_REFUSING));
        assertEquals(1, throttle.throttled());
        assertEquals(1, throttle.addresses(600_000_000L));
        assertEquals(64, throttle.slots());
        String detail = throttle.detail(refused, CLIENT);
        assertTrue(detail.contains("client address 192.0.2.7") && detail.contains("throttled")
                && detail.contains("more than 3 at once or 2 a second") && detail.contains("connection is closed"),
                detail);
        assertTrue(throttle.detail(AddressRateLimiter.NO_ROOM, CLIENT).contains("too many client addresses"));
    }

    @Test
    void shouldLetEveryFailureThroughWhenOff() {
        AuthFailureThrottle off = AuthFailureThrottle.of(new AuthFailuresConfig(false, 1, 1, 64));
        assertSame(AuthFailureThrottle.OFF, off);
        for (int i = 0; i < 1000; i++) {
            assertEquals(AddressRateLimiter.ADMITTED, off.failed(AuthFailureThrottle.key(CLIENT), 0));
        }
        assertEquals(0, off.throttled());
        assertEquals(0, off.slots());
    }

    @Test
    void shouldKeyAnAddressThatIsNotAnIpAddressApartFromEveryClient() {
        long none = AuthFailureThrottle.key(null);
        assertEquals(none, AuthFailureThrottle.key(InetSocketAddress.createUnresolved("gw", 80)));
        assertNotEquals(none, AuthFailureThrottle.key(CLIENT));
        assertNotEquals(none, AuthFailureThrottle.key(new InetSocketAddress("::1", 80)));
    }

    @Test
    void shouldSayTheRateAsTheConfigCouldHave() {
        assertEquals("10 a second", AuthFailureThrottle.rateText(10));
        assertEquals("1.5 a second", AuthFailureThrottle.rateText(90.0 / 60));
        assertEquals("30 a minute", AuthFailureThrottle.rateText(30.0 / 60));
        assertEquals("7 a minute", AuthFailureThrottle.rateText(7.0 / 60));
        assertEquals("5 an hour", AuthFailureThrottle.rateText(5.0 / 3600));
    }
}
