package io.gozargah.engine.accept;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open consumer connections per client address, each capped. An IPv4 client is counted by its address; an
 * IPv6 client by its /64, the network one subscriber is given, since a single host can take any address in it.
 * An address's entry exists while it has connections: the close that takes it to zero removes it. No locks:
 * a counter at zero is dead (nothing increments it again), and whoever meets one removes it and starts afresh.
 */
final class AddressCounts {
    private final int max;
    private final ConcurrentHashMap<Long, AtomicInteger> v4 = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, AtomicInteger> v6 = new ConcurrentHashMap<>();

    AddressCounts(int max) {
        this.max = max;
    }

    /** Counts one more connection from {@code address}: its counter, or null (nothing counted) at the cap. */
    AtomicInteger acquire(InetAddress address) {
        ConcurrentHashMap<Long, AtomicInteger> map = map(address);
        Long key = key(address);
        while (true) {
            AtomicInteger count = map.get(key);
            if (count == null) {
                count = new AtomicInteger(1);
                if (map.putIfAbsent(key, count) == null) {
                    return count;
                }
                continue;
            }
            int n = count.get();
            if (n == 0) {
                map.remove(key, count);
            } else if (n >= max) {
                return null;
            } else if (count.compareAndSet(n, n + 1)) {
                return count;
            }
        }
    }

    /** One connection fewer from {@code address}, whose {@link #acquire} returned {@code count}. */
    void release(InetAddress address, AtomicInteger count) {
        if (count.decrementAndGet() == 0) {
            map(address).remove(key(address), count);
        }
    }

    /** Addresses (IPv6: /64 networks) with connections open. */
    int size() {
        return v4.size() + v6.size();
    }

    /** Connections open from {@code address}'s entry. */
    int count(InetAddress address) {
        AtomicInteger count = map(address).get(key(address));
        return count == null ? 0 : count.get();
    }

    private ConcurrentHashMap<Long, AtomicInteger> map(InetAddress address) {
        return address instanceof Inet4Address ? v4 : v6;
    }

    private static Long key(InetAddress address) {
        byte[] b = address.getAddress();
        long key = 0;
        // IPv4: all four bytes. IPv6: the first eight, the /64. (InetAddress turns IPv4-mapped IPv6 into IPv4.)
        int n = address instanceof Inet6Address ? 8 : b.length;
        for (int i = 0; i < n; i++) {
            key = (key << 8) | (b[i] & 0xFF);
        }
        return key;
    }
}
