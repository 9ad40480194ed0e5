package io.gozargah.engine.config;

/**
 * @param enabled   record per-request metrics (the exchange stage); off, /metrics still serves process-level ones
 * @param maxSeries most (provider, service, consumer) series kept; more fold into consumer {@code _other}
 */
public record MetricsConfig(boolean enabled, int maxSeries) {
    public static final int DEFAULT_MAX_SERIES = 4096;

    public static MetricsConfig defaults() {
        return new MetricsConfig(true, DEFAULT_MAX_SERIES);
    }
}
