package io.gozargah.engine.admission;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;

/**
 * GCRA rate limits for client addresses (an IPv4 address, an IPv6 /64), in a table of fixed size that every event
 * loop shares: the same decision as {@link GcraRateLimiter}, for keys that are not known beforehand and may be
 * anyone's. No lock, and nothing allocated after construction.
 *
 * <p>The table is {@value #BUCKET_SLOTS}-slot buckets, one 64-byte cache line each; an address hashes (with a seed
 * drawn at construction, so that nobody can aim addresses at one bucket) to one bucket and lives in any of its
 * slots. A slot is one {@code long}, so claiming, updating and reusing it is one compare-and-set, never a torn
 * state between an address and its TAT:
 *
 * <pre>
 *   63           45 44 43                                   0
 *  +---------------+--+--------------------------------------+
 *  | fingerprint   |R | TAT, in units of 1024 ns, modulo 2^44 |
 *  +---------------+--+--------------------------------------+
 * </pre>
 *
 * The fingerprint is 19 other bits of the address's hash (never 0, so a used slot is never 0, the free word).
 * Two addresses with the same bucket and fingerprint share one TAT: this is rare (one pair in 2^19 of those that
 * meet in a bucket) and only ever makes the limit stricter for both. R is set when the address is refused, and
 * stays set until its TAT falls behind the clock ({@link #ADMITTED_WHILE_REFUSING}).
 *
 * <p>A slot whose TAT is not ahead of now holds an address at its full burst, which is what an address without a
 * slot has: forgetting it loses nothing, so such a slot is free for any address to take. A TAT is never
 * legitimately more than {@code burst × T} ahead of now either, so one further ahead is a slot idle for so long
 * that the 44-bit clock (208 days) went round, and is free too. An address meeting a bucket whose every slot holds
 * a TAT ahead of now gets {@link #NO_ROOM}: the caller must fail safe (refuse), since letting it through would let
 * anyone with enough addresses switch the limit off by filling the table. Two threads that find no slot for the
 * same new address at the same instant may take two; the second copy is simply never found first and frees itself.
 *
 * <p>TATs are kept in units of 1024 ns (so that 44 bits span 208 days) with the emission interval {@code T}
 * rounded up to whole units: rounding only makes the limit stricter. Readings are compared by subtraction modulo
 * 2<sup>44</sup> units, so wrapping clocks work as in {@link GcraRateLimiter}.
 */
public final class AddressRateLimiter {
    /** Admitted, and the address has not been refused since it last had its full burst. */
    public static final long ADMITTED = 0;
    /**
     * Admitted (it is within the rate), but the address was refused since it last had its full burst: it is in a
     * spell of going faster than the limit, and the caller may treat its requests as part of the flood.
     */
    public static final long ADMITTED_WHILE_REFUSING = 1;
    /** Refused: the address has no slot and its bucket has no free one. */
    public static final long NO_ROOM = 2;

    /** Slots per bucket: one cache line of {@code long}s. */
    static final int BUCKET_SLOTS = 8;
    private static final int BUCKET_BYTES = BUCKET_SLOTS * Long.BYTES;
    static final int UNIT_SHIFT = 10;
    private static final int TAT_BITS = 44;
    private static final long TAT_MASK = (1L << TAT_BITS) - 1;
    private static final long REFUSED = 1L << TAT_BITS;
    private static final int FINGERPRINT_SHIFT = TAT_BITS + 1;
    private static final long FINGERPRINT_MASK = -1L << FINGERPRINT_SHIFT;
    /** Spans are kept far below half the 44-bit range, so that "ahead" and "behind" are never mistaken. */
    static final long MAX_SPAN_UNITS = 1L << 40;
    /** Most slots: 2^24 (128 MiB). */
    public static final int MAX_ADDRESSES = 1 << 24;
    /** What {@link #tryAcquire} returns internally when a compare-and-set lost a race: look again. */
    private static final long RETRY = Long.MIN_VALUE;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final AtomicBuffer words;
    private final int bucketMask;
    private final long seed;
    private final long intervalUnits;
    private final long spanUnits;
    private final long intervalNanos;
    private final LongAdder noRoom = new LongAdder();

