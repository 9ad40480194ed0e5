package io.gozargah.engine.accept;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AddressCountsTest {
    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    @Test
    void shouldCapEachAddressAndForgetItAtZero() throws Exception {
        AddressCounts counts = new AddressCounts(2);
        InetAddress a = ip("10.0.0.1");
        AtomicInteger first = counts.acquire(a);
        AtomicInteger second = counts.acquire(a);
        assertNotNull(first);
        assertNotNull(second);
        assertNull(counts.acquire(a), "the third from one address");
        assertNotNull(counts.acquire(ip("10.0.0.2")), "another address has its own count");
        assertEquals(2, counts.size());

        counts.release(a, first);
        assertNotNull(counts.acquire(a), "room again after a close");
        counts.release(a, second);
        counts.release(a, first);
        assertEquals(0, counts.count(a));
        assertEquals(1, counts.size(), "an address with no connection left is removed");
    }

    @Test
    void shouldCountAnIpv6ClientByItsSlash64() throws Exception {
        AddressCounts counts = new AddressCounts(2);
        assertNotNull(counts.acquire(ip("2001:db8:1:2::1")));
        assertNotNull(counts.acquire(ip("2001:db8:1:2:ffff::9")));
        assertNull(counts.acquire(ip("2001:db8:1:2:abcd::1")), "one /64 is one client");
        assertNotNull(counts.acquire(ip("2001:db8:1:3::1")), "the next /64 is another");
    }

    @Test
    void shouldKeepIpv4AndIpv6ApartWhereTheirKeysMatch() throws Exception {
        AddressCounts counts = new AddressCounts(1);
        assertNotNull(counts.acquire(ip("10.0.0.1")));
        // Its /64 as a number is 0x0A000001, as is 10.0.0.1.
        assertNotNull(counts.acquire(ip("0:0:a00:1::1")));
        assertNotNull(counts.acquire(ip("::ffff:10.0.0.2")), "IPv4-mapped is counted as IPv4");
        assertNull(counts.acquire(ip("::ffff:10.0.0.1")));
    }

    @Test
    void shouldNeverPassTheCapNorLeaveEntriesWhenThreadsRaceOnOneAddress() throws Exception {
        AddressCounts counts = new AddressCounts(3);
        InetAddress a = ip("192.0.2.7");
        AtomicInteger highest = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < 100_000; i++) {
                        AtomicInteger c = counts.acquire(a);
                        if (c != null) {
                            highest.accumulateAndGet(counts.count(a), Math::max);
                            counts.release(a, c);
                        }
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            thread.start();
            threads.add(thread);
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertNull(failure.get());
        assertEquals(0, counts.size(), "every entry removed once its last connection closed");
        assertTrue(highest.get() <= 3, "at most the cap at once: " + highest.get());
    }
}
