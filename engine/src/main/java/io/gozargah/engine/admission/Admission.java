package io.gozargah.engine.admission;

import io.gozargah.engine.calendar.BillingCalendar;
import io.gozargah.engine.calendar.BillingPeriod;
import io.gozargah.engine.calendar.CurrentPeriod;
import io.gozargah.engine.cluster.ClusterAgent;
import io.gozargah.engine.cluster.GrantLease;
import io.gozargah.engine.cluster.RateTerms;
import io.gozargah.engine.config.ClusterConfig;
import io.gozargah.engine.config.AdmissionConfig;
import io.gozargah.engine.config.ConsumerConfig;
import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.config.GrantConfig;
import io.gozargah.engine.config.ProviderConfig;
import io.gozargah.engine.config.RateLimitConfig;
import io.gozargah.engine.config.ServiceConfig;
import io.gozargah.engine.exchange.Outcome;
import org.agrona.concurrent.AtomicBuffer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import static io.gozargah.engine.admission.CountersFile.DAY_OFFSET;
import static io.gozargah.engine.admission.CountersFile.IN_FLIGHT_OFFSET;
import static io.gozargah.engine.admission.CountersFile.MONTH_OFFSET;
import static io.gozargah.engine.admission.CountersFile.OVERLOADED_OFFSET;
import static io.gozargah.engine.admission.CountersFile.QUOTA_EXHAUSTED_OFFSET;
import static io.gozargah.engine.admission.CountersFile.RATE_LIMITED_OFFSET;
import static io.gozargah.engine.admission.CountersFile.TAT_OFFSET;

/**
 * Admission control for a running gateway: the counters file and billing calendar it was started with,
 * plans for each snapshot, and the decision for one request.
 *
 * <p>A request on a grant passes, in order: the grant's rate (GCRA), the consumer's overall rate (GCRA), the
 * daily quota, the monthly quota, the consumer's in-flight cap, the service's in-flight cap and the provider's
 * in-flight cap. The first that refuses decides the answer ({@code 429 rate-limited} for a rate or the
 * consumer's own cap, {@code 429 quota-exhausted}, {@code 503 overloaded}), and everything the earlier ones took is given back: each limiter's TAT moves back one
 * interval, each quota count goes down by one (unless its period has just ended) and each in-flight permit
 * is released. So a refusal consumes nothing; only admitted requests count against rates and quotas. Between
 * the taking and the giving back, a concurrent request may see the capacity as taken and be refused: the
 * error is always on the strict side, never admitting more than a limit allows.
 *
 * <p>An admitted request counts in the day and month usage whether or not quotas are configured (for
 * {@code stat}); failures after admission (upstream errors, timeouts) still count, since the provider was
 * called. Everything is lock-free and allocation-free: CAS and atomic adds on the mapped counters.
 *
 * <p>Time is passed in, never read here: {@code nowNanos} from a monotonic clock for the limiters,
 * {@code epochMillis} for the billing periods.
 *
 * <p>With {@code admission.cluster} on, a grant's quotas are also held by the cluster: after the local day and
 * month counts, a request spends one token of the grant's lease ({@link GrantLease}, topped up from Redis by the
 * {@link ClusterAgent}), and the grant's and consumer's rates are enforced at this node's share. Both are one more
 * compare-and-set or volatile read; nothing waits on Redis. Without it, none of this runs.
 */
public final class Admission implements AutoCloseable {

    private final CountersFile counters;
    private final AtomicBuffer buffer;
    private final CurrentPeriod period;
    private final AdmissionConfig config;
    private final NanoClock clock;
    /** The cluster's agent, or null when the gateway counts alone. */
    private final ClusterAgent cluster;

    private Admission(AdmissionConfig config, CountersFile counters, BillingCalendar calendar, NanoClock clock,
                      ClusterAgent cluster) {
        this.config = config;
        this.cluster = cluster;
        this.counters = counters;
        this.buffer = counters.buffer();
        this.period = new CurrentPeriod(calendar);
        this.clock = clock;
    }

    /**
     * Opens the counters file of {@code config} and starts every limiter full at {@code clock}'s reading now.
     * The clock is also read again before a rate refusal (see {@link #admit}).
     */
    public static Admission open(AdmissionConfig config, NanoClock clock) throws IOException {
        return open(config, clock, System::currentTimeMillis);
    }

