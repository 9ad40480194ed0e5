package io.gozargah.engine.admission;

import io.gozargah.engine.calendar.BillingPeriod;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * The admission stage's state for the exchange in progress on one connection or stream: which grant was
 * judged, when, and which in-flight permits it holds. One per {@link io.gozargah.engine.exchange.Exchange},
 * reused for every exchange, touched only by its event loop.
 */
public final class AdmissionTicket {
    GrantPolicy policy;
    long nowNanos;
    long epochMillis;
    BillingPeriod period;
    boolean consumerHeld;
    boolean serviceHeld;
    boolean providerHeld;
    /** What of the grant's cluster lease this request spent: {@link #NO_LEASE}, {@link #LEASE} or {@link #FALLBACK}. */
    byte leaseHeld;
    static final byte NO_LEASE = 0;
    static final byte LEASE = 1;
    static final byte FALLBACK = 2;
    long retryAfterSeconds;
    String detail;
    /**
     * Scratch for rendering the RateLimit field value, one per thread: the sink copies it before the next render
     * on that thread, and an HTTP/2 connection has a ticket per stream, where an array each would cost 528 bytes.
     */
    private static final FastThreadLocal<byte[]> FIELD = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[512];
        }
    };

    /** This thread's scratch for the RateLimit field value. */
    static byte[] field() {
        return FIELD.get();
    }

    /** The grant judged for the current exchange, or null when admission did not judge it. */
    public GrantPolicy policy() {
        return policy;
    }

    /** Seconds for Retry-After after a refusal, or -1. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The problem detail of a refusal (rendered once per grant), or null. */
    public String detail() {
        return detail;
    }

    void clear() {
        policy = null;
        period = null;
        consumerHeld = false;
        serviceHeld = false;
        providerHeld = false;
    }
}
