package io.gozargah.engine.cluster;

/**
 * A node's part of one configured rate: the GCRA emission interval and burst span it enforces for its share of
 * the cluster's demand. Immutable, replaced as a whole when the share changes, so that the hot path reads both
 * numbers with one volatile read.
 *
 * @param intervalNanos the emission interval of {@code rate × share}; 0 when the limit has no rate
 * @param spanNanos     {@code interval × burst'}, where {@code burst'} is the burst times the share, at least 1
 * @param share         the share of the rate these terms give this node, in (0, 1]
 */
public record RateTerms(long intervalNanos, long spanNanos, double share) {

    /** No rate to enforce. */
    public static final RateTerms NONE = new RateTerms(0, 0, 1);

    /** The least share a node gets (so that a node with no recent demand can still admit its first request). */
    static final double MIN_SHARE = 0.001;

    /**
     * The terms of {@code rate} per second with {@code burst} for a node with {@code share} of the demand. The
     * interval is rounded up, so the shares of all nodes never add up to more than the rate.
     */
    public static RateTerms of(double rate, int burst, double share) {
        if (!(rate > 0)) {
            return NONE;
        }
        double s = Math.max(MIN_SHARE, Math.min(1, share));
        long interval = (long) Math.ceil(1e9 / (rate * s));
        long nodeBurst = Math.max(1, Math.round(burst * s));
        return new RateTerms(interval, interval * nodeBurst, s);
    }
}
