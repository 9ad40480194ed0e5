package io.gozargah.engine.cache;

import io.gozargah.engine.exchange.Outcome;

import java.util.ArrayList;
import java.util.List;

/**
 * One upstream call for a cache key that other identical inquiries wait on (request coalescing): the first
 * exchange to miss leads it, the others join as {@link CacheWaiter}s, and when the leader knows the answer it
 * closes the fill once, with one of:
 * <ul>
 *   <li>{@link Kind#ANSWER}: the provider's answer (or a stale one standing in for a failed provider), which each
 *       waiter serves as its own copy;</li>
 *   <li>{@link Kind#FAILURE}: the gateway's own error (the provider unreachable, too slow, cut short), which each
 *       waiter answers with the same outcome and detail under its own transaction id;</li>
 *   <li>{@link Kind#RETRY}: the leader went away before an answer (its client left): the waiters look again, and
 *       one of them leads a new fill;</li>
 *   <li>{@link Kind#BYPASS}: the answer may not be shared (private, sets cookies, too large): each waiter asks the
 *       provider itself.</li>
 * </ul>
 * Joins, leaves and the close are synchronized: waiters come from every event loop. A fill closes once; a join
 * after that fails, and the joiner looks again.
 */
public final class CacheFill {

    /** How a fill ended, or {@link #PENDING} while its leader's call is under way. */
    public enum Kind { PENDING, ANSWER, FAILURE, RETRY, BYPASS }

    private final CacheKey key;
    private final CacheWaiter leader;
    private final long leaderToken;
    private final List<Waiting> waiters = new ArrayList<>();
    private volatile Kind kind = Kind.PENDING;
    private CachedAnswer answer;
    private CacheResult answerResult;
    private Outcome outcome;
    private String detail;
    private long retryAfterSeconds = -1;

    CacheFill(CacheKey key, CacheWaiter leader, long leaderToken) {
        this.key = key;
        this.leader = leader;
        this.leaderToken = leaderToken;
    }

    /** Whether the exchange {@code waiter} runs under {@code token} leads this fill (it opened it). */
    public boolean ledBy(CacheWaiter waiter, long token) {
        return leader == waiter && leaderToken == token;
    }

    /** The stored key the fill is for. */
    public CacheKey key() {
        return key;
    }

    /** Adds a waiter; false when the fill has closed already (the caller looks again). */
    synchronized boolean join(CacheWaiter waiter, long token) {
        if (kind != Kind.PENDING) {
            return false;
        }
        waiters.add(new Waiting(waiter, token));
        return true;
    }

    /** The waiter no longer waits (it timed out, or its client left): the others are not disturbed. */
    public synchronized void leave(CacheWaiter waiter, long token) {
        waiters.remove(new Waiting(waiter, token));
    }

    /** Waiters now: for tests and metrics. */
    public synchronized int waiting() {
        return waiters.size();
    }

    public Kind kind() {
        return kind;
    }

    /** The answer of an {@link Kind#ANSWER} fill. */
    public synchronized CachedAnswer answer() {
        return answer;
    }

    /** How the waiters' exchanges record an {@link Kind#ANSWER}: coalesced, or stale. */
    public synchronized CacheResult answerResult() {
        return answerResult;
    }

    /** The outcome of a {@link Kind#FAILURE} fill. */
    public synchronized Outcome outcome() {
        return outcome;
    }

    public synchronized String detail() {
        return detail;
    }

    /** The {@code Retry-After} of a {@link Kind#FAILURE} fill's answer, or -1 for none. */
    public synchronized long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    void closeWithAnswer(CachedAnswer answer, CacheResult result) {
        synchronized (this) {
            this.answer = answer;
            this.answerResult = result;
        }
        close(Kind.ANSWER);
    }

    void closeWithFailure(Outcome outcome, String detail, long retryAfterSeconds) {
        synchronized (this) {
            this.outcome = outcome;
            this.detail = detail;
            this.retryAfterSeconds = retryAfterSeconds;
        }
        close(Kind.FAILURE);
    }

    void close(Kind how) {
        Waiting[] told;
        synchronized (this) {
            if (kind != Kind.PENDING) {
                return;
            }
            kind = how;
            told = waiters.toArray(new Waiting[0]);
            waiters.clear();
        }
        for (Waiting w : told) {
            try {
                w.waiter().executor().execute(() -> w.waiter().filled(this, w.token()));
            } catch (RuntimeException e) {
                // The waiter's loop is shutting down: its exchange ends with its connection.
            }
        }
    }

    /** A waiter and the token of the exchange that joined (a record: equal when both are, for {@link #leave}). */
    private record Waiting(CacheWaiter waiter, long token) {
    }
}
