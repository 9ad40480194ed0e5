package io.gozargah.engine.portal;

import io.gozargah.engine.calendar.BillingCalendar;
import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.config.JournalConfig;
import io.gozargah.engine.journal.JournalReader;
import io.gozargah.engine.journal.JournalStatistics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The monthly statistics of {@code /statistics}, computed from the journal by {@link JournalStatistics} (what
 * {@code gozargah journal report} computes) in one pass, off every request's path: {@link #refresh()} runs on the
 * portal's background thread at start and every {@code portal.statisticsInterval}, and pages read the last result.
 */
final class StatisticsCache {
    private static final Logger log = LoggerFactory.getLogger(StatisticsCache.class);

    /** One computation's result, immutable. */
    record Result(long computedAtMillis, BillingCalendar calendar, long transactions, long summarized,
                  long firstMillis, long lastMillis, List<JournalStatistics.MonthRow> months,
                  List<JournalStatistics.NameRow> providers, List<JournalStatistics.NameRow> services,
                  List<JournalStatistics.NameRow> consumers, List<JournalStatistics.CacheRow> cache,
                  String problem) {
    }

    private final Supplier<GatewayConfig> config;
    private final LongSupplier clockMillis;
    private volatile Result last;

    StatisticsCache(Supplier<GatewayConfig> config, LongSupplier clockMillis) {
        this.config = config;
        this.clockMillis = clockMillis;
    }

    /** The last result, or null before the first computation has ended. */
    Result last() {
        return last;
    }

    /** Computes the statistics from the whole journal now (blocks for one pass) and keeps the result. */
    void refresh() {
        GatewayConfig c = config.get();
        BillingCalendar calendar = BillingCalendar.named(c.admission().calendar(), c.admission().zone());
        JournalConfig journal = c.journal();
        long now = clockMillis.getAsLong();
        if (journal == null || !journal.enabled()) {
            last = empty(now, calendar, "no-journal");
            return;
        }
        try {
            if (!JournalReader.exists(journal.dir())) {
                last = empty(now, calendar, null);
                return;
            }
            try (JournalReader reader = JournalReader.open(journal.dir())) {
                JournalStatistics s = new JournalStatistics(reader.names(), calendar, Long.MIN_VALUE, Long.MAX_VALUE);
                reader.readAvailable(s);
                last = new Result(now, calendar, s.transactions(), s.summarized(), s.firstMillis(), s.lastMillis(),
                        s.months(), s.providers(), s.services(), s.consumers(), s.cache(), null);
            }
        } catch (RuntimeException e) { // JournalException among them: a journal that cannot be read now
            log.warn("portal statistics not computed: {}", e.toString());
            Result previous = last;
            if (previous == null) {
                last = empty(now, calendar, "journal-busy");
            }
        }
    }

    private static Result empty(long now, BillingCalendar calendar, String problem) {
        return new Result(now, calendar, 0, 0, 0, 0, List.of(), List.of(), List.of(), List.of(), List.of(),
                problem);
    }
}