    /**
     * As {@link #open(AdmissionConfig, NanoClock)}, with the wall clock of the cluster agent's billing periods (a
     * test's). With {@code admission.cluster}, the agent is made but not started ({@link ClusterAgent#start}).
     */
    public static Admission open(AdmissionConfig config, NanoClock clock, LongSupplier epochMillis)
            throws IOException {
        BillingCalendar calendar = BillingCalendar.named(config.calendar(), config.zone());
        CountersFile counters = CountersFile.open(config.countersFile(), config.counterSlots(), calendar,
                clock.nanoTime());
        ClusterAgent cluster = null;
        if (config.cluster() != null) {
            try {
                cluster = new ClusterAgent(config.cluster(), calendar, clock::nanoTime, epochMillis);
            } catch (RuntimeException e) {
                counters.close();
                throw e;
            }
        }
        return new Admission(config, counters, calendar, clock, cluster);
    }

    /** The cluster's agent, or null when this gateway counts alone. */
    public ClusterAgent cluster() {
        return cluster;
    }

    /** The admission section the gateway started with (not reloadable). */
    public AdmissionConfig config() {
        return config;
    }

    public BillingCalendar calendar() {
        return period.calendar();
    }

    public CountersFile counters() {
        return counters;
    }

    /**
     * The policies of {@code gateway}'s grants, by the snapshot's ids: {@code serviceIds} maps
     * {@code provider/service} and {@code consumerIds} each consumer name to its dense id. Records are found
     * (or made) by name, so a grant that survives a reload, a restart or a reordering of the file keeps its
     * counters. Not for the hot path: it allocates and is serialised with other plans.
     *
     * @throws IllegalStateException when the counters file has no room for a new record
     */
    public synchronized AdmissionPlan plan(GatewayConfig gateway, Map<String, Integer> serviceIds,
                                           Map<String, Integer> consumerIds, long nowNanos) {
        List<Integer> used = new ArrayList<>();
        List<GrantLease> leases = new ArrayList<>();
        GrantPolicy[][] byConsumer = new GrantPolicy[consumerIds.size()][];
        for (ConsumerConfig c : gateway.consumers().values()) {
            GrantPolicy[] grants = new GrantPolicy[serviceIds.size()];
            RateLimitConfig consumerRate = c.rate();
            // Every consumer has an in-flight cap (a default when its config names none), so every consumer
            // has a record.
            int consumerRecord = counters.record(CountersFile.Kind.CONSUMER, c.name(), nowNanos);
            describe(consumerRecord, consumerRate, 0, 0, c.maxInFlight(), nowNanos);
            used.add(consumerRecord);
            GrantLease consumerLease = null;
            if (cluster != null && consumerRate != null) {
                int[] records = new int[c.grants().size()];
                for (int i = 0; i < records.length; i++) {
                    records[i] = counters.record(CountersFile.Kind.GRANT,
                            c.name() + " " + c.grants().get(i).qualifiedService(), nowNanos);
                }
                consumerLease = cluster.consumer(c.name(), consumerRate.perSecond(), consumerRate.burst(),
                        () -> attempts(records));
                leases.add(consumerLease);
            }
            for (GrantConfig g : c.grants()) {
                ProviderConfig provider = gateway.providers().get(g.provider());
                ServiceConfig service = provider.services().get(g.service());
                int grantRecord = counters.record(CountersFile.Kind.GRANT, c.name() + " " + g.qualifiedService(),
                        nowNanos);
                describe(grantRecord, g.rate(), g.quotaDay(), g.quotaMonth(), 0, nowNanos);
                used.add(grantRecord);
                GrantLease lease = null;
                if (cluster != null && (g.rate() != null || g.quotaDay() > 0 || g.quotaMonth() > 0)) {
                    int[] records = {grantRecord};
                    lease = cluster.grant(c.name() + " " + g.qualifiedService(), g.quotaDay(), g.quotaMonth(),
                            g.rate() == null ? 0 : g.rate().perSecond(), g.rate() == null ? 0 : g.rate().burst(),
                            () -> attempts(records));
                    leases.add(lease);
                }
                int serviceRecord = -1;
                if (service.maxInFlight() > 0) {
                    serviceRecord = counters.record(CountersFile.Kind.SERVICE, g.qualifiedService(), nowNanos);
                    describe(serviceRecord, null, 0, 0, service.maxInFlight(), nowNanos);
                    used.add(serviceRecord);
                }
                int providerRecord = -1;
                if (provider.maxInFlight() > 0) {
                    providerRecord = counters.record(CountersFile.Kind.PROVIDER, provider.name(), nowNanos);
                    describe(providerRecord, null, 0, 0, provider.maxInFlight(), nowNanos);
                    used.add(providerRecord);
                }
                grants[serviceIds.get(g.qualifiedService())] = new GrantPolicy(c.name(), g.provider(), g.service(),
                        grantRecord, g.rate() == null ? 0 : g.rate().perSecond(), g.rate() == null ? 0 : g.rate().burst(),
                        consumerRecord, consumerRate == null ? 0 : consumerRate.perSecond(),
                        consumerRate == null ? 0 : consumerRate.burst(), g.quotaDay(), g.quotaMonth(), c.maxInFlight(),
                        serviceRecord, service.maxInFlight(), providerRecord, provider.maxInFlight(), lease,
                        consumerLease);
            }
            byConsumer[consumerIds.get(c.name())] = grants;
        }
        counters.markInConfig(used);
        if (cluster != null) {
            cluster.planned(leases);
        }
        return new AdmissionPlan(byConsumer);
    }

