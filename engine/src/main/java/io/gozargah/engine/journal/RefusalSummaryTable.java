package io.gozargah.engine.journal;

import io.gozargah.codec.journal.RefusalSummaryFlyweight;

import java.util.Arrays;

/**
 * One event loop's counts of exchanges journaled as part of a summary instead of a record of their own, keyed by
 * (reason, outcome, status, consumer, service, client address), until {@link #flush} writes them into the ring as
 * {@link RefusalSummaryFlyweight} records. Open addressing over primitive arrays sized once: counting allocates
 * nothing and takes no lock, since only its loop touches it (and, at close, the thread that closes the journal,
 * once the loops have stopped).
 *
 * <p>Bounded: at most {@code maxKeys} keys. A new key beyond that is folded into the key with the same reason,
 * outcome and status and no consumer, service or address; should even those fill the {@link #FOLD_KEYS} slots
 * kept for them, into one key per reason with outcome and status 0. A count is never dropped: it is written in
 * some summary, with less detail.
 *
 * <p>{@link #flush} writes every key with a count and stops at the first the ring has no room for; what was not
 * written stays counted for the next flush. Keys whose counts were written stay in place (count 0) until a flush
 * writes everything, which empties the table.
 */
final class RefusalSummaryTable {
    /** Slots kept beyond {@code maxKeys} for folded keys: (reason, outcome, status) triples seen in one interval. */
    static final int FOLD_KEYS = 256;
    /** Slots kept for the last resort: one key per reason code (a byte). */
    private static final int LAST_RESORT_KEYS = 256;
    private static final long USED = 1;
    private static final long IPV6 = 2;

    private final int maxKeys;
    private final int mask;
    /** reason (8 bits) << 48 | outcome (16) << 32 | status (16) << 16 | IPV6 | USED; 0: a free slot. */
    private final long[] key;
    /** consumer id << 32 | service id (both unsigned 32 bits). */
    private final long[] names;
    private final long[] addressHigh;
    private final long[] addressLow;
    private final long[] count;
    private final long[] firstMsb;
    private final long[] firstLsb;
    private final long[] lastMsb;
    private final long[] lastLsb;
    private final long[] startNanos;
    private final long[] endNanos;
    private final RefusalSummaryFlyweight record = new RefusalSummaryFlyweight();
    private int keys;
    private long pending;
    private long folded;

