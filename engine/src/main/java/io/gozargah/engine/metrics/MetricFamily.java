package io.gozargah.engine.metrics;

/**
 * A family of samples written at scrape time, off the hot path: how the journal, admission or any later
 * concern adds its metrics with a line or two ({@link MetricsRegistry#register}, or the {@code gauge} and
 * {@code counter} shorthands for one unlabelled value).
 */
@FunctionalInterface
public interface MetricFamily {
    /** Writes one or more whole families (HELP, TYPE, samples). Called on the admin thread. */
    void write(PrometheusText out);
}