    /**
     * Requests judged on grant records {@code records} so far, admitted or refused by a rate or quota: a cluster
     * node's demand. The month count restarts with a month; the agent takes no negative difference.
     */
    private long attempts(int[] records) {
        long n = 0;
        for (int record : records) {
            n += buffer.getLongVolatile(record + MONTH_OFFSET) & PeriodCounter.COUNT_MASK;
            n += buffer.getLongVolatile(record + RATE_LIMITED_OFFSET);
            n += buffer.getLongVolatile(record + QUOTA_EXHAUSTED_OFFSET);
        }
        return n;
    }

    /**
     * Writes a record's configured terms, for {@code stat} (the hot path reads the plan). When the rate or burst
     * changed, the limiter's debt (how far its TAT is ahead of now) is capped at what the new terms allow,
     * less one interval: a raised limit applies at once, a lowered one from the caller's current state.
     */
    private void describe(int record, RateLimitConfig rate, long quotaDay, long quotaMonth, int maxInFlight,
                          long nowNanos) {
        long rateBits = rate == null ? 0 : Double.doubleToRawLongBits(rate.perSecond());
        int burst = rate == null ? 0 : rate.burst();
        if (rate != null && (buffer.getLongVolatile(record + CountersFile.RATE_OFFSET) != rateBits
                || buffer.getIntVolatile(record + CountersFile.BURST_OFFSET) != burst)) {
            long interval = GcraRateLimiter.emissionIntervalNanos(rate.perSecond());
            long cap = nowNanos + interval * (burst - 1);
            long tat = buffer.getLongVolatile(record + TAT_OFFSET);
            while (tat - cap > 0 && !buffer.compareAndSetLong(record + TAT_OFFSET, tat, cap)) {
                tat = buffer.getLongVolatile(record + TAT_OFFSET);
            }
        }
        buffer.putLongVolatile(record + CountersFile.RATE_OFFSET, rateBits);
        buffer.putIntVolatile(record + CountersFile.BURST_OFFSET, burst);
        buffer.putLongVolatile(record + CountersFile.QUOTA_DAY_OFFSET, quotaDay);
        buffer.putLongVolatile(record + CountersFile.QUOTA_MONTH_OFFSET, quotaMonth);
        buffer.putIntVolatile(record + CountersFile.MAX_IN_FLIGHT_OFFSET, maxInFlight);
    }

