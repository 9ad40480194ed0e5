package io.gozargah.engine.upstream;

import io.gozargah.engine.config.FailureKind;
import io.gozargah.engine.config.OutlierConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * What the gateway knows of one endpoint of one provider, shared by every event loop and kept across reloads
 * for as long as the endpoint stays in the configuration ({@link EndpointHealthRegistry} keys it by provider and
 * URL, not by a snapshot's objects). Fields are volatile or atomic and written only when something goes wrong or
 * changes state: on the success path a balancer and an exchange only read them.
 *
 * <p>Times are readings of the gateway's {@code NanoClock}; {@link #ejectedUntilNanos} is 0 when the endpoint is
 * not ejected (a reading that happens to be 0 is stored as 1).
 */
public final class EndpointHealth {
    private static final Logger log = LoggerFactory.getLogger(EndpointHealth.class);
    /** At most one state-change line per endpoint in this time; the ones left out are counted in the next. */
    static final long LOG_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(10);

    private static final AtomicLongFieldUpdater<EndpointHealth> EJECTED_UNTIL =
            AtomicLongFieldUpdater.newUpdater(EndpointHealth.class, "ejectedUntilNanos");

    private final String provider;
    private final String url;
    /** Set by active health checks; true until they say otherwise (and always, without them). */
    private volatile boolean healthy = true;
    private volatile long ejectedUntilNanos;
    /** When the last ejection ended (or would have): a later one longer ago than maxEjectionTime starts over. */
    private volatile long lastEjectionEndNanos;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    /** Ejections in a row, each doubling the next one's length; written only by the thread that wins an ejection. */
    private volatile int ejectionStreak;
    private final AtomicLong ejections = new AtomicLong();
    private final AtomicLong lastLogNanos = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong unloggedChanges = new AtomicLong();

    EndpointHealth(String provider, String url) {
        this.provider = provider;
        this.url = url;
    }

    public String provider() {
        return provider;
    }

    public String url() {
        return url;
    }

    /** What the active health checks say (true without them). */
    public boolean healthy() {
        return healthy;
    }

    /** 0 when not ejected, else the clock reading at which the ejection ends. */
    public long ejectedUntilNanos() {
        return ejectedUntilNanos;
    }

    /** Whether the endpoint is ejected at {@code nowNanos}. */
    public boolean ejected(long nowNanos) {
        long until = ejectedUntilNanos;
        return until != 0 && nowNanos - until < 0;
    }

    /** Ejections over the gateway's life. */
    public long ejections() {
        return ejections.get();
    }

    public int consecutiveFailures() {
        return consecutiveFailures.get();
    }

    /** A response that is not a counted failure: the run of failures is over (a plain read when there was none). */
    void succeeded() {
        if (consecutiveFailures.get() != 0) {
            consecutiveFailures.set(0);
        }
    }

    /**
     * A failure of {@code kind}: counted when the policy counts that kind, and the endpoint is ejected when the run
     * reaches the policy's length and the provider has room for one more ejection. Returns whether this call
     * ejected it.
     */
    boolean failed(FailureKind kind, UpstreamGroup group, long nowNanos) {
        OutlierConfig policy = group.outlier();
        if (!policy.counts(kind)) {
            succeeded();
            return false;
        }
        int run = consecutiveFailures.incrementAndGet();
        if (policy.consecutiveFailures() == 0 || run < policy.consecutiveFailures() || group.size() < 2) {
            return false;
        }
        long until = ejectedUntilNanos;
        if (until != 0 && nowNanos - until < 0) {
            return false; // already out: traffic reached it only in panic
        }
        if (group.ejected(nowNanos) >= group.maxEjected()) {
            return false;
        }
        int streak = ejectionStreak;
        long base = policy.baseEjectionTime().toNanos();
        long max = policy.maxEjectionTime().toNanos();
        if (lastEjectionEndNanos != 0 && nowNanos - lastEjectionEndNanos > max) {
            streak = 0; // well-behaved for longer than the longest ejection: start over from the base time
        }
        long length = streak >= 62 || base > (max >> Math.min(streak, 62)) ? max : Math.min(max, base << streak);
        long end = nowNanos + length;
        if (end == 0) {
            end = 1;
        }
        if (!casEjectedUntil(until, end)) {
            return false; // another loop ejected it first
        }
        ejectionStreak = streak + 1;
        lastEjectionEndNanos = end;
        consecutiveFailures.set(0);
        ejections.incrementAndGet();
        stateChanged(nowNanos, "ejected for " + TimeUnit.NANOSECONDS.toMillis(length) + " ms after " + run
                + " consecutive failures (last: " + kind.configName() + ")");
        return true;
    }

    /**
     * Ends an ejection whose time is up, seen at {@code nowNanos} by a balancer: the endpoint is tried again. Returns
     * whether it was usable (not ejected) at that time.
     */
    boolean returnIfDue(long nowNanos) {
        long until = ejectedUntilNanos;
        if (until == 0) {
            return true;
        }
        if (nowNanos - until < 0) {
            return false;
        }
        if (casEjectedUntil(until, 0)) {
            stateChanged(nowNanos, "back from ejection: tried again");
        }
        return true;
    }

    /**
     * Sets the active checks' verdict; logs when it changes. An endpoint the checks saw fail and then recover is
     * also returned from a passive ejection at once (as Envoy's successful_active_health_check_uneject_host does,
     * but only on that recovery, not on every passing check): a provider restarted after a crash takes traffic
     * again within {@code interval x healthy}, not at the end of an ejection its crash earned.
     */
    void healthy(boolean now, long nowNanos, String why) {
        if (healthy != now) {
            healthy = now;
            if (now) {
                long until;
                while ((until = ejectedUntilNanos) != 0 && !casEjectedUntil(until, 0)) {
                    Thread.onSpinWait(); // a loop ejected or returned it meanwhile: look again
                }
                consecutiveFailures.set(0);
            }
            stateChanged(nowNanos, now ? "healthy: " + why : "unhealthy: " + why);
        }
    }

    private boolean casEjectedUntil(long expected, long value) {
        return EJECTED_UNTIL.compareAndSet(this, expected, value);
    }

    private void stateChanged(long nowNanos, String what) {
        long last = lastLogNanos.get();
        if (last != Long.MIN_VALUE && nowNanos - last < LOG_PERIOD_NANOS) {
            unloggedChanges.incrementAndGet();
            return;
        }
        if (!lastLogNanos.compareAndSet(last, nowNanos)) {
            unloggedChanges.incrementAndGet();
            return;
        }
        long skipped = unloggedChanges.getAndSet(0);
        if (skipped == 0) {
            log.warn("provider {} endpoint {}: {}", provider, url, what);
        } else {
            log.warn("provider {} endpoint {}: {} ({} earlier changes not logged)", provider, url, what, skipped);
        }
    }

    @Override
    public String toString() {
        return provider + " " + url;
    }
}
