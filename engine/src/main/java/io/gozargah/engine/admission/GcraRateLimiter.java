package io.gozargah.engine.admission;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * Rate limits for a dense range of keys {@code 0..keys-1} (grant or consumer ids) with the Generic Cell
 * Rate Algorithm: each key holds one "theoretical arrival time" (TAT), updated by compare-and-set.
 * No lock, no allocation per request, no refill thread: the refill is implicit in the distance between
 * the TAT and now.
 *
 * <p>With emission interval {@code T = 1e9 / rate} ns and tolerance {@code τ = T × (burst − 1)}, a request
 * at {@code now} computes {@code tat' = max(tat, now) + T} and is admitted, storing {@code tat'}, iff
 * {@code tat' − now ≤ τ + T}. So an idle key admits exactly {@code burst} requests at one instant and then
 * one per {@code T}; idling longer than {@code burst × T} never banks more than {@code burst}.
 *
 * <p>Exactness choices:
 * <ul>
 * <li>{@code T} is {@code ceil(1e9 / rate)} ns, so rounding can only make the limiter stricter, never let
 * more than {@code rate} per second through (3/s becomes one per 333,333,334 ns).</li>
 * <li>Clock readings are compared by subtraction only ({@code now - tat > 0}), so readings that wrap
 * around {@link Long#MAX_VALUE}, as {@link System#nanoTime()} may, work unchanged. A key idle for more
 * than 2<sup>63</sup> ns (292 years) would be misread; we accept that.</li>
 * <li>A clock reading older than a key's TAT (an injected clock stepping back, or two threads whose
 * readings cross) is taken at face value: {@code max(tat, now)} keeps the TAT, and the request is judged
 * as arriving early. Stepping back can therefore only reject more, never admit more than
 * {@code burst} ahead of the rate; the price is that after a large backward step a key waits until the
 * clock catches up with what was already admitted.</li>
 * <li>Every key starts with its full burst at the limiter's construction time (TAT = that reading).</li>
 * </ul>
 *
 * <p>The decision itself is {@link #tryAcquire(AtomicBuffer, int, long, long, long)}, a static function over
 * one aligned {@code long} in any {@link AtomicBuffer}: an instance of this class applies it to a private
 * array of keys with one rate, and the admission stage applies it to TATs kept in the counters file, where
 * each grant has its own rate. Each key's TAT is alone on its cache line (keys are
 * {@value #KEY_STRIDE} bytes apart), so threads on distinct keys do not slow each other down.
 *
 * <p>{@link #tryAcquire(int, long)} answers with one primitive {@code long}: {@code ≥ 0} means admitted,
 * the value being the burst capacity left after this request (the {@code remaining} of the RateLimit
 * field); {@code < 0} means rejected, encoded as {@code -(waitNanos) - 1} = {@code ~waitNanos}, where
 * {@code waitNanos ≥ 1} is how long until a request on this key would pass; {@link #waitNanos(long)}
 * decodes it.
 *
 * <p>Header fields follow draft-ietf-httpapi-ratelimit-headers-10 (the current draft; -07's
 * {@code limit/remaining/reset} dictionary was replaced by named policies in -08):
 * {@code RateLimit-Policy: "<name>";q=<quota>;w=<window>;x-gozargah-burst=<burst>} from
 * {@link #policyFieldValue(String)}, built once per limiter, and {@code RateLimit: "<name>";r=<remaining>;t=<reset>}
 * per response, with {@code remaining} the admitted result (0 on a rejection) and {@code reset} from
 * {@link #resetSeconds(int, long)}. The policy states the sustained rate, as the draft means {@code q} per
 * {@code w}: {@code q = rate × w} over the shortest whole window in which that is a whole number
 * ({@link #policyParameters}), so a client that paces itself by the policy goes as fast as the limiter
 * admits over any long run. How the quota may be spent within the window is not part of {@code q} and
 * {@code w} (the draft leaves it to extension parameters): GCRA's burst is, under the vendor-prefixed name
 * the draft asks for, and the RateLimit field's {@code r} says how much of it is left now.
 */
public final class GcraRateLimiter {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** Keeps {@code burst × T} and all differences of TATs and readings far from overflow. */
    private static final long MAX_SPAN_NANOS = Long.MAX_VALUE / 4;

    private final double ratePerSecond;
    private final int burst;
    private final long emissionIntervalNanos;
    /** {@code τ + T = burst × T}: how far ahead of now a TAT may be after an admitted request. */
    private final long burstSpanNanos;
    private final NanoClock clock;
    /** Bytes between two keys' TATs: one cache line, so distinct keys never share one. */
    static final int KEY_STRIDE = 64;

    private final AtomicBuffer tats;
    private final int keys;

    /**
     * @param ratePerSecond sustained requests per second per key, {@code > 0} and at most 1e9; may be
     *                      fractional ({@code 0.5} is one request every two seconds)
     * @param burst         requests an idle key admits at one instant, {@code ≥ 1}
     * @param keys          number of keys, {@code ≥ 1}; keys are {@code 0..keys-1}
     * @param clock         the clock of {@link #tryAcquire(int)}; its reading now is every key's start
     */
    public GcraRateLimiter(double ratePerSecond, int burst, int keys, NanoClock clock) {
        if (!(ratePerSecond > 0) || ratePerSecond > NANOS_PER_SECOND || Double.isNaN(ratePerSecond)) {
            throw new IllegalArgumentException("rate must be > 0 and <= 1e9 per second: " + ratePerSecond);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be >= 1: " + burst);
        }
        if (keys < 1) {
            throw new IllegalArgumentException("keys must be >= 1: " + keys);
        }
        double interval = emissionIntervalNanos(ratePerSecond);
        if (interval * burst > MAX_SPAN_NANOS) {
            throw new IllegalArgumentException("burst / rate too long a span: " + burst + " / " + ratePerSecond);
        }
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
        this.emissionIntervalNanos = (long) interval;
        this.burstSpanNanos = emissionIntervalNanos * burst;
        this.clock = clock;
        this.keys = keys;
        ByteBuffer memory = ByteBuffer.allocateDirect(keys * KEY_STRIDE + KEY_STRIDE);
        // Direct buffers are only guaranteed 8-aligned: start the first key on a cache line.
        long address = new UnsafeBuffer(memory).addressOffset();
        int pad = (int) ((KEY_STRIDE - (address & (KEY_STRIDE - 1))) & (KEY_STRIDE - 1));
        this.tats = new UnsafeBuffer(memory, pad, keys * KEY_STRIDE);
        long start = clock.nanoTime();
        for (int i = 0; i < keys; i++) {
            tats.putLongVolatile(i * KEY_STRIDE, start);
        }
    }

    /** {@link #tryAcquire(int, long)} at the injected clock's current reading. */
    public long tryAcquire(int key) {
        return tryAcquire(key, clock.nanoTime());
    }

    /**
     * Admits or rejects one request on {@code key} at {@code nowNanos}.
     *
     * @return {@code ≥ 0}: admitted, the burst capacity left; {@code < 0}: rejected, {@code ~waitNanos}
     */
    public long tryAcquire(int key, long nowNanos) {
        return tryAcquire(tats, offset(key), nowNanos, emissionIntervalNanos, burstSpanNanos);
    }

    /**
     * The GCRA decision on the TAT at {@code offset} of {@code buffer} (8-byte aligned), for emission interval
     * {@code intervalNanos} ({@code T}) and {@code burstSpanNanos} ({@code burst × T}). Lock-free: one
     * compare-and-set, retried only when another thread moved the TAT in between. Allocates nothing.
     *
     * @return as {@link #tryAcquire(int, long)}
     */
    public static long tryAcquire(AtomicBuffer buffer, int offset, long nowNanos, long intervalNanos,
                                  long burstSpanNanos) {
        final long t = intervalNanos;
        final long span = burstSpanNanos;
        long tat = buffer.getLongVolatile(offset);
        while (true) {
            long newTat = (nowNanos - tat > 0 ? nowNanos : tat) + t;
            long ahead = newTat - nowNanos;
            if (ahead > span) {
                // Passes once now' >= tat - τ, i.e. after ahead - span more nanoseconds (≥ 1).
                return ~(ahead - span);
            }
            long witness = buffer.compareAndExchangeLong(offset, tat, newTat);
            if (witness == tat) {
                return (span - ahead) / t;
            }
            tat = witness;
        }
    }

    /**
     * Gives back one admission on the TAT at {@code offset}, for a request that a later check refused after
     * this limiter admitted it: the TAT moves back by one interval, as if the request had not come. If the
     * TAT has meanwhile fallen behind the clock, the key is at full burst either way and moving it further
     * back cannot bank more than {@code burst}, since every decision starts from {@code max(tat, now)}.
     */
    public static void refund(AtomicBuffer buffer, int offset, long intervalNanos) {
        buffer.getAndAddLong(offset, -intervalNanos);
    }

    /** Gives back one admission of {@code key} (see {@link #refund(AtomicBuffer, int, long)}). */
    public void refund(int key) {
        refund(tats, offset(key), emissionIntervalNanos);
    }

    /** Restores the full burst of {@code key} as of {@code nowNanos}, e.g. when a grant id is reused. */
    public void reset(int key, long nowNanos) {
        tats.putLongVolatile(offset(key), nowNanos);
    }

    private int offset(int key) {
        if (key < 0 || key >= keys) {
            throw new IndexOutOfBoundsException("key " + key + " of " + keys);
        }
        return key * KEY_STRIDE;
    }

    /** Whether a {@link #tryAcquire(int, long)} result means admitted. */
    public static boolean isAdmitted(long result) {
        return result >= 0;
    }

    /** The wait encoded in a rejected result: nanoseconds until a request would pass, {@code ≥ 1}. */
    public static long waitNanos(long result) {
        if (result >= 0) {
            throw new IllegalArgumentException("not a rejection: " + result);
        }
        return ~result;
    }

    /**
     * The {@code Retry-After} delay-seconds (RFC 9110 §10.2.3) for a wait: whole seconds rounded up, at
     * least 1, so a client that obeys it is admitted and never retries a moment too early.
     */
    public static long retryAfterSeconds(long waitNanos) {
        return Math.max(1, ceilSeconds(waitNanos));
    }

    /**
     * Nanoseconds from {@code nowNanos} until {@code key} has its full burst again (0 if it has). Read
     * after an admitted request this is a snapshot: concurrent requests may have moved it since.
     */
    public long resetNanos(int key, long nowNanos) {
        return resetNanos(tats, offset(key), nowNanos);
    }

    /** As {@link #resetNanos(int, long)} for the TAT at {@code offset} of {@code buffer}. */
    public static long resetNanos(AtomicBuffer buffer, int offset, long nowNanos) {
        long ahead = buffer.getLongVolatile(offset) - nowNanos;
        return Math.max(0, ahead);
    }

    /**
     * The {@code t} (reset) of the RateLimit field: whole seconds, rounded up, until {@code key} has its
     * full burst again. The draft's reset is the time until the quota is restored; for GCRA that is when
     * the TAT falls behind now.
     */
    public long resetSeconds(int key, long nowNanos) {
        return ceilSeconds(resetNanos(key, nowNanos));
    }

    /**
     * The {@code RateLimit-Policy} field value for this limiter, e.g. {@code "grant";q=10;w=2} for burst 10
     * at 5/s. Allocates: build it once when the limiter is configured.
     *
     * @param policyName the policy identifier, also used in the RateLimit field; restricted to
     *                   {@code [a-z0-9_.-]} so the Structured Fields String needs no escaping
     */
    public String policyFieldValue(String policyName) {
        if (policyName.isEmpty() || !policyName.chars().allMatch(GcraRateLimiter::isPolicyNameChar)) {
            throw new IllegalArgumentException("policy name must be [a-z0-9_.-]+: " + policyName);
        }
        return '"' + policyName + '"' + policyParameters(ratePerSecond, burst);
    }

    /** Longest window a policy states: an hour, the coarsest unit a config rate is given in. */
    private static final long MAX_WINDOW_SECONDS = 3600;

    /**
     * The parameters of a RateLimit-Policy item for a GCRA limit of {@code ratePerSecond} and {@code burst}:
     * {@code ;q=<quota>;w=<window>;x-gozargah-burst=<burst>}, with {@code w} the fewest whole seconds (up to an
     * hour) in which the rate admits a whole number {@code q ≥ 1} of requests: 100/s is {@code q=100;w=1}, 90/m
     * {@code q=3;w=2}, 1/m {@code q=1;w=60}. A rate no whole window up to an hour fits (not one a config can
     * give) states the hour's whole requests, rounded down so a client following it stays within the rate.
     */
    public static String policyParameters(double ratePerSecond, int burst) {
        long window = MAX_WINDOW_SECONDS;
        long quota = Math.max(1, (long) Math.floor(ratePerSecond * MAX_WINDOW_SECONDS + 1e-9));
        for (long w = 1; w <= MAX_WINDOW_SECONDS; w++) {
            double q = ratePerSecond * w;
            long whole = Math.round(q);
            if (whole >= 1 && Math.abs(q - whole) <= 1e-9 * Math.max(1, q)) {
                window = w;
                quota = whole;
                break;
            }
        }
        return ";q=" + quota + ";w=" + window + ";x-gozargah-burst=" + burst;
    }

    private static boolean isPolicyNameChar(int c) {
        return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-';
    }

    public double ratePerSecond() {
        return ratePerSecond;
    }

    public int burst() {
        return burst;
    }

    public long emissionIntervalNanos() {
        return emissionIntervalNanos;
    }

    public int keys() {
        return keys;
    }

    /** The emission interval {@code T} for a rate: {@code ceil(1e9 / rate)} ns, so rounding only makes it stricter. */
    public static long emissionIntervalNanos(double ratePerSecond) {
        return (long) Math.ceil(NANOS_PER_SECOND / ratePerSecond);
    }

    /** Whole seconds, rounded up. */
    public static long ceilSeconds(long nanos) {
        return nanos <= 0 ? 0 : (nanos - 1) / NANOS_PER_SECOND + 1;
    }
}