    /**
     * Judges one request on grant {@code g} at {@code nowNanos} / {@code epochMillis}. Null admits; the ticket
     * then holds what {@link #release} gives back. A refusal sets the ticket's retry-after seconds and
     * detail. The ticket records the grant either way, for the RateLimit fields.
     *
     * <p>GCRA judges a request by its clock reading, and a reading taken before other threads admitted
     * theirs looks early. A thread descheduled between its reading and its compare-and-set (seen on a busy
     * 2-core machine) would then be refused although the rate was kept, so a rate refusal is confirmed
     * with a fresh reading of the clock first; a request is refused only if it would be refused now.
     */
    public Outcome admit(GrantPolicy g, AdmissionTicket t, long nowNanos, long epochMillis) {
        final AtomicBuffer b = buffer;
        BillingPeriod p = period.at(epochMillis);
        t.policy = g;
        t.nowNanos = nowNanos;
        t.epochMillis = epochMillis;
        t.period = p;
        t.consumerHeld = false;
        t.serviceHeld = false;
        t.providerHeld = false;
        t.retryAfterSeconds = -1;
        t.detail = null;
        t.leaseHeld = AdmissionTicket.NO_LEASE;

        long grantInterval = g.grantInterval;
        long grantSpan = g.grantSpan;
        long consumerInterval = g.consumerInterval;
        long consumerSpan = g.consumerSpan;
        if (g.lease != null) {
            RateTerms terms = g.lease.terms();
            grantInterval = terms.intervalNanos();
            grantSpan = terms.spanNanos();
        }
        if (g.consumerLease != null) {
            RateTerms terms = g.consumerLease.terms();
            consumerInterval = terms.intervalNanos();
            consumerSpan = terms.spanNanos();
        }
        if (grantInterval > 0) {
            long r = acquire(t, g.grantRecord + TAT_OFFSET, grantInterval, grantSpan);
            if (r < 0) {
                return refuse(t, g.grantRecord + RATE_LIMITED_OFFSET, Outcome.RATE_LIMITED,
                        GcraRateLimiter.retryAfterSeconds(GcraRateLimiter.waitNanos(r)), g.rateDetail);
            }
        }
        if (consumerInterval > 0) {
            long r = acquire(t, g.consumerRecord + TAT_OFFSET, consumerInterval, consumerSpan);
            if (r < 0) {
                refundRates(g, grantInterval, consumerInterval, 1);
                return refuse(t, g.grantRecord + RATE_LIMITED_OFFSET, Outcome.RATE_LIMITED,
                        GcraRateLimiter.retryAfterSeconds(GcraRateLimiter.waitNanos(r)), g.consumerRateDetail);
            }
        }
        if (PeriodCounter.tryCount(b, g.grantRecord + DAY_OFFSET, p.dayIndex(), g.quotaDay) == PeriodCounter.REFUSED) {
            refundRates(g, grantInterval, consumerInterval, 2);
            return refuse(t, g.grantRecord + QUOTA_EXHAUSTED_OFFSET, Outcome.QUOTA_EXHAUSTED,
                    secondsUntil(p.dayEndMillis(), epochMillis), g.dayDetail);
        }
        if (PeriodCounter.tryCount(b, g.grantRecord + MONTH_OFFSET, p.monthIndex(), g.quotaMonth)
                == PeriodCounter.REFUSED) {
            PeriodCounter.uncount(b, g.grantRecord + DAY_OFFSET, p.dayIndex());
            refundRates(g, grantInterval, consumerInterval, 2);
            return refuse(t, g.grantRecord + QUOTA_EXHAUSTED_OFFSET, Outcome.QUOTA_EXHAUSTED,
                    secondsUntil(p.monthEndMillis(), epochMillis), g.monthDetail);
        }
        if (g.lease != null && g.lease.hasQuota()) {
            Outcome refused = takeLease(g, t, p, epochMillis);
            if (refused != null) {
                uncountQuotas(g, p, t);
                refundRates(g, grantInterval, consumerInterval, 2);
                return refused;
            }
        }
        if (g.consumerMaxInFlight > 0) {
            if (b.getAndAddInt(g.consumerRecord + IN_FLIGHT_OFFSET, 1) >= g.consumerMaxInFlight) {
                b.getAndAddInt(g.consumerRecord + IN_FLIGHT_OFFSET, -1);
                uncountQuotas(g, p, t);
                refundRates(g, grantInterval, consumerInterval, 2);
                return refuse(t, g.grantRecord + RATE_LIMITED_OFFSET, Outcome.RATE_LIMITED, 1,
                        g.consumerInFlightDetail);
            }
            t.consumerHeld = true;
        }
        if (g.serviceMaxInFlight > 0) {
            if (b.getAndAddInt(g.serviceRecord + IN_FLIGHT_OFFSET, 1) >= g.serviceMaxInFlight) {
                b.getAndAddInt(g.serviceRecord + IN_FLIGHT_OFFSET, -1);
                release(t);
                uncountQuotas(g, p, t);
                refundRates(g, grantInterval, consumerInterval, 2);
                b.getAndAddLong(g.serviceRecord + OVERLOADED_OFFSET, 1);
                return refuse(t, g.grantRecord + OVERLOADED_OFFSET, Outcome.OVERLOADED, -1, g.serviceOverloadDetail);
            }
            t.serviceHeld = true;
        }
        if (g.providerMaxInFlight > 0) {
            if (b.getAndAddInt(g.providerRecord + IN_FLIGHT_OFFSET, 1) >= g.providerMaxInFlight) {
                b.getAndAddInt(g.providerRecord + IN_FLIGHT_OFFSET, -1);
                release(t);
                uncountQuotas(g, p, t);
                refundRates(g, grantInterval, consumerInterval, 2);
                b.getAndAddLong(g.providerRecord + OVERLOADED_OFFSET, 1);
                return refuse(t, g.grantRecord + OVERLOADED_OFFSET, Outcome.OVERLOADED, -1, g.providerOverloadDetail);
            }
            t.providerHeld = true;
        }
        return null;
    }

