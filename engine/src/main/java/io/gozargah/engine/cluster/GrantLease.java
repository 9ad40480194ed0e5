package io.gozargah.engine.cluster;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.LongSupplier;

/**
 * One grant's (or, without quotas, one consumer's) part of the cluster on this node: the block of its day and
 * month quota this node holds (its lease), the share of its rate this node enforces, and what was admitted on the
 * fallback while Redis was away. The event loops spend the lease with one compare-and-set, as they count the
 * local quota; nothing here waits for Redis. The {@link ClusterAgent} alone tops it up, gives it back and reports
 * the demand.
 *
 * <p>The lease, the fallback allowance and the unleased counts are each one {@code long}, a period index and a
 * count packed as in {@link io.gozargah.engine.admission.PeriodCounter} ({@code period << 40 | count}): a lease is
 * good for the billing day it was taken in (a day lies within one month, so for that month too) and is worth
 * nothing the next day, without anyone clearing it at midnight.
 */
public final class GrantLease {
    static final int COUNT_BITS = 40;
    static final long COUNT_MASK = (1L << COUNT_BITS) - 1;
    private static final VarHandle WORD;
    private static final VarHandle FALLBACK;
    private static final VarHandle UNLEASED_DAY;
    private static final VarHandle UNLEASED_MONTH;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            WORD = lookup.findVarHandle(GrantLease.class, "word", long.class);
            FALLBACK = lookup.findVarHandle(GrantLease.class, "fallback", long.class);
            UNLEASED_DAY = lookup.findVarHandle(GrantLease.class, "unleasedDay", long.class);
            UNLEASED_MONTH = lookup.findVarHandle(GrantLease.class, "unleasedMonth", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final String name;
    final String tag;
    private final Runnable lowLease;

    /** Tokens this node may spend: {@code day << 40 | tokens}. */
    private volatile long word;
    /** What the local-share fallback may still admit: {@code day << 40 | allowance}. */
    private volatile long fallback;
    /** Admitted on the fallback, not yet written back: {@code day << 40 | count} and {@code month << 40 | count}. */
    private volatile long unleasedDay;
    private volatile long unleasedMonth;
    /** Tokens left at or below which the agent is woken to top the lease up early. */
    volatile long lowWater;
    /** The cluster's count as of the last sync, {@code day << 40 | leased out that day} and the month's. */
    volatile long usedDay;
    volatile long usedMonth;
    /** This node's terms of the configured rate. */
    volatile RateTerms terms = RateTerms.NONE;

    // Terms of the running configuration, written by plans (serialised), read by the agent.
    volatile long quotaDay;
    volatile long quotaMonth;
    volatile double rate;
    volatile int burst;
    volatile LongSupplier attempts;
    volatile boolean inConfig = true;
    /** Set by a plan that changed the quota: the lease is given back and taken afresh at the next sync. */
    volatile boolean giveBack;

    // The agent's own bookkeeping: touched by its thread only.
    long leaseMonth = -1;
    long lastAttempts = -1;
    long lastSampleNanos;
    double demand;
    boolean published;
    long target;
    /** Day and month of the last sync, for the quota-exhausted answer. */
    long syncedDay = -1;

    GrantLease(String name, String tag, Runnable lowLease) {
        this.name = name;
        this.tag = tag;
        this.lowLease = lowLease;
        this.word = -1L << COUNT_BITS; // no day: nothing to spend until the first sync
        this.fallback = -1L << COUNT_BITS;
    }

    /** {@code consumer provider/service} for a grant, the consumer's name for a consumer. */
    public String name() {
        return name;
    }

    /** Whether this grant has a day or month quota, held by leases. */
    public boolean hasQuota() {
        return quotaDay > 0 || quotaMonth > 0;
    }

    /** This node's terms of the rate: read once per request. */
    public RateTerms terms() {
        return terms;
    }

    static long period(long word) {
        return word >> COUNT_BITS;
    }

    static long count(long word) {
        return word & COUNT_MASK;
    }

    static long pack(long period, long count) {
        return period << COUNT_BITS | count;
    }

    /**
     * Spends one token of the lease of {@code day}; false when the lease is spent or of another day. Wakes the
     * agent when the lease falls to its low-water mark, so that the next block is asked for before this one ends,
     * and when the day has changed. (Not when it is spent: a grant whose quota is used up would keep the agent
     * asking Redis round after round.)
     */
    public boolean take(long day) {
        long w = word;
        while (true) {
            long tokens = count(w);
            if (period(w) != day) {
                lowLease.run(); // a new day: its first lease is wanted now, not at the next round
                return false;
            }
            if (tokens == 0) {
                return false;
            }
            long witness = (long) WORD.compareAndExchange(this, w, w - 1);
            if (witness == w) {
                if (tokens - 1 <= lowWater) {
                    lowLease.run();
                }
                return true;
            }
            w = witness;
        }
    }

    /** Gives back a token {@link #take} spent, when a later check refused the request. */
    public void untake(long day) {
        long w = word;
        while (period(w) == day) {
            long witness = (long) WORD.compareAndExchange(this, w, w + 1);
            if (witness == w) {
                return;
            }
            w = witness;
        }
    }

    /**
     * Admits one request on the local-share fallback of {@code day} (Redis away, lease spent), counting it to be
     * written back; false when the fallback allowance is spent too.
     */
    public boolean takeFallback(long day, long month) {
        long w = fallback;
        while (true) {
            if (period(w) != day || count(w) == 0) {
                return false;
            }
            long witness = (long) FALLBACK.compareAndExchange(this, w, w - 1);
            if (witness == w) {
                break;
            }
            w = witness;
        }
        addTo(UNLEASED_DAY, day, 1);
        addTo(UNLEASED_MONTH, month, 1);
        return true;
    }

    /** Takes back a request {@link #takeFallback} admitted, when a later check refused it. */
    public void untakeFallback(long day, long month) {
        addTo(UNLEASED_DAY, day, -1);
        addTo(UNLEASED_MONTH, month, -1);
        long w = fallback;
        while (period(w) == day) {
            long witness = (long) FALLBACK.compareAndExchange(this, w, w + 1);
            if (witness == w) {
                return;
            }
            w = witness;
        }
    }

    /** Adds {@code n} to the count of {@code handle}'s word in {@code period}, starting it afresh in a new one. */
    private void addTo(VarHandle handle, long period, long n) {
        long w = (long) handle.getVolatile(this);
        while (true) {
            long count = period(w) == period ? count(w) : 0;
            long next = pack(period, Math.max(0, count + n));
            long witness = (long) handle.compareAndExchange(this, w, next);
            if (witness == w) {
                return;
            }
            w = witness;
        }
    }

    /** The cluster's count of {@code day} as of the last sync (0 when not synced that day). */
    public long clusterUsedDay(long day) {
        long w = usedDay;
        return period(w) == day ? count(w) : 0;
    }

    public long clusterUsedMonth(long month) {
        long w = usedMonth;
        return period(w) == month ? count(w) : 0;
    }

    /** Tokens held for {@code day}. */
    public long tokens(long day) {
        long w = word;
        return period(w) == day ? count(w) : 0;
    }

    // ---- the agent's side

    /** Adds a block taken for {@code day} (of {@code month}); a lease of another day is replaced. */
    void add(long day, long month, long n) {
        addTo(WORD, day, n);
        leaseMonth = month;
    }

    /** Empties the lease; returns what it held, as {@code day << 40 | tokens}. */
    long drain() {
        long w = word;
        while (true) {
            long witness = (long) WORD.compareAndExchange(this, w, pack(period(w), 0));
            if (witness == w) {
                return w;
            }
            w = witness;
        }
    }

    /** Empties a lease of a day other than {@code day}; returns it as {@link #drain} does, or 0 if none. */
    long drainStale(long day) {
        long w = word;
        while (period(w) != day && count(w) > 0) {
            long witness = (long) WORD.compareAndExchange(this, w, pack(period(w), 0));
            if (witness == w) {
                return w;
            }
            w = witness;
        }
        return 0;
    }

    void fallbackAllowance(long day, long allowance) {
        fallback = pack(day, allowance);
    }

    long unleasedDay() {
        return unleasedDay;
    }

    long unleasedMonth() {
        return unleasedMonth;
    }

    /** Takes {@code n} of the unleased count of {@code period} off, once it was written back. */
    void written(boolean day, long period, long n) {
        VarHandle h = day ? UNLEASED_DAY : UNLEASED_MONTH;
        long w = (long) h.getVolatile(this);
        while (period(w) == period) {
            long witness = (long) h.compareAndExchange(this, w, pack(period, Math.max(0, count(w) - n)));
            if (witness == w) {
                return;
            }
            w = witness;
        }
    }

    @Override
    public String toString() {
        return "lease of " + name + ": " + count(word) + " tokens (day " + period(word) + ")";
    }
}
