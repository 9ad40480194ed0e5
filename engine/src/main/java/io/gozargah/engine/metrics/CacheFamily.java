package io.gozargah.engine.metrics;

import io.gozargah.engine.cache.CacheResult;
import io.gozargah.engine.cache.InquiryCache;
import io.gozargah.engine.cache.InquiryCaches;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The services' inquiry caches: what each did for the exchanges it saw, and what it holds. Read at scrape time from
 * the caches' own counters and Caffeine's sizes; the caches of the running snapshot only (a service whose cache was
 * dropped by a reload, or whose settings changed, starts its counts again).
 */
public final class CacheFamily implements MetricFamily {
    private static final String REQUESTS = "gozargah_cache_requests_total";
    private static final String BYTES = "gozargah_cache_bytes";
    private static final String ENTRIES = "gozargah_cache_entries";
    private static final String EVICTIONS = "gozargah_cache_evictions_total";

    private final InquiryCaches caches;

    public CacheFamily(InquiryCaches caches) {
        this.caches = caches;
    }

    @Override
    public void write(PrometheusText out) {
        List<InquiryCache> all = new ArrayList<>(caches.all());
        if (all.isEmpty()) {
            return; // no service is cached: no family to show
        }
        all.sort(Comparator.comparing(InquiryCache::service));
        out.family(REQUESTS, "counter", "Exchanges of a cached service the cache had a part in, by what it did: hit"
                + " (answered fresh from it), miss (asked the provider), coalesced (waited on an identical inquiry's"
                + " call), stale (a kept answer stood in for a failed provider).");
        for (InquiryCache c : all) {
            for (CacheResult r : CacheResult.values()) {
                out.sample(REQUESTS, c.counted(r), "service", c.service(), "result", r.headerValue());
            }
        }
        out.family(BYTES, "gauge", "Bytes a service's cache holds, as its maxBytes counts them (answers, keys and a"
                + " fixed cost per entry).");
        for (InquiryCache c : all) {
            out.sample(BYTES, c.weightedBytes(), "service", c.service());
        }
        out.family(ENTRIES, "gauge", "Answers a service's cache holds.");
        for (InquiryCache c : all) {
            out.sample(ENTRIES, c.entries(), "service", c.service());
        }
        out.family(EVICTIONS, "counter", "Answers a service's cache dropped to stay within its maxBytes.");
        for (InquiryCache c : all) {
            out.sample(EVICTIONS, c.evictions(), "service", c.service());
        }
    }
}