    /** GCRA at the ticket's time; a refusal is retried once at a fresh, later clock reading (see {@link #admit}). */
    private long acquire(AdmissionTicket t, int offset, long interval, long span) {
        long r = GcraRateLimiter.tryAcquire(buffer, offset, t.nowNanos, interval, span);
        if (r < 0) {
            long fresh = clock.nanoTime();
            if (fresh - t.nowNanos > 0) {
                t.nowNanos = fresh;
                r = GcraRateLimiter.tryAcquire(buffer, offset, fresh, interval, span);
            }
        }
        return r;
    }

    /** Releases the in-flight permits {@link #admit} took for the ticket's exchange (idempotent). */
    public void release(AdmissionTicket t) {
        GrantPolicy g = t.policy;
        if (t.consumerHeld) {
            t.consumerHeld = false;
            buffer.getAndAddInt(g.consumerRecord + IN_FLIGHT_OFFSET, -1);
        }
        if (t.serviceHeld) {
            t.serviceHeld = false;
            buffer.getAndAddInt(g.serviceRecord + IN_FLIGHT_OFFSET, -1);
        }
        if (t.providerHeld) {
            t.providerHeld = false;
            buffer.getAndAddInt(g.providerRecord + IN_FLIGHT_OFFSET, -1);
        }
    }

    /**
     * Counts a request of grant {@code g} that the journal refused (503 journal-unavailable) before admission saw
     * it, in the grant's record: the refusals a full disk made are counted where the others are, and survive a
     * crash with the file.
     */
    public void countJournalRefusal(GrantPolicy g) {
        buffer.getAndAddLong(g.grantRecord + CountersFile.JOURNAL_UNAVAILABLE_OFFSET, 1);
    }

    private Outcome refuse(AdmissionTicket t, int refusalCounter, Outcome outcome, long retryAfterSeconds,
                           String detail) {
        buffer.getAndAddLong(refusalCounter, 1);
        t.retryAfterSeconds = retryAfterSeconds;
        t.detail = detail;
        return outcome;
    }

    /**
     * Spends one token of the grant's cluster lease; when it is spent, the fallback while Redis is away, else a
     * refusal: quota-exhausted until the period ends when the cluster's count (as of the last sync) has reached a
     * quota, quota-exhausted for a second while the next block is on its way, 503 overloaded when Redis is away and
     * the fallback refuses or is spent.
     */
    private Outcome takeLease(GrantPolicy g, AdmissionTicket t, BillingPeriod p, long epochMillis) {
        GrantLease lease = g.lease;
        if (lease.take(p.dayIndex())) {
            t.leaseHeld = AdmissionTicket.LEASE;
            return null;
        }
        if (cluster.redisDown()) {
            if (cluster.onRedisDown() == ClusterConfig.OnRedisDown.LOCAL_SHARE
                    && lease.takeFallback(p.dayIndex(), p.monthIndex())) {
                t.leaseHeld = AdmissionTicket.FALLBACK;
                return null;
            }
            return refuse(t, g.grantRecord + OVERLOADED_OFFSET, Outcome.OVERLOADED, 1, g.clusterAwayDetail);
        }
        if (g.quotaDay > 0 && lease.clusterUsedDay(p.dayIndex()) >= g.quotaDay) {
            return refuse(t, g.grantRecord + QUOTA_EXHAUSTED_OFFSET, Outcome.QUOTA_EXHAUSTED,
                    secondsUntil(p.dayEndMillis(), epochMillis), g.dayDetail);
        }
        if (g.quotaMonth > 0 && lease.clusterUsedMonth(p.monthIndex()) >= g.quotaMonth) {
            return refuse(t, g.grantRecord + QUOTA_EXHAUSTED_OFFSET, Outcome.QUOTA_EXHAUSTED,
                    secondsUntil(p.monthEndMillis(), epochMillis), g.monthDetail);
        }
        return refuse(t, g.grantRecord + QUOTA_EXHAUSTED_OFFSET, Outcome.QUOTA_EXHAUSTED, 1, g.refillDetail);
    }