    /**
     * @param ratePerSecond sustained requests per second per address, {@code > 0}
     * @param burst         requests an address at its full burst may make at one instant, {@code ≥ 1}
     * @param addresses     slots, rounded up to a power of two of at least {@value #BUCKET_SLOTS}; at most
     *                      {@link #MAX_ADDRESSES}
     * @param seed          mixed into the address hash: draw it at random, so that buckets cannot be aimed at
     */
    public AddressRateLimiter(double ratePerSecond, int burst, int addresses, long seed) {
        if (!(ratePerSecond > 0) || ratePerSecond > NANOS_PER_SECOND) {
            throw new IllegalArgumentException("rate must be > 0 and <= 1e9 per second: " + ratePerSecond);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be >= 1: " + burst);
        }
        if (addresses < 1 || addresses > MAX_ADDRESSES) {
            throw new IllegalArgumentException("addresses must be 1.." + MAX_ADDRESSES + ": " + addresses);
        }
        long interval = GcraRateLimiter.emissionIntervalNanos(ratePerSecond);
        this.intervalUnits = Math.max(1, (interval + (1 << UNIT_SHIFT) - 1) >> UNIT_SHIFT);
        if ((double) intervalUnits * burst > MAX_SPAN_UNITS) {
            throw new IllegalArgumentException("burst / rate too long a span: " + burst + " / " + ratePerSecond);
        }
        this.spanUnits = intervalUnits * burst;
        this.intervalNanos = intervalUnits << UNIT_SHIFT;
        this.seed = seed;
        int slots = Math.max(BUCKET_SLOTS, Integer.highestOneBit(addresses - 1) << 1);
        this.bucketMask = slots / BUCKET_SLOTS - 1;
        ByteBuffer memory = ByteBuffer.allocateDirect(slots * Long.BYTES + BUCKET_BYTES);
        // Direct buffers are only guaranteed 8-aligned: start the first bucket on a cache line.
        long address = new UnsafeBuffer(memory).addressOffset();
        int pad = (int) ((BUCKET_BYTES - (address & (BUCKET_BYTES - 1))) & (BUCKET_BYTES - 1));
        this.words = new UnsafeBuffer(memory, pad, slots * Long.BYTES);
    }

