package io.gozargah.engine.metrics;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The counters and latency recorders of one (service, consumer) series on one event loop. Only that loop
 * writes (each counter is read, incremented and stored with release semantics: no lock, no CAS, and on x86
 * nothing but plain moves); the scrape reads any loop's cells. The recorders are HdrHistogram
 * {@link SingleWriterRecorder}s, which hand their interval histograms to the reader without stopping the writer.
 */
final class SeriesCell {
    /** Per outcome: six status classes ({@code none}, 1xx to 5xx). */
    static final int STATUS_CLASSES = 6;
    static final int RESULTS = OutcomeLabels.OUTCOMES * STATUS_CLASSES;
    static final int REQUEST_BYTES = RESULTS;
    static final int RESPONSE_BYTES = REQUEST_BYTES + 1;
    static final int TOTAL_SUM_MICROS = RESPONSE_BYTES + 1;
    static final int UPSTREAM_SUM_MICROS = TOTAL_SUM_MICROS + 1;
    static final int TOTAL_BUCKETS = UPSTREAM_SUM_MICROS + 1;
    static final int UPSTREAM_BUCKETS = TOTAL_BUCKETS + LatencyBuckets.COUNT;
    static final int REJECTIONS = UPSTREAM_BUCKETS + LatencyBuckets.COUNT;
    static final int SLOTS = REJECTIONS + OutcomeLabels.OUTCOMES;

    /**
     * Three significant digits (0.1% of the value), auto-resizing, packed: memory grows with the values seen,
     * not with the range, so thousands of quiet series stay small.
     */
    static final int SIGNIFICANT_DIGITS = 3;

    final Series series;
    final AtomicLongArray counts = new AtomicLongArray(SLOTS);
    final SingleWriterRecorder total = new SingleWriterRecorder(SIGNIFICANT_DIGITS, true);
    final SingleWriterRecorder upstream = new SingleWriterRecorder(SIGNIFICANT_DIGITS, true);
    // Reader side only (under the registry's collect lock): interval histograms handed back for reuse.
    Histogram recycleTotal;
    Histogram recycleUpstream;

    SeriesCell(Series series) {
        this.series = series;
    }

    void add(int slot, long n) {
        counts.lazySet(slot, counts.get(slot) + n);
    }

    void recordTotal(long micros) {
        total.recordValue(micros);
        add(TOTAL_SUM_MICROS, micros);
        add(TOTAL_BUCKETS + LatencyBuckets.index(micros), 1);
    }

    void recordUpstream(long micros) {
        upstream.recordValue(micros);
        add(UPSTREAM_SUM_MICROS, micros);
        add(UPSTREAM_BUCKETS + LatencyBuckets.index(micros), 1);
    }
}