    /**
     * Gives back the first {@code limiters} rate limiters (1: the grant's; 2: the consumer's too) that admitted, at
     * the intervals they admitted with.
     */
    private void refundRates(GrantPolicy g, long grantInterval, long consumerInterval, int limiters) {
        if (grantInterval > 0) {
            GcraRateLimiter.refund(buffer, g.grantRecord + TAT_OFFSET, grantInterval);
        }
        if (limiters > 1 && consumerInterval > 0) {
            GcraRateLimiter.refund(buffer, g.consumerRecord + TAT_OFFSET, consumerInterval);
        }
    }

    private void uncountQuotas(GrantPolicy g, BillingPeriod p, AdmissionTicket t) {
        PeriodCounter.uncount(buffer, g.grantRecord + DAY_OFFSET, p.dayIndex());
        PeriodCounter.uncount(buffer, g.grantRecord + MONTH_OFFSET, p.monthIndex());
        if (t.leaseHeld == AdmissionTicket.LEASE) {
            g.lease.untake(p.dayIndex());
        } else if (t.leaseHeld == AdmissionTicket.FALLBACK) {
            g.lease.untakeFallback(p.dayIndex(), p.monthIndex());
        }
        t.leaseHeld = AdmissionTicket.NO_LEASE;
    }

    /** Whole seconds from {@code nowMillis} to {@code endMillis}, rounded up, at least 1. */
    static long secondsUntil(long endMillis, long nowMillis) {
        long millis = endMillis - nowMillis;
        return Math.max(1, (millis + 999) / 1000);
    }

    /**
     * Renders the {@code RateLimit} field value for the ticket's grant into this thread's scratch array
     * ({@link AdmissionTicket#field()}), as of the judgement: for each policy, {@code r} = what is left and
     * {@code t} = seconds until it is whole again.
     *
     * @return the length written, 0 when the grant has no policy
     */
    int renderRateLimit(AdmissionTicket t) {
        GrantPolicy g = t.policy;
        if (g == null || g.policyField == null) {
            return 0;
        }
        byte[] out = AdmissionTicket.field();
        int n = 0;
        RateTerms grantTerms = g.lease == null ? null : g.lease.terms();
        RateTerms consumerTerms = g.consumerLease == null ? null : g.consumerLease.terms();
        if (g.grantInterval > 0) {
            n = grantTerms == null
                    ? gcraItem(out, n, GrantPolicy.GRANT, g.grantRecord, g.grantInterval, g.grantSpan, t.nowNanos)
                    : gcraItem(out, n, GrantPolicy.GRANT, g.grantRecord, grantTerms.intervalNanos(),
                            grantTerms.spanNanos(), t.nowNanos);
        }
        if (g.consumerInterval > 0) {
            n = consumerTerms == null
                    ? gcraItem(out, n, GrantPolicy.CONSUMER, g.consumerRecord, g.consumerInterval, g.consumerSpan,
                            t.nowNanos)
                    : gcraItem(out, n, GrantPolicy.CONSUMER, g.consumerRecord, consumerTerms.intervalNanos(),
                            consumerTerms.spanNanos(), t.nowNanos);
        }
        BillingPeriod p = t.period;
        if (g.lease != null && g.lease.hasQuota()) {
            // The cluster's count as of the last sync, less what this node still holds of it.
            long held = g.lease.tokens(p.dayIndex());
            if (g.quotaDay > 0) {
                long used = g.lease.clusterUsedDay(p.dayIndex()) - held;
                n = item(out, n, GrantPolicy.DAY, Math.max(0, g.quotaDay - used),
                        secondsUntil(p.dayEndMillis(), t.epochMillis));
            }
            if (g.quotaMonth > 0) {
                long used = g.lease.clusterUsedMonth(p.monthIndex()) - held;
                n = item(out, n, GrantPolicy.MONTH, Math.max(0, g.quotaMonth - used),
                        secondsUntil(p.monthEndMillis(), t.epochMillis));
            }
            return n;
        }
        if (g.quotaDay > 0) {
            long used = PeriodCounter.countIn(buffer.getLongVolatile(g.grantRecord + DAY_OFFSET), p.dayIndex());
            n = item(out, n, GrantPolicy.DAY, Math.max(0, g.quotaDay - used), secondsUntil(p.dayEndMillis(), t.epochMillis));
        }
        if (g.quotaMonth > 0) {
            long used = PeriodCounter.countIn(buffer.getLongVolatile(g.grantRecord + MONTH_OFFSET), p.monthIndex());
            n = item(out, n, GrantPolicy.MONTH, Math.max(0, g.quotaMonth - used),
                    secondsUntil(p.monthEndMillis(), t.epochMillis));
        }
        return n;
    }

