package io.gozargah.engine.metrics;

import io.gozargah.engine.exchange.ExchangeStage;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.PackedHistogram;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * The gateway's metrics: the exchange counters and latency recorders that {@link MetricsStage} writes on the
 * event loops, and any {@link MetricFamily} another concern registers, rendered as Prometheus text on scrape.
 *
 * <p>Series are (provider, service, consumer) label sets. Their number is capped at {@code maxSeries}: past it a
 * new pair is counted under (provider, service, {@code _other}), so a consumer probing every service cannot
 * grow the scrape without bound. Latency is exposed three ways: histograms with fixed buckets per series
 * (aggregate them with {@code sum by}), and summaries (quantiles 0.5, 0.9, 0.99, 0.999 over the last minute,
 * plus a max gauge) per series, per service and for the whole gateway, merged exactly from HdrHistograms:
 * quantiles of summaries cannot be averaged, so the roll-ups are computed here.
 */
public final class MetricsRegistry {
    private static final double[] QUANTILES = {0.5, 0.9, 0.99, 0.999};
    private static final String[] QUANTILE_LABELS = {"0.5", "0.9", "0.99", "0.999"};
    private static final String PSC = "provider, service, consumer";

    private final boolean enabled;
    private final int maxSeries;
    private final Labels labels = new Labels();
    private final MetricsStage stage;
    private final Map<Long, Series> series = new HashMap<>();
    private final List<MetricFamily> families = new CopyOnWriteArrayList<>();
    private final LongSupplier clock;
    private long folded;

    /**
     * @param enabled   false: no exchange stage (nothing recorded per request); registered families still render
     * @param maxSeries most (provider, service, consumer) series; more fold into consumer {@code _other}
     */
    public MetricsRegistry(boolean enabled, int maxSeries) {
        this(enabled, maxSeries, System::nanoTime);
    }

    MetricsRegistry(boolean enabled, int maxSeries, LongSupplier clock) {
        this.enabled = enabled;
        this.maxSeries = maxSeries;
        this.clock = clock;
        this.stage = enabled ? new MetricsStage(this) : null;
    }

    /** The stage to put in the gateway's exchange stages, or null when per-request metrics are off. */
    public ExchangeStage stage() {
        return stage;
    }

    Labels labels() {
        return labels;
    }

    /** Adds a family to every scrape, after the built-in ones, in registration order. */
    public void register(MetricFamily family) {
        families.add(family);
    }

    /** One unlabelled gauge, read at scrape time. */
    public void gauge(String name, String help, DoubleSupplier value) {
        register(out -> out.family(name, "gauge", help).sample(name, value.getAsDouble()));
    }

    /** One unlabelled counter, read at scrape time ({@code name} should end in {@code _total}). */
    public void counter(String name, String help, LongSupplier value) {
        register(out -> out.family(name, "counter", help).sample(name, value.getAsLong()));
    }

    /** The series for a pair of slots, created on first use; folded into (service, _other) past the cap. */
    synchronized Series series(int serviceSlot, int consumerSlot) {
        Series s = series.get(key(serviceSlot, consumerSlot));
        if (s != null) {
            return s;
        }
        if (series.size() >= maxSeries && consumerSlot != Labels.OTHER) {
            folded++;
            return series(serviceSlot, Labels.OTHER);
        }
        String[] service = labels.service(serviceSlot);
        s = new Series(serviceSlot, consumerSlot, service[0], service[1], labels.consumer(consumerSlot));
        series.put(key(serviceSlot, consumerSlot), s);
        return s;
    }

    private static long key(int serviceSlot, int consumerSlot) {
        return ((long) serviceSlot << 32) | (consumerSlot & 0xFFFF_FFFFL);
    }

    /**
     * Exchanges completed for {@code consumer}, by "provider/service" and outcome code, since start (the
     * admin API's usage view; quotas and their windows are admission's to report).
     */
    public synchronized Map<String, Map<String, Long>> usage(String consumer) {
        Map<String, Map<String, Long>> usage = new java.util.TreeMap<>();
        for (Series s : series.values()) {
            if (!s.consumer.equals(consumer)) {
                continue;
            }
            for (SeriesCell c : s.cells) {
                for (int o = 0; o < OutcomeLabels.OUTCOMES; o++) {
                    long n = 0;
                    for (int sc = 0; sc < SeriesCell.STATUS_CLASSES; sc++) {
                        n += c.counts.get(o * SeriesCell.STATUS_CLASSES + sc);
                    }
                    if (n != 0) {
                        usage.computeIfAbsent(s.provider + "/" + s.service, k -> new java.util.TreeMap<>())
                                .merge(OutcomeLabels.ALL[o].code(), n, Long::sum);
                    }
                }
            }
        }
        return usage;
    }

