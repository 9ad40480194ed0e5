package io.gozargah.engine.metrics;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.PackedHistogram;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One (provider, service, consumer) label set: its cells on every event loop that has seen it, and the reader's
 * sliding window of latency histograms for the summary quantiles. Everything but {@link #cells} is touched only
 * under the registry's collect lock.
 */
final class Series {
    final int serviceSlot;
    final int consumerSlot;
    final String provider;
    final String service;
    final String consumer;
    final List<SeriesCell> cells = new CopyOnWriteArrayList<>();
    final LatencyWindow total = new LatencyWindow();
    final LatencyWindow upstream = new LatencyWindow();

    Series(int serviceSlot, int consumerSlot, String provider, String service, String consumer) {
        this.serviceSlot = serviceSlot;
        this.consumerSlot = consumerSlot;
        this.provider = provider;
        this.service = service;
        this.consumer = consumer;
    }

    /**
     * Summary quantiles over the last {@link #SLOTS} slots of {@link #SLOT_NANOS} each (50 to 60 s), so that
     * they describe now rather than the process's whole life; each slot is a packed HdrHistogram, reset when
     * its time comes round again.
     */
    static final class LatencyWindow {
        static final int SLOTS = 6;
        static final long SLOT_NANOS = 10_000_000_000L;

        private final Histogram[] slots = new Histogram[SLOTS];
        private final long[] epochs = new long[SLOTS];

        void add(Histogram interval, long nowNanos) {
            if (interval.getTotalCount() == 0) {
                return;
            }
            long epoch = Math.floorDiv(nowNanos, SLOT_NANOS);
            int i = (int) Math.floorMod(epoch, (long) SLOTS);
            if (slots[i] == null) {
                slots[i] = new PackedHistogram(SeriesCell.SIGNIFICANT_DIGITS);
                epochs[i] = epoch;
            } else if (epochs[i] != epoch) {
                slots[i].reset();
                epochs[i] = epoch;
            }
            slots[i].add(interval);
        }

        /** Adds the slots still inside the window to {@code into}. */
        void mergeInto(Histogram into, long nowNanos) {
            long epoch = Math.floorDiv(nowNanos, SLOT_NANOS);
            for (int i = 0; i < SLOTS; i++) {
                if (slots[i] != null && epoch - epochs[i] < SLOTS) {
                    into.add(slots[i]);
                }
            }
        }
    }
}
