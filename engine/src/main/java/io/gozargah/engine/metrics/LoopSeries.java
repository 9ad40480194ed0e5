package io.gozargah.engine.metrics;

import io.gozargah.engine.route.Consumer;
import io.gozargah.engine.route.RoutingSnapshot;
import io.gozargah.engine.route.ServiceRoute;

/**
 * One event loop's cells, found by (service slot, consumer slot) in an open-addressing table of primitive keys:
 * the lookup allocates nothing. A cell is created the first time its series appears on this loop (a
 * one-off per series and loop, not per request). Used only by its own loop.
 */
final class LoopSeries {
    private final MetricsRegistry registry;
    private long[] keys = new long[64];
    private SeriesCell[] cells = new SeriesCell[64];
    private int size;
    private SnapshotSlots current;
    private SnapshotSlots previous;

    LoopSeries(MetricsRegistry registry) {
        this.registry = registry;
    }

    /**
     * The service's label slot, through a per-snapshot table by service id, built once per reload. The table of
     * the previous snapshot is kept too: after a reload, exchanges that started before it finish on the old
     * snapshot while new ones use the new, and alternating between them must not rebuild a table each time.
     */
    int serviceSlot(RoutingSnapshot s, ServiceRoute service) {
        if (service == null || s == null) {
            return Labels.NONE;
        }
        return slots(s).services[service.id()];
    }

    /**
     * The consumer's label slot, through a per-snapshot table by consumer id kept with the services' table: the
     * slot is asked of {@link Labels} (a map by name) the first time a consumer is seen on this loop in a
     * snapshot, and read from the table after that.
     */
    int consumerSlot(RoutingSnapshot s, Consumer consumer) {
        if (consumer == null) {
            return Labels.NONE;
        }
        int[] table = s == null ? null : slots(s).consumers;
        int id = consumer.id();
        if (table == null || id >= table.length) {
            return registry.labels().consumerSlot(consumer.name());
        }
        int slot = table[id];
        if (slot == 0) {
            slot = registry.labels().consumerSlot(consumer.name()) + 1;
            table[id] = slot;
        }
        return slot - 1;
    }

    private SnapshotSlots slots(RoutingSnapshot s) {
        SnapshotSlots c = current;
        if (c != null && c.snapshot == s) {
            return c;
        }
        SnapshotSlots p = previous;
        SnapshotSlots next = p != null && p.snapshot == s ? p : new SnapshotSlots(s, registry.labels().serviceSlots(s));
        previous = c;
        current = next;
        return next;
    }

    SeriesCell cell(int serviceSlot, int consumerSlot) {
        long key = key(serviceSlot, consumerSlot);
        SeriesCell c = find(key);
        if (c != null) {
            return c;
        }
        // First sight of this pair on this loop: the registry may fold it into (service, _other) when the
        // series cap is reached, and this loop may already write that series under its own key.
        Series series = registry.series(serviceSlot, consumerSlot);
        long seriesKey = key(series.serviceSlot, series.consumerSlot);
        c = seriesKey == key ? null : find(seriesKey);
        if (c == null) {
            c = new SeriesCell(series);
            series.cells.add(c);
            if (seriesKey != key) {
                put(seriesKey, c);
            }
        }
        put(key, c);
        return c;
    }

    private SeriesCell find(long key) {
        int mask = keys.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            SeriesCell c = cells[i];
            if (c == null || keys[i] == key) {
                return c;
            }
        }
    }

    private static long key(int serviceSlot, int consumerSlot) {
        return ((long) serviceSlot << 32) | (consumerSlot & 0xFFFF_FFFFL);
    }

    private void put(long key, SeriesCell cell) {
        if ((size + 1) * 2 > keys.length) {
            long[] oldKeys = keys;
            SeriesCell[] oldCells = cells;
            keys = new long[oldKeys.length * 2];
            cells = new SeriesCell[oldKeys.length * 2];
            size = 0;
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldCells[i] != null) {
                    put(oldKeys[i], oldCells[i]);
                }
            }
        }
        int mask = keys.length - 1;
        int i = mix(key) & mask;
        while (cells[i] != null) {
            i = (i + 1) & mask;
        }
        keys[i] = key;
        cells[i] = cell;
        size++;
    }

    private static int mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    /** One snapshot's label slots: services by id, built whole; consumers by id, slot + 1 once seen, 0 before. */
    private static final class SnapshotSlots {
        final RoutingSnapshot snapshot;
        final int[] services;
        final int[] consumers;

        SnapshotSlots(RoutingSnapshot snapshot, int[] services) {
            this.snapshot = snapshot;
            this.services = services;
            this.consumers = new int[snapshot.consumerCount()];
        }
    }
}
