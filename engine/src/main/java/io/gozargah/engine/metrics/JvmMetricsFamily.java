package io.gozargah.engine.metrics;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The process's and the JVM's metrics, from the Prometheus Java client's collectors (prometheus-metrics-
 * instrumentation-jvm): {@code process_cpu_seconds_total}, {@code process_resident_memory_bytes},
 * {@code process_start_time_seconds}, heap and non-heap memory by pool ({@code jvm_memory_*}), collections and
 * their pause time by collector ({@code jvm_gc_collection_seconds}), threads by state ({@code jvm_threads_*}),
 * direct and mapped buffers ({@code jvm_buffer_pool_*}), classes, compilation and {@code jvm_runtime_info}.
 * They are read at scrape time into a registry of their own and written in the same text format as ours, after
 * our families; names our registry writes itself ({@code process_open_fds} and {@code process_max_fds}, which
 * the connection limits report their own way) are left out, so each family appears once.
 */
public final class JvmMetricsFamily implements MetricFamily {
    /** Process-wide, as what it measures is: registered once however many gateways a JVM starts (the tests). */
    private static final class Registry {
        static final PrometheusRegistry INSTANCE = new PrometheusRegistry();

        static {
            JvmMetrics.builder().register(INSTANCE);
        }
    }

    private final Set<String> written;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    /** {@code written}: family names our registry writes itself, left out of the client's. */
    public JvmMetricsFamily(Set<String> written) {
        this.written = Set.copyOf(written);
    }

    @Override
    public void write(PrometheusText out) {
        ByteArrayOutputStream text = new ByteArrayOutputStream(16384);
        try {
            writer.write(text, Registry.INSTANCE.scrape(name -> !written.contains(name)),
                    EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
        out.raw(text.toString(StandardCharsets.UTF_8));
    }
}
