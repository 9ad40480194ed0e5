package io.gozargah.engine.metrics;

/**
 * The fixed upper bounds of the latency histograms (Prometheus {@code le}), in microseconds. Counted exactly on
 * the hot path (a short scan, no HdrHistogram rounding at a bound), so {@code histogram_quantile} over them
 * agrees with what a consumer saw to the bucket. From 100 us (a loopback hop) to 10 s (beyond any sane
 * provider timeout); everything longer lands in {@code +Inf}.
 */
final class LatencyBuckets {
    static final long[] BOUNDS_MICROS = {
            100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
            1_000_000, 2_500_000, 5_000_000, 10_000_000};
    /** Buckets including the last, unbounded one. */
    static final int COUNT = BOUNDS_MICROS.length + 1;

    private LatencyBuckets() {
    }

    /** The index of the first bucket whose bound is at least {@code micros}; {@code COUNT - 1} for +Inf. */
    static int index(long micros) {
        long[] b = BOUNDS_MICROS;
        int i = 0;
        while (i < b.length && micros > b[i]) {
            i++;
        }
        return i;
    }

    /** The Prometheus {@code le} label of bucket {@code i}, in seconds. */
    static String le(int i) {
        return i < BOUNDS_MICROS.length ? PrometheusText.seconds(BOUNDS_MICROS[i]) : "+Inf";
    }
}