    /**
     * The key of a client address: an IPv4 address whole, an IPv6 address by its /64 (the network one subscriber
     * is given, any address of which one host can take). IPv4 addresses are placed in {@code ffff:ffff::/32} and
     * the IPv6 {@code ::/64} (loopback) in {@code ff00::/64}, both multicast, which is never a source address
     * (RFC 4291 §2.7), so no two clients share a key. Allocates (the address's bytes): compute it once per
     * connection.
     */
    public static long key(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return 0xFFFF_FFFF_0000_0000L | (b[0] & 0xFFL) << 24 | (b[1] & 0xFFL) << 16 | (b[2] & 0xFFL) << 8
                    | b[3] & 0xFFL;
        }
        long prefix = 0;
        for (int i = 0; i < 8; i++) {
            prefix = prefix << 8 | b[i] & 0xFFL;
        }
        return prefix == 0 ? 0xFF00_0000_0000_0000L : prefix;
    }

    /**
     * Admits or refuses one request of the address with {@code key} at {@code nowNanos}. Lock-free: a
     * compare-and-set on one slot, retried only when another thread changed it in between; a refusal of an address
     * already marked refused writes nothing, so a flood reads a cache line that stays shared.
     *
     * @return {@link #ADMITTED}, {@link #ADMITTED_WHILE_REFUSING}, {@link #NO_ROOM}, or {@code < 0}: refused, as
     *         {@code ~waitNanos} ({@link #waitNanos(long)}), the wait until a request would pass
     */
    public long tryAcquire(long key, long nowNanos) {
        long hash = mix(key ^ seed);
        int bucket = ((int) hash & bucketMask) * BUCKET_BYTES;
        long fingerprint = hash & FINGERPRINT_MASK;
        if (fingerprint == 0) {
            fingerprint = 1L << FINGERPRINT_SHIFT;
        }
        long now = (nowNanos >> UNIT_SHIFT) & TAT_MASK;
        while (true) {
            int free = -1;
            long freeWord = 0;
            long result = RETRY;
            boolean found = false;
            for (int at = bucket; at < bucket + BUCKET_BYTES; at += Long.BYTES) {
                long word = words.getLongVolatile(at);
                if ((word & FINGERPRINT_MASK) == fingerprint) {
                    found = true;
                    result = decide(at, word, now);
                    break;
                }
                if (free < 0 && !ahead(word, now)) {
                    free = at;
                    freeWord = word;
                }
            }
            if (found) {
                if (result != RETRY) {
                    return result;
                }
                continue;
            }
            if (free < 0) {
                noRoom.increment();
                return NO_ROOM;
            }
            if (words.compareAndSetLong(free, freeWord, fingerprint | ((now + intervalUnits) & TAT_MASK))) {
                return ADMITTED;
            }
        }
    }

    /** The GCRA step on the address's own slot, or {@link #RETRY} when the slot changed meanwhile. */
    private long decide(int at, long word, long now) {
        if (!ahead(word, now)) {
            // Its full burst again: a fresh start, and the refusals it had are behind it.
            long fresh = (word & FINGERPRINT_MASK) | ((now + intervalUnits) & TAT_MASK);
            return words.compareAndSetLong(at, word, fresh) ? ADMITTED : RETRY;
        }
        long tat = word & TAT_MASK;
        long aheadAfter = distance(tat, now) + intervalUnits;
        if (aheadAfter > spanUnits) {
            if ((word & REFUSED) == 0 && !words.compareAndSetLong(at, word, word | REFUSED)) {
                return RETRY;
            }
            return ~((aheadAfter - spanUnits) << UNIT_SHIFT);
        }
        long next = (word & ~TAT_MASK) | ((tat + intervalUnits) & TAT_MASK);
        if (!words.compareAndSetLong(at, word, next)) {
            return RETRY;
        }
        return (word & REFUSED) != 0 ? ADMITTED_WHILE_REFUSING : ADMITTED;
    }

    /** Whether a slot holds a TAT ahead of {@code now}, within the span: an address short of its full burst. */
    private boolean ahead(long word, long now) {
        if (word == 0) {
            return false;
        }
        long d = distance(word & TAT_MASK, now);
        return d > 0 && d <= spanUnits;
    }

    /** {@code tat - now} modulo 2^44, as a signed number of units. */
    private static long distance(long tat, long now) {
        return ((tat - now) << (64 - TAT_BITS)) >> (64 - TAT_BITS);
    }

    /** A 64-bit finalizer (SplitMix64's): every input bit moves about half of the output bits. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    /** Whether a {@link #tryAcquire} result admits the request. */
    public static boolean isAdmitted(long result) {
        return result == ADMITTED || result == ADMITTED_WHILE_REFUSING;
    }

    /**
     * The wait of a refusal: nanoseconds until a request of the address would pass; for {@link #NO_ROOM}, one
     * emission interval, since when a slot frees up is not known.
     */
    public long waitNanos(long result) {
        if (result == NO_ROOM) {
            return intervalNanos;
        }
        if (result >= 0) {
            throw new IllegalArgumentException("not a refusal: " + result);
        }
        return ~result;
    }

    /** Addresses short of their full burst at {@code nowNanos}: slots no other address may take. Scans the table. */
    public int addresses(long nowNanos) {
        long now = (nowNanos >> UNIT_SHIFT) & TAT_MASK;
        int n = 0;
        for (int at = 0; at < words.capacity(); at += Long.BYTES) {
            if (ahead(words.getLongVolatile(at), now)) {
                n++;
            }
        }
        return n;
    }

    /** Slots in the table. */
    public int slots() {
        return words.capacity() / Long.BYTES;
    }

    /** Requests refused with {@link #NO_ROOM} since construction. */
    public long noRoomRefusals() {
        return noRoom.sum();
    }

    /** The emission interval as kept: {@code ceil(1e9 / rate)} ns rounded up to whole 1024 ns units. */
    public long emissionIntervalNanos() {
        return intervalNanos;
    }
}