    RefusalSummaryTable(int maxKeys) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("a summary table needs room for one key, not " + maxKeys);
        }
        this.maxKeys = maxKeys;
        int slots = Integer.highestOneBit((maxKeys + FOLD_KEYS + LAST_RESORT_KEYS) * 2 - 1) << 1;
        this.mask = slots - 1;
        key = new long[slots];
        names = new long[slots];
        addressHigh = new long[slots];
        addressLow = new long[slots];
        count = new long[slots];
        firstMsb = new long[slots];
        firstLsb = new long[slots];
        lastMsb = new long[slots];
        lastLsb = new long[slots];
        startNanos = new long[slots];
        endNanos = new long[slots];
    }

    /**
     * Counts one exchange.
     *
     * @param reason          a {@link io.gozargah.codec.journal.SummaryReason} code
     * @param outcome         its {@link OutcomeCode}
     * @param status          the HTTP status it was answered (0: none)
     * @param consumer        dictionary id, 0 for none
     * @param service         dictionary id, 0 for none
     * @param addressHigh     the first 8 bytes of the client address as stored in a record (big-endian), 0 if none
     * @param addressLow      the last 8 bytes (an IPv4 address is IPv4-mapped)
     * @param ipv6            whether the address is IPv6
     * @param txMsb           its transaction id
     * @param txLsb           its transaction id
     * @param startEpochNanos its start
     */
    void count(int reason, int outcome, int status, int consumer, int service, long addressHigh, long addressLow,
               boolean ipv6, long txMsb, long txLsb, long startEpochNanos) {
        long k = (long) (reason & 0xFF) << 48 | (long) (outcome & 0xFFFF) << 32 | (long) (status & 0xFFFF) << 16
                | (ipv6 ? IPV6 : 0) | USED;
        long n = (long) consumer << 32 | service & 0xFFFF_FFFFL;
        int slot = find(k, n, addressHigh, addressLow);
        if (key[slot] == 0) {
            if (keys >= maxKeys) {
                folded++;
                k &= ~IPV6;
                slot = find(k, 0, 0, 0);
                if (key[slot] == 0 && keys >= maxKeys + FOLD_KEYS) {
                    k = (long) (reason & 0xFF) << 48 | USED;
                    slot = find(k, 0, 0, 0);
                }
                n = 0;
                addressHigh = 0;
                addressLow = 0;
            }
            if (key[slot] == 0) {
                key[slot] = k;
                names[slot] = n;
                this.addressHigh[slot] = addressHigh;
                this.addressLow[slot] = addressLow;
                keys++;
            }
        }
        if (count[slot]++ == 0) {
            firstMsb[slot] = txMsb;
            firstLsb[slot] = txLsb;
            startNanos[slot] = startEpochNanos;
        }
        lastMsb[slot] = txMsb;
        lastLsb[slot] = txLsb;
        endNanos[slot] = startEpochNanos;
        pending++;
    }

    /** The slot holding the key, or the free slot where it belongs. */
    private int find(long k, long n, long high, long low) {
        int slot = hash(k, n, high, low) & mask;
        while (key[slot] != 0
                && (key[slot] != k || names[slot] != n || addressHigh[slot] != high || addressLow[slot] != low)) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private static int hash(long k, long n, long high, long low) {
        long h = k * 0x9E37_79B9_7F4A_7C15L;
        h = (h ^ n) * 0xC2B2_AE3D_27D4_EB4FL;
        h = (h ^ high) * 0x1656_67B1_9E37_79F9L;
        h = (h ^ low) * 0x9E37_79B9_7F4A_7C15L;
        return (int) (h ^ (h >>> 32));
    }

    /**
     * Writes every key with a count into {@code ring} as one summary each, claiming as {@code room} allows, and
     * stops at the first the ring has no room for.
     *
     * @return the summary records written
     */
    int flush(JournalRing ring, JournalRing.Room room) {
        if (pending == 0) {
            return 0;
        }
        int written = 0;
        for (int slot = 0; slot <= mask; slot++) {
            if (count[slot] == 0) {
                continue;
            }
            int index = ring.claimSummary(room);
            if (index < 0) {
                return written;
            }
            write(slot, record.wrapForWrite(ring.buffer(), index));
            ring.commit(index);
            pending -= count[slot];
            count[slot] = 0;
            written++;
        }
        Arrays.fill(key, 0);
        keys = 0;
        return written;
    }

    private void write(int slot, RefusalSummaryFlyweight r) {
        long k = key[slot];
        r.reason((int) (k >>> 48) & 0xFF)
                .outcomeCode((int) (k >>> 32) & 0xFFFF)
                .httpStatus((int) (k >>> 16) & 0xFFFF)
                .consumerId((int) (names[slot] >>> 32))
                .serviceId((int) names[slot])
                .firstTxId(firstMsb[slot], firstLsb[slot])
                .lastTxId(lastMsb[slot], lastLsb[slot])
                .intervalStartEpochNanos(startNanos[slot])
                .intervalEndEpochNanos(endNanos[slot])
                .count(count[slot])
                .clientAddress(addressHigh[slot], addressLow[slot], (k & IPV6) != 0);
    }

    /** Exchanges counted and not yet written into the ring. */
    long pending() {
        return pending;
    }

    /** Keys in the table, written or not. */
    int keys() {
        return keys;
    }

    /** Exchanges counted under a folded key because the table was full. */
    long folded() {
        return folded;
    }
}
