package io.gozargah.engine.admission;

import io.gozargah.engine.cluster.GrantLease;

import java.nio.charset.StandardCharsets;

/**
 * The admission terms of one grant (consumer × service) in one snapshot, resolved for the hot path: the
 * offsets of its counter records, emission intervals instead of rates, and the {@code RateLimit-Policy}
 * field value and refusal details rendered once. Immutable; the counters it points at outlive it, so a
 * reload that keeps the grant keeps its state.
 *
 * <p>Policy names in the RateLimit fields (draft-ietf-httpapi-ratelimit-headers-10):
 * <ul>
 * <li>{@code "grant"}: the grant's rate as {@code q} requests per {@code w} seconds, and its burst as
 * {@code x-gozargah-burst} ({@link GcraRateLimiter#policyParameters});</li>
 * <li>{@code "consumer"}: the consumer's overall rate and burst, over all its grants, likewise;</li>
 * <li>{@code "day"}: the daily quota, {@code w} = 86400;</li>
 * <li>{@code "month"}: the monthly quota, {@code w} = 2592000 (a nominal 30 days: billing months have 29
 * to 31; {@code t} of the RateLimit field gives the real time to the reset).</li>
 * </ul>
 * Only the limits a grant has are named.
 */
public final class GrantPolicy {
    static final byte[] GRANT = "\"grant\"".getBytes(StandardCharsets.US_ASCII);
    static final byte[] CONSUMER = "\"consumer\"".getBytes(StandardCharsets.US_ASCII);
    static final byte[] DAY = "\"day\"".getBytes(StandardCharsets.US_ASCII);
    static final byte[] MONTH = "\"month\"".getBytes(StandardCharsets.US_ASCII);
    static final long DAY_SECONDS = 86_400;
    static final long MONTH_SECONDS = 30 * DAY_SECONDS;

    final String consumer;
    final String service;
    final int grantRecord;
    final long grantInterval;
    final long grantSpan;
    final int consumerRecord;
    final long consumerInterval;
    final long consumerSpan;
    final long quotaDay;
    final long quotaMonth;
    final int consumerMaxInFlight;
    final int serviceRecord;
    final int serviceMaxInFlight;
    final int providerRecord;
    final int providerMaxInFlight;
    final byte[] policyField;
    final String rateDetail;
    final String consumerRateDetail;
    final String dayDetail;
    final String monthDetail;
    final String consumerInFlightDetail;
    final String serviceOverloadDetail;
    final String providerOverloadDetail;
    /** The grant's lease and rate share in the cluster; null when the gateway counts alone. */
    final GrantLease lease;
    /** The consumer's rate share in the cluster; null when alone or the consumer has no rate. */
    final GrantLease consumerLease;
    final String refillDetail;
    final String clusterAwayDetail;

    GrantPolicy(String consumer, String provider, String service, int grantRecord, double grantRate, int grantBurst,
                int consumerRecord, double consumerRate, int consumerBurst, long quotaDay, long quotaMonth,
                int consumerMaxInFlight, int serviceRecord, int serviceMaxInFlight, int providerRecord,
                int providerMaxInFlight, GrantLease lease, GrantLease consumerLease) {
        this.lease = lease;
        this.consumerLease = consumerLease;
        this.consumer = consumer;
        this.service = provider + "/" + service;
        this.grantRecord = grantRecord;
        this.grantInterval = grantRate > 0 ? GcraRateLimiter.emissionIntervalNanos(grantRate) : 0;
        this.grantSpan = grantInterval * grantBurst;
        this.consumerRecord = consumerRecord;
        this.consumerInterval = consumerRate > 0 ? GcraRateLimiter.emissionIntervalNanos(consumerRate) : 0;
        this.consumerSpan = consumerInterval * consumerBurst;
        this.quotaDay = quotaDay;
        this.quotaMonth = quotaMonth;
        this.consumerMaxInFlight = consumerMaxInFlight;
        this.serviceRecord = serviceRecord;
        this.serviceMaxInFlight = serviceMaxInFlight;
        this.providerRecord = providerRecord;
        this.providerMaxInFlight = providerMaxInFlight;

        StringBuilder policy = new StringBuilder();
        if (grantInterval > 0) {
            item(policy, GRANT).append(GcraRateLimiter.policyParameters(grantRate, grantBurst));
        }
        if (consumerInterval > 0) {
            item(policy, CONSUMER).append(GcraRateLimiter.policyParameters(consumerRate, consumerBurst));
        }
        if (quotaDay > 0) {
            item(policy, DAY).append(";q=").append(quotaDay).append(";w=").append(DAY_SECONDS);
        }
        if (quotaMonth > 0) {
            item(policy, MONTH).append(";q=").append(quotaMonth).append(";w=").append(MONTH_SECONDS);
        }
        this.policyField = policy.length() == 0 ? null : policy.toString().getBytes(StandardCharsets.US_ASCII);

        String grant = "consumer " + consumer + " on " + this.service;
        this.rateDetail = grant + " is limited to " + rate(grantRate) + " with a burst of " + grantBurst
                + "; retry after the Retry-After seconds";
        this.consumerRateDetail = "consumer " + consumer + " is limited to " + rate(consumerRate)
                + " over all its services with a burst of " + consumerBurst + "; retry after the Retry-After seconds";
        this.dayDetail = grant + " has used its daily quota of " + quotaDay + " requests; it resets at the start"
                + " of the next billing day (Retry-After)";
        this.monthDetail = grant + " has used its monthly quota of " + quotaMonth + " requests; it resets at the"
                + " start of the next billing month (Retry-After)";
        this.consumerInFlightDetail = "consumer " + consumer + " already has its maximum of " + consumerMaxInFlight
                + " requests in flight (over all its services); retry when one of them has been answered";
        this.serviceOverloadDetail = this.service + " already has its maximum of " + serviceMaxInFlight
                + " requests in flight";
        this.providerOverloadDetail = "provider " + provider + " already has its maximum of " + providerMaxInFlight
                + " requests in flight";
        this.refillDetail = grant + ": this gateway is taking its next block of the cluster's quota; retry after the"
                + " Retry-After seconds";
        this.clusterAwayDetail = grant + ": the cluster's quota store cannot be reached and this gateway's block of"
                + " the quota is spent; retry after the Retry-After seconds";
    }

    private static StringBuilder item(StringBuilder out, byte[] name) {
        if (out.length() > 0) {
            out.append(", ");
        }
        return out.append(new String(name, StandardCharsets.US_ASCII));
    }

    private static String rate(double perSecond) {
        if (perSecond >= 1 && perSecond == Math.rint(perSecond)) {
            return (long) perSecond + " requests per second";
        }
        double perHour = perSecond * 3600;
        return perHour == Math.rint(perHour) ? (long) perHour + " requests per hour" : perSecond + " requests per second";
    }

    /** The consumer's name. */
    public String consumer() {
        return consumer;
    }

    /** {@code provider/service}. */
    public String service() {
        return service;
    }

    /** Whether any limit with a RateLimit policy applies (in-flight caps have none). */
    public boolean hasPolicy() {
        return policyField != null;
    }
}