    /** The whole exposition, as {@code GET /metrics} serves it. */
    public synchronized String scrape() {
        StringBuilder sb = new StringBuilder(16384);
        PrometheusText out = new PrometheusText(sb);
        if (enabled) {
            writeExchanges(out);
        }
        for (MetricFamily f : families) {
            f.write(out);
        }
        return sb.toString();
    }

    /** One series' counters summed over its cells on every loop. */
    private record Totals(Series series, long[] counts) {
    }

    private void writeExchanges(PrometheusText out) {
        long now = clock.getAsLong();
        List<Series> all = new ArrayList<>(series.values());
        all.sort(Comparator.comparing((Series s) -> s.provider).thenComparing(s -> s.service)
                .thenComparing(s -> s.consumer));
        List<Totals> totals = new ArrayList<>(all.size());
        for (Series s : all) {
            long[] sum = new long[SeriesCell.SLOTS];
            for (SeriesCell c : s.cells) {
                // Interval histograms move into the series' window; counters are read as they stand.
                Histogram t = c.total.getIntervalHistogram(c.recycleTotal);
                s.total.add(t, now);
                c.recycleTotal = t;
                Histogram u = c.upstream.getIntervalHistogram(c.recycleUpstream);
                s.upstream.add(u, now);
                c.recycleUpstream = u;
                for (int i = 0; i < SeriesCell.SLOTS; i++) {
                    sum[i] += c.counts.get(i);
                }
            }
            totals.add(new Totals(s, sum));
        }

        out.family("gozargah_requests_total", "counter",
                "Exchanges completed, by provider, service, consumer, status class answered and outcome code"
                        + " (ok for a provider's answer passed through).");
        for (Totals t : totals) {
            for (int o = 0; o < OutcomeLabels.OUTCOMES; o++) {
                for (int sc = 0; sc < SeriesCell.STATUS_CLASSES; sc++) {
                    long n = t.counts[o * SeriesCell.STATUS_CLASSES + sc];
                    if (n != 0) {
                        out.sample("gozargah_requests_total", n, "provider", t.series.provider, "service",
                                t.series.service, "consumer", t.series.consumer, "status_class",
                                OutcomeLabels.statusClassLabel(sc), "outcome", OutcomeLabels.ALL[o].code());
                    }
                }
            }
        }
        counterPerSeries(out, totals, "gozargah_request_body_bytes_total",
                "Request body bytes received from consumers (after de-chunking).", SeriesCell.REQUEST_BYTES);
        counterPerSeries(out, totals, "gozargah_response_body_bytes_total",
                "Response body bytes sent to consumers (provider content or problem documents).",
                SeriesCell.RESPONSE_BYTES);

        out.family("gozargah_admission_rejections_total", "counter",
                "Exchanges refused by admission (limits, quotas, overload, journal), by kind.");
        for (Totals t : totals) {
            for (int o = 0; o < OutcomeLabels.OUTCOMES; o++) {
                long n = t.counts[SeriesCell.REJECTIONS + o];
                if (n != 0) {
                    out.sample("gozargah_admission_rejections_total", n, "provider", t.series.provider, "service",
                            t.series.service, "consumer", t.series.consumer, "kind", OutcomeLabels.ALL[o].code());
                }
            }
        }

        histogram(out, totals, "gozargah_request_duration_seconds",
                "Time from a complete request head to the end of the exchange, by " + PSC + ".",
                SeriesCell.TOTAL_BUCKETS, SeriesCell.TOTAL_SUM_MICROS);
        histogram(out, totals, "gozargah_upstream_duration_seconds",
                "Time from the request sent to the provider to the end of its response, by " + PSC + ".",
                SeriesCell.UPSTREAM_BUCKETS, SeriesCell.UPSTREAM_SUM_MICROS);

        summaries(out, totals, now, "request", "Time from a complete request head to the end of the exchange",
                true);
        summaries(out, totals, now, "upstream",
                "Time from the request sent to the provider to the end of its response", false);

        out.family("gozargah_metrics_series", "gauge",
                "Distinct (provider, service, consumer) series; capped at metrics.maxSeries.");
        out.sample("gozargah_metrics_series", (long) series.size());
        out.family("gozargah_metrics_series_folded_total", "counter",
                "Series folded into consumer _other because metrics.maxSeries was reached.");
        out.sample("gozargah_metrics_series_folded_total", folded);
    }

    private static void counterPerSeries(PrometheusText out, List<Totals> totals, String name, String help,
                                         int slot) {
        out.family(name, "counter", help);
        for (Totals t : totals) {
            out.sample(name, t.counts[slot], "provider", t.series.provider, "service", t.series.service,
                    "consumer", t.series.consumer);
        }
    }