    private int gcraItem(byte[] out, int n, byte[] name, int record, long interval, long span, long nowNanos) {
        long ahead = GcraRateLimiter.resetNanos(buffer, record + TAT_OFFSET, nowNanos);
        long remaining = ahead >= span ? 0 : (span - ahead) / interval;
        return item(out, n, name, remaining, GcraRateLimiter.ceilSeconds(ahead));
    }

    private static int item(byte[] out, int n, byte[] name, long remaining, long resetSeconds) {
        if (n > 0) {
            out[n++] = ',';
            out[n++] = ' ';
        }
        System.arraycopy(name, 0, out, n, name.length);
        n += name.length;
        out[n++] = ';';
        out[n++] = 'r';
        out[n++] = '=';
        n = digits(out, n, remaining);
        out[n++] = ';';
        out[n++] = 't';
        out[n++] = '=';
        return digits(out, n, resetSeconds);
    }

    /**
     * Writes non-negative {@code v} in decimal at {@code n}; returns the new end. The end is found first, so the
     * digits go straight to their places from the right, two per division (int division once the value fits):
     * a quota's remaining count has a dozen digits, and every granted response renders four such values.
     */
    static int digits(byte[] out, int n, long v) {
        int end = n + decimalLength(v);
        int i = end;
        while (v > Integer.MAX_VALUE) {
            long q = v / 100;
            int r = (int) (v - q * 100);
            out[--i] = DIGIT_ONES[r];
            out[--i] = DIGIT_TENS[r];
            v = q;
        }
        int w = (int) v;
        while (w >= 100) {
            int q = w / 100;
            int r = w - q * 100;
            out[--i] = DIGIT_ONES[r];
            out[--i] = DIGIT_TENS[r];
            w = q;
        }
        if (w >= 10) {
            out[--i] = DIGIT_ONES[w];
            out[--i] = DIGIT_TENS[w];
        } else {
            out[--i] = (byte) ('0' + w);
        }
        return end;
    }

    /** How many decimal digits non-negative {@code v} has (1 for 0, 19 at most). */
    static int decimalLength(long v) {
        if (v < 10) {
            return 1;
        }
        // floor(bits * log10(2)) is the length or one less (1233 / 4096 is log10(2) to within the range used).
        int guess = (Long.SIZE - Long.numberOfLeadingZeros(v)) * 1233 >>> 12;
        return v >= POWERS_OF_TEN[guess] ? guess + 1 : guess;
    }

    /** 10^0 .. 10^18, every power of ten a long holds. */
    private static final long[] POWERS_OF_TEN = new long[19];

    /** The tens and ones digit of each of 0..99. */
    private static final byte[] DIGIT_TENS = new byte[100];
    private static final byte[] DIGIT_ONES = new byte[100];

    static {
        POWERS_OF_TEN[0] = 1;
        for (int i = 1; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
        }
        for (int i = 0; i < 100; i++) {
            DIGIT_TENS[i] = (byte) ('0' + i / 10);
            DIGIT_ONES[i] = (byte) ('0' + i % 10);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            counters.close();
        }
    }
}
