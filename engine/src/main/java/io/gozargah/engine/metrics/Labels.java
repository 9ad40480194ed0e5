package io.gozargah.engine.metrics;

import io.gozargah.engine.route.RoutingSnapshot;
import io.gozargah.engine.route.ServiceRoute;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Label values as small integer slots, assigned on first sight and kept for the process's life (a counter of a
 * service removed by a reload must not go backwards or vanish mid-scrape). Names come from the configuration;
 * past {@link #MAX_NAMES} of a kind the rest fold into {@link #OTHER}.
 *
 * <p>{@code _none} (no service routed, no consumer authenticated) and {@code _other} start with '_', which no
 * configured name may, so they never collide with a real provider, service or consumer.
 */
final class Labels {
    static final int NONE = 0;
    static final int OTHER = 1;
    static final String NONE_NAME = "_none";
    static final String OTHER_NAME = "_other";
    /** A bound on distinct names of each kind; the series cap (metrics.maxSeries) is the one that binds first. */
    static final int MAX_NAMES = 65_536;

    private final Map<String, Integer> serviceSlots = new ConcurrentHashMap<>();
    private final Map<String, Integer> consumerSlots = new ConcurrentHashMap<>();
    private final List<String[]> services = new ArrayList<>();
    private final List<String> consumers = new ArrayList<>();

    Labels() {
        services.add(new String[]{NONE_NAME, NONE_NAME});
        services.add(new String[]{OTHER_NAME, OTHER_NAME});
        consumers.add(NONE_NAME);
        consumers.add(OTHER_NAME);
    }

    /** Slots of every service of {@code snapshot}, by service id. */
    int[] serviceSlots(RoutingSnapshot snapshot) {
        List<ServiceRoute> list = snapshot.services();
        int[] slots = new int[list.size()];
        for (ServiceRoute s : list) {
            slots[s.id()] = serviceSlot(s.provider(), s.name());
        }
        return slots;
    }

    private int serviceSlot(String provider, String service) {
        String key = provider + "/" + service;
        Integer slot = serviceSlots.get(key);
        if (slot != null) {
            return slot;
        }
        synchronized (this) {
            return serviceSlots.computeIfAbsent(key, k -> {
                if (services.size() >= MAX_NAMES) {
                    return OTHER;
                }
                services.add(new String[]{provider, service});
                return services.size() - 1;
            });
        }
    }

    /** A consumer's slot: a lock-free map read once the name is known (every request but the first). */
    int consumerSlot(String name) {
        if (name == null) {
            return NONE;
        }
        Integer slot = consumerSlots.get(name);
        if (slot != null) {
            return slot;
        }
        synchronized (this) {
            return consumerSlots.computeIfAbsent(name, k -> {
                if (consumers.size() >= MAX_NAMES) {
                    return OTHER;
                }
                consumers.add(name);
                return consumers.size() - 1;
            });
        }
    }

    synchronized String[] service(int slot) {
        return services.get(slot);
    }

    synchronized String consumer(int slot) {
        return consumers.get(slot);
    }
}