    private static void histogram(PrometheusText out, List<Totals> totals, String name, String help, int buckets,
                                  int sumSlot) {
        out.family(name, "histogram", help);
        for (Totals t : totals) {
            Series s = t.series;
            long cumulative = 0;
            for (int b = 0; b < LatencyBuckets.COUNT; b++) {
                cumulative += t.counts[buckets + b];
                out.sample(name + "_bucket", cumulative, "provider", s.provider, "service", s.service,
                        "consumer", s.consumer, "le", LatencyBuckets.le(b));
            }
            out.sample(name + "_sum", t.counts[sumSlot] / 1e6, "provider", s.provider, "service", s.service,
                    "consumer", s.consumer);
            out.sample(name + "_count", cumulative, "provider", s.provider, "service", s.service,
                    "consumer", s.consumer);
        }
    }

    /**
     * Summaries of {@code kind} latency at three levels (series, service, gateway), each with a max gauge. The
     * quantiles and max cover the sliding window; {@code _sum} and {@code _count} the process's life.
     */
    private static void summaries(PrometheusText out, List<Totals> totals, long now, String kind, String what,
                                  boolean total) {
        int buckets = total ? SeriesCell.TOTAL_BUCKETS : SeriesCell.UPSTREAM_BUCKETS;
        int sumSlot = total ? SeriesCell.TOTAL_SUM_MICROS : SeriesCell.UPSTREAM_SUM_MICROS;
        String series = "gozargah_" + kind + "_latency_seconds";
        String service = "gozargah_service_" + kind + "_latency_seconds";
        String gateway = "gozargah_gateway_" + kind + "_latency_seconds";

        List<Level> perSeries = new ArrayList<>();
        Map<String, Level> perService = new java.util.LinkedHashMap<>();
        Level all = new Level(new String[0]);
        for (Totals t : totals) {
            Series s = t.series;
            Level l = new Level(new String[]{"provider", s.provider, "service", s.service, "consumer", s.consumer});
            (total ? s.total : s.upstream).mergeInto(l.window, now);
            l.count = count(t.counts, buckets);
            l.sumMicros = t.counts[sumSlot];
            perSeries.add(l);
            Level svc = perService.computeIfAbsent(s.provider + "/" + s.service,
                    k -> new Level(new String[]{"provider", s.provider, "service", s.service}));
            svc.absorb(l);
            all.absorb(l);
        }
        writeLevel(out, series, what + " (quantiles over the last minute), by " + PSC + ".", perSeries);
        writeLevel(out, service, what + " (quantiles over the last minute), by provider and service, merged"
                + " over consumers.", new ArrayList<>(perService.values()));
        writeLevel(out, gateway, what + " (quantiles over the last minute), every exchange.", List.of(all));
    }

    private static long count(long[] counts, int buckets) {
        long n = 0;
        for (int b = 0; b < LatencyBuckets.COUNT; b++) {
            n += counts[buckets + b];
        }
        return n;
    }

    private static void writeLevel(PrometheusText out, String name, String help, List<Level> levels) {
        out.family(name, "summary", help);
        for (Level l : levels) {
            for (int q = 0; q < QUANTILES.length; q++) {
                double v = l.window.getTotalCount() == 0 ? Double.NaN
                        : l.window.getValueAtPercentile(QUANTILES[q] * 100) / 1e6;
                out.sample(name, v, l.with("quantile", QUANTILE_LABELS[q]));
            }
            out.sample(name + "_sum", l.sumMicros / 1e6, l.labels);
            out.sample(name + "_count", l.count, l.labels);
        }
        String max = name.substring(0, name.length() - "_seconds".length()) + "_max_seconds";
        out.family(max, "gauge", "Largest value of " + name + " in the last minute (NaN when none).");
        for (Level l : levels) {
            out.sample(max, l.window.getTotalCount() == 0 ? Double.NaN : l.window.getMaxValue() / 1e6, l.labels);
        }
    }

    /** A summary's data at one level of aggregation. */
    private static final class Level {
        final String[] labels;
        final Histogram window = new PackedHistogram(SeriesCell.SIGNIFICANT_DIGITS);
        long count;
        long sumMicros;

        Level(String[] labels) {
            this.labels = labels;
        }

        void absorb(Level l) {
            window.add(l.window);
            count += l.count;
            sumMicros += l.sumMicros;
        }

        String[] with(String name, String value) {
            String[] all = java.util.Arrays.copyOf(labels, labels.length + 2);
            all[labels.length] = name;
            all[labels.length + 1] = value;
            return all;
        }
    }
}
