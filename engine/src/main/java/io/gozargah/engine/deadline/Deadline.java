package io.gozargah.engine.deadline;

/**
 * One deadline of an exchange or a connection, made once and scheduled, moved and cancelled on its loop's
 * {@link DeadlineWheel} as often as it likes without allocating: the deadline is its own list node in the
 * wheel's bucket (an intrusive doubly linked list), so scheduling and cancelling are O(1).
 *
 * <p>Used only on the event loop that owns the wheel.
 */
public final class Deadline {

    /** What happens when a deadline passes: called once per scheduling, on the wheel's loop, unscheduled already. */
    @FunctionalInterface
    public interface Expiry {
        void expired(long nowNanos);
    }

    private final Expiry expiry;
    long dueNanos;
    /** Neighbours in the bucket (or the wheel's list of expired deadlines); both null while not scheduled. */
    Deadline prev;
    Deadline next;

    public Deadline(Expiry expiry) {
        this.expiry = expiry;
    }

    /** A list head: the sentinel of a bucket's circular list, never scheduled itself. */
    static Deadline sentinel() {
        Deadline s = new Deadline(now -> {
            throw new IllegalStateException("a bucket's sentinel never expires");
        });
        s.prev = s;
        s.next = s;
        return s;
    }

    /** Whether the deadline is scheduled and has not passed yet. */
    public boolean scheduled() {
        return next != null;
    }

    /** When it is due (the clock of its wheel); meaningful while {@link #scheduled()}. */
    public long dueNanos() {
        return dueNanos;
    }

    void linkBefore(Deadline at) {
        prev = at.prev;
        next = at;
        at.prev.next = this;
        at.prev = this;
    }

    void unlink() {
        prev.next = next;
        next.prev = prev;
        prev = null;
        next = null;
    }

    void fire(long nowNanos) {
        expiry.expired(nowNanos);
    }
}
