package io.gozargah.engine.admission;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.gozargah.engine.admission.AddressRateLimiter.ADMITTED;
import static io.gozargah.engine.admission.AddressRateLimiter.ADMITTED_WHILE_REFUSING;
import static io.gozargah.engine.admission.AddressRateLimiter.NO_ROOM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AddressRateLimiterTest {
    private static final long SECOND = 1_000_000_000L;
    /** 10 a second: 100 ms, which is 97,657 units of 1024 ns (100,000,768 ns). */
    private static final long T = 97_657L * 1024;
    private static final long SEED = 0x5EED;

    private static long ipv4(int last) {
        return 0xFFFF_FFFF_0000_0000L | 0x0A00_0000L | last;
    }

    @Test
    void shouldAdmitExactlyTheBurstAtOneInstantThenOnePerInterval() {
        AddressRateLimiter limiter = new AddressRateLimiter(10, 5, 64, SEED);
        long t0 = 1_000 * SECOND;
        for (int i = 0; i < 5; i++) {
            assertEquals(ADMITTED, limiter.tryAcquire(ipv4(1), t0), "failure " + (i + 1) + " of the burst");
        }
        long refused = limiter.tryAcquire(ipv4(1), t0);
        assertFalse(AddressRateLimiter.isAdmitted(refused));
        assertTrue(refused < 0);
        assertEquals(T, limiter.waitNanos(refused), "one interval, in whole units");
        assertEquals(T, limiter.emissionIntervalNanos());
        assertTrue(limiter.tryAcquire(ipv4(1), t0 + T - 1024) < 0, "one unit early");
        assertEquals(ADMITTED_WHILE_REFUSING, limiter.tryAcquire(ipv4(1), t0 + T), "within the rate, after a refusal");
        assertTrue(limiter.tryAcquire(ipv4(1), t0 + T) < 0);

        int admitted = 0;
        // Probe every 10 ms for 10 s: exactly one admission per interval.
        for (long now = t0 + T + 10_000_000L; now < t0 + T + 10 * SECOND; now += 10_000_000L) {
            if (AddressRateLimiter.isAdmitted(limiter.tryAcquire(ipv4(1), now))) {
                admitted++;
            }
        }
        assertEquals(99, admitted, "10 s at 100,000,768 ns an interval");
    }

    @Test
    void shouldCallAnAddressRefusingUntilItHasItsFullBurstAgain() {
        AddressRateLimiter limiter = new AddressRateLimiter(10, 2, 64, SEED);
        long t0 = 0;
        assertEquals(ADMITTED, limiter.tryAcquire(ipv4(1), t0));
        assertEquals(ADMITTED, limiter.tryAcquire(ipv4(1), t0));
        assertTrue(limiter.tryAcquire(ipv4(1), t0) < 0);
        assertEquals(ADMITTED_WHILE_REFUSING, limiter.tryAcquire(ipv4(1), t0 + T));
        assertEquals(ADMITTED_WHILE_REFUSING, limiter.tryAcquire(ipv4(1), t0 + 2 * T),
                "still short of its burst: the spell goes on");
        assertEquals(ADMITTED_WHILE_REFUSING, limiter.tryAcquire(ipv4(1), t0 + 4 * T - 1024), "one unit short");
        // Its TAT is now t0 + 5T: from then on it has its full burst, and what it did before is behind it.
        assertEquals(ADMITTED, limiter.tryAcquire(ipv4(1), t0 + 5 * T));
        assertEquals(ADMITTED, limiter.tryAcquire(ipv4(1), t0 + 5 * T));
        assertTrue(limiter.tryAcquire(ipv4(1), t0 + 5 * T) < 0);
    }

    @Test
    void shouldCountEachAddressOnItsOwn() {
        AddressRateLimiter limiter = new AddressRateLimiter(1, 3, 1024, SEED);
        for (int i = 0; i < 3; i++) {
            assertEquals(ADMITTED, limiter.tryAcquire(ipv4(1), 0));
        }
        assertTrue(limiter.tryAcquire(ipv4(1), 0) < 0);
        for (int address = 2; address < 200; address++) {
            for (int i = 0; i < 3; i++) {
                assertEquals(ADMITTED, limiter.tryAcquire(ipv4(address), 0), "address " + address);
            }
            assertTrue(limiter.tryAcquire(ipv4(address), 0) < 0, "address " + address);
        }
        assertEquals(199, limiter.addresses(0));
        assertEquals(0, limiter.addresses(3 * 1024 * 1_000_000_000L), "all back at full burst");
    }

    @Test
    void shouldRefuseWhenAnAddressFindsNoRoomAndNeverGrow() {
        // One bucket: 8 slots.
        AddressRateLimiter limiter = new AddressRateLimiter(10, 5, 8, SEED);
        assertEquals(8, limiter.slots());
        for (int address = 1; address <= 8; address++) {
            assertEquals(ADMITTED, limiter.tryAcquire(ipv4(address), 0));
        }
        long none = limiter.tryAcquire(ipv4(9), 0);
        assertEquals(NO_ROOM, none, "fails safe: refused, not let through uncounted");
        assertFalse(AddressRateLimiter.isAdmitted(none));
        assertEquals(T, limiter.waitNanos(none));
        assertEquals(NO_ROOM, limiter.tryAcquire(ipv4(10), T / 2));
        assertEquals(2, limiter.noRoomRefusals());
        assertEquals(8, limiter.slots());
        assertEquals(ADMITTED, limiter.tryAcquire(ipv4(3), T / 2), "the addresses it holds are still counted");
    }

    @Test
    void shouldReuseTheSlotOfAnAddressBackAtItsFullBurst() {
        AddressRateLimiter limiter = new AddressRateLimiter(10, 5, 8, SEED);
        for (int address = 1; address <= 8; address++) {
            assertEquals(ADMITTED, limiter.tryAcquire(ipv4(address), 0));
        }
        // Address 8 fails four more times: its TAT is 5T ahead; the others' is T.
        for (int i = 0; i < 4; i++) {
            assertEquals(ADMITTED, limiter.tryAcquire(ipv4(8), 0));
        }
        assertEquals(NO_ROOM, limiter.tryAcquire(ipv4(9), T - 1024));
        for (int address = 9; address <= 15; address++) {
            assertEquals(ADMITTED, limiter.tryAcquire(ipv4(address), T), "takes the slot of an address at full burst");
        }
        assertEquals(NO_ROOM, limiter.tryAcquire(ipv4(16), T), "address 8 still holds its slot");
        assertEquals(ADMITTED, limiter.tryAcquire(ipv4(8), T), "and is still counted: one more after an interval");
        assertTrue(limiter.tryAcquire(ipv4(8), T) < 0);
        for (int i = 0; i < 5; i++) {
            assertEquals(ADMITTED, limiter.tryAcquire(ipv4(1), 10 * T), "a forgotten address had lost nothing");
        }
    }

    @Test
    void shouldAdmitExactlyTheBurstToThreadsRacingOnOneAddress() throws Exception {
        int threads = 8;
        int burst = 1000;
        for (int round = 0; round < 20; round++) {
            AddressRateLimiter limiter = new AddressRateLimiter(1, burst, 64, round);
            long[] admitted = race(threads, 500, i -> limiter.tryAcquire(ipv4(7), 5 * SECOND));
            long total = 0;
            for (long a : admitted) {
                total += a;
            }
            assertEquals(burst, total, "round " + round);
        }
    }

    @Test
    void shouldLoseNoUpdateBetweenAddressesSharingABucket() throws Exception {
        int burst = 300;
        for (int round = 0; round < 20; round++) {
            // One bucket, eight addresses, a thread each: every slot is taken and updated at once.
            AddressRateLimiter limiter = new AddressRateLimiter(1, burst, 8, round);
            long[] admitted = race(8, 400, i -> limiter.tryAcquire(ipv4(i), 5 * SECOND));
            for (int i = 0; i < 8; i++) {
                assertEquals(burst, admitted[i], "round " + round + ", address " + i);
            }
            assertEquals(0, limiter.noRoomRefusals());
        }
    }

    /** {@code threads} threads started together, each making {@code tries} attempts: how many each had admitted. */
    private static long[] race(int threads, int tries, java.util.function.IntToLongFunction attempt) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Long>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    start.await();
                    long n = 0;
                    for (int i = 0; i < tries; i++) {
                        if (AddressRateLimiter.isAdmitted(attempt.applyAsLong(thread))) {
                            n++;
                        }
                    }
                    return n;
                }));
            }
            start.countDown();
            long[] admitted = new long[threads];
            for (int t = 0; t < threads; t++) {
                admitted[t] = results.get(t).get(30, TimeUnit.SECONDS);
            }
            return admitted;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldWorkAcrossTheClockWrappingAround() {
        AddressRateLimiter limiter = new AddressRateLimiter(10, 2, 64, SEED);
        long t0 = Long.MAX_VALUE - T / 2;
        assertEquals(ADMITTED, limiter.tryAcquire(ipv4(1), t0));
        assertEquals(ADMITTED, limiter.tryAcquire(ipv4(1), t0));
        long refused = limiter.tryAcquire(ipv4(1), t0 + T / 4);
        assertTrue(refused < 0);
        assertTrue(limiter.waitNanos(refused) > 0 && limiter.waitNanos(refused) <= T);
        assertEquals(ADMITTED_WHILE_REFUSING, limiter.tryAcquire(ipv4(1), t0 + T + 1024), "past Long.MAX_VALUE");
        assertEquals(ADMITTED, limiter.tryAcquire(ipv4(1), t0 + 10 * T));
    }

    @Test
    void shouldKeyIpv4ByAddressAndIpv6ByItsSlash64() throws Exception {
        long v4 = AddressRateLimiter.key(InetAddress.getByName("192.0.2.7"));
        assertEquals(0xFFFF_FFFF_C000_0207L, v4);
        assertEquals(v4, AddressRateLimiter.key(InetAddress.getByName("::ffff:192.0.2.7")), "IPv4-mapped is IPv4");
        assertNotEquals(v4, AddressRateLimiter.key(InetAddress.getByName("192.0.2.8")));
        long v6 = AddressRateLimiter.key(InetAddress.getByName("2001:db8:1:2::1"));
        assertEquals(0x2001_0db8_0001_0002L, v6);
        assertEquals(v6, AddressRateLimiter.key(InetAddress.getByName("2001:db8:1:2:ffff:eeee:dddd:cccc")));
        assertNotEquals(v6, AddressRateLimiter.key(InetAddress.getByName("2001:db8:1:3::1")));
        long loopback = AddressRateLimiter.key(InetAddress.getByName("::1"));
        assertNotEquals(0, loopback);
        assertNotEquals(v4, loopback);
    }

    @Test
    void shouldRefuseSettingsItCannotKeep() {
        assertThrows(IllegalArgumentException.class, () -> new AddressRateLimiter(0, 1, 8, 0));
        assertThrows(IllegalArgumentException.class, () -> new AddressRateLimiter(1, 0, 8, 0));
        assertThrows(IllegalArgumentException.class, () -> new AddressRateLimiter(1, 1, 0, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new AddressRateLimiter(1, 1, AddressRateLimiter.MAX_ADDRESSES + 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new AddressRateLimiter(1e-6, 2_000_000, 8, 0),
                "a span the 44-bit clock cannot tell from the past");
        assertEquals(16, new AddressRateLimiter(1, 1, 9, 0).slots(), "rounded up to a power of two");
        assertEquals(8, new AddressRateLimiter(1, 1, 1, 0).slots(), "at least a bucket");
    }
}
