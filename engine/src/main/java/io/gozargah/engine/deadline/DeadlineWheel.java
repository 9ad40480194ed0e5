package io.gozargah.engine.deadline;

import io.gozargah.engine.admission.NanoClock;

/**
 * The deadlines of every exchange and connection of one event loop (idle, request head, whole request, response
 * head, send, discard) in one hashed timing wheel, advanced by one periodic task per loop instead of a scheduled
 * task per request or per connection. A deadline is due in the bucket of the first tick at or after it; buckets
 * are walked as time passes and what is due fires, what belongs to a later turn of the wheel stays.
 *
 * <p>Keep-alive exchanges push their deadlines ever later: here that is an unlink and a link, with no heap to
 * re-balance and no task object per deadline. A deadline fires at most one tick late (and never early).
 *
 * <p>Time comes from an injected {@link NanoClock}, so tests move the clock and call {@link #tick()} instead of
 * waiting. Used only on the loop that owns it.
 */
public final class DeadlineWheel {
    /** The resolution of every deadline: how often the loop's task advances the wheel. */
    public static final long DEFAULT_TICK_NANOS = 10_000_000L;
    /** Buckets per turn (a power of two): with 10 ms ticks a turn is about 5 s, longer than most deadlines. */
    public static final int DEFAULT_BUCKETS = 512;

    private final NanoClock clock;
    private final long tickNanos;
    private final int mask;
    private final Deadline[] buckets;
    /** Where fired deadlines wait between the walk and their expiry (so an expiry may cancel any deadline). */
    private final Deadline expired = Deadline.sentinel();
    private final long originNanos;
    /** Every bucket up to this tick has been walked. */
    private long doneTick;
    private int size;

    public DeadlineWheel(NanoClock clock) {
        this(clock, DEFAULT_TICK_NANOS, DEFAULT_BUCKETS);
    }

    public DeadlineWheel(NanoClock clock, long tickNanos, int buckets) {
        if (tickNanos <= 0) {
            throw new IllegalArgumentException("the tick must be positive, not " + tickNanos + " ns");
        }
        if (buckets <= 0 || Integer.bitCount(buckets) != 1) {
            throw new IllegalArgumentException("the buckets must be a power of two, not " + buckets);
        }
        this.clock = clock;
        this.tickNanos = tickNanos;
        this.mask = buckets - 1;
        this.buckets = new Deadline[buckets];
        for (int i = 0; i < buckets; i++) {
            this.buckets[i] = Deadline.sentinel();
        }
        this.originNanos = clock.nanoTime();
    }

    /** The wheel's clock: what deadlines are measured against. */
    public long nanoTime() {
        return clock.nanoTime();
    }

    public NanoClock clock() {
        return clock;
    }

    public long tickNanos() {
        return tickNanos;
    }

    /** Deadlines scheduled and not yet fired or cancelled. */
    public int size() {
        return size;
    }

    /** Schedules {@code d} at {@code dueNanos}, moving it if it was scheduled already. A past deadline fires on the next tick. */
    public void schedule(Deadline d, long dueNanos) {
        if (d.scheduled()) {
            d.unlink();
            size--;
        }
        d.dueNanos = dueNanos;
        long since = dueNanos - originNanos;
        // The bucket of the first tick at or after the deadline, so that a walk never finds it early.
        long tick = since <= 0 ? 0 : (since + tickNanos - 1) / tickNanos;
        if (tick <= doneTick) {
            tick = doneTick + 1;
        }
        d.linkBefore(buckets[(int) (tick & mask)]);
        size++;
    }

    /** Schedules {@code d} at {@code delayNanos} from now. */
    public void scheduleIn(Deadline d, long delayNanos) {
        schedule(d, clock.nanoTime() + delayNanos);
    }

    /** Cancels {@code d} if it is scheduled; nothing otherwise. */
    public void cancel(Deadline d) {
        if (d.scheduled()) {
            d.unlink();
            size--;
        }
    }

    /**
     * Fires every deadline that has passed by the clock's reading: walks the buckets of the ticks since the last
     * call (each bucket once, however long that was), then calls the expiries in the order found.
     */
    public void tick() {
        long now = clock.nanoTime();
        long since = now - originNanos;
        if (since < 0) {
            return;
        }
        long nowTick = since / tickNanos;
        if (nowTick <= doneTick) {
            return;
        }
        long from = Math.max(doneTick + 1, nowTick - mask);
        for (long t = from; t <= nowTick; t++) {
            collect(buckets[(int) (t & mask)], now);
        }
        doneTick = nowTick;
        Deadline d;
        while ((d = expired.next) != expired) {
            d.unlink();
            size--;
            d.fire(now);
        }
    }

    private void collect(Deadline bucket, long now) {
        Deadline d = bucket.next;
        while (d != bucket) {
            Deadline following = d.next;
            if (now - d.dueNanos >= 0) {
                d.unlink();
                d.linkBefore(expired);
            }
            d = following;
        }
    }
}
