package io.gozargah.engine.journal;

import io.gozargah.engine.cache.CacheResult;
import io.gozargah.engine.exchange.Outcome;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A journal with known cache results per service and month, for the cache report's tests. Tehran days and months,
 * as in {@link KnownCountsJournal}.
 *
 * <pre>
 *   start (UTC)        persian           service        cache results
 *   2025-03-10T08:00Z  Esfand 1403       post/address   2 miss
 *   2025-03-25T08:00Z  Farvardin 1404    nocr/identity  1 miss, 3 cached, 1 coalesced, 2 with none
 *   2025-04-25T08:00Z  Ordibehesht 1404  nocr/identity  1 miss, 1 stale
 *   2025-03-25T09:00Z  Farvardin 1404    sms/send       1 with code 7, which no version assigns
 *   2025-03-25T10:00Z  Farvardin 1404    sms/send       1 schema version 1 record whose flags have bits 3-5 set
 *   2025-03-25T08:31Z  Farvardin 1404    nocr/identity  a refusal summary of 50
 * </pre>
 * Rows: nocr/identity Farvardin 1404 (1 miss, 3 cached, 1 coalesced; 80.0%), nocr/identity Ordibehesht 1404 (1 miss,
 * 1 stale; 50.0%), post/address Esfand 1403 (2 miss; 0.0%); total 4 miss, 3 cached, 1 coalesced, 1 stale (55.6%).
 */
public final class KnownCacheJournal {
    private KnownCacheJournal() {
    }

    public static void write(Path dir) {
        try (SyntheticJournal j = SyntheticJournal.create(dir)) {
            times(j, 2, "2025-03-10T08:00:00Z", "post/address", CacheResult.MISS.code());
            times(j, 1, "2025-03-25T08:00:00Z", "nocr/identity", CacheResult.MISS.code());
            times(j, 3, "2025-03-25T08:00:00Z", "nocr/identity", CacheResult.HIT.code());
            times(j, 1, "2025-03-25T08:00:00Z", "nocr/identity", CacheResult.COALESCED.code());
            times(j, 2, "2025-03-25T08:00:00Z", "nocr/identity", 0);
            j.summary("snapp", "nocr/identity", Outcome.JOURNAL_UNAVAILABLE, 503, 50,
                    Instant.parse("2025-03-25T08:31:00Z"), 0x0195_0000_0000_7000L, 0x8000_0000_0000_0063L);
            times(j, 1, "2025-04-25T08:00:00Z", "nocr/identity", CacheResult.MISS.code());
            times(j, 1, "2025-04-25T08:00:00Z", "nocr/identity", CacheResult.STALE.code());
            times(j, 1, "2025-03-25T09:00:00Z", "sms/send", 7);
            j.transaction().start("2025-03-25T10:00:00Z").service("sms/send").cacheResult(7).version1().append();
        }
    }

    private static void times(SyntheticJournal j, int n, String start, String service, int cacheResult) {
        for (int i = 0; i < n; i++) {
            j.transaction().start(start).service(service).cacheResult(cacheResult).append();
        }
    }
}
