package io.gozargah.engine.journal;

import io.gozargah.codec.journal.DictionaryEntryFlyweight;
import io.gozargah.codec.journal.RefusalSummaryFlyweight;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import io.gozargah.engine.cache.CacheResult;
import io.gozargah.engine.calendar.BillingCalendar;
import io.gozargah.engine.calendar.BillingPeriod;
import io.gozargah.engine.calendar.CurrentPeriod;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.Object2IntHashMap;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;

/**
 * The bus's statistics, aggregated in one pass over a journal: transactions per month of a
 * {@link BillingCalendar}, with the providers, services and consumers active in each; totals per provider,
 * service and consumer; the outcome mix; what services' caches did, per service and month ({@link #cache()}). Only
 * transactions that started within {@code [from, to)} count.
 *
 * <p>Streaming, for journals of billions of records: a record updates a few counters and bits and is forgotten.
 * Memory grows with the number of distinct names × months, never with the number of records. A provider is the
 * part of a service name before its slash ({@code nocr/identity} is provider {@code nocr}).
 */
public final class JournalStatistics implements JournalVisitor {
    /** Where a record names no consumer, service or endpoint (id 0), or an id the dictionary does not define. */
    public static final String NONE = "-";
    /** Cache result codes counted: 1 to this ({@link CacheResult}). */
    private static final int CACHE_RESULTS = CacheResult.values().length;

    private final JournalNames dictionary;
    private final CurrentPeriod periods;
    private final long fromMillis;
    private final long toMillis;

    private final Names consumers = new Names();
    private final Names services = new Names();
    private final Names providers = new Names();
    /** Dense service index to dense provider index. */
    private final Int2IntHashMap providerOfService = new Int2IntHashMap(-1);
    private final Int2ObjectHashMap<Tally> months = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<long[]> outcomes = new Int2ObjectHashMap<>();
    /** Per service and month (key: month index in the high 32 bits, dense service index in the low), counts by code. */
    private final Long2ObjectHashMap<long[]> cache = new Long2ObjectHashMap<>();
    private Tally month;
    private int monthIndex;
    private long transactions;
    private long summarized;
    private long firstMillis = Long.MAX_VALUE;
    private long lastMillis = Long.MIN_VALUE;

    /**
     * @param dictionary the reader's dictionary, resolving the ids of each record as it comes
     * @param calendar   the calendar whose months the counts are kept in
     * @param fromMillis first epoch millisecond counted ({@link Long#MIN_VALUE}: from the start)
     * @param toMillis   first epoch millisecond not counted ({@link Long#MAX_VALUE}: to the end)
     */
    public JournalStatistics(JournalNames dictionary, BillingCalendar calendar, long fromMillis, long toMillis) {
        this.dictionary = dictionary;
        this.periods = new CurrentPeriod(calendar);
        this.fromMillis = fromMillis;
        this.toMillis = toMillis;
    }

    @Override
    public void transaction(JournalPosition position, TransactionRecordFlyweight record) {
        if (count(record.startEpochNanos(), record.consumerId(), record.serviceId(), record.outcomeCode(), 1)) {
            countCache(record.serviceId(), record.cacheResult());
        }
    }

    /**
     * Counts a counted transaction's cache result in its service and month ({@link #monthIndex}, which
     * {@link #count} has just set). No result (0), and a code this version does not know, are not counted: the
     * table is about what caches did, and a hit ratio needs to know whether each one was a hit.
     */
    private void countCache(int serviceId, int code) {
        CacheResult result = CacheResult.ofCode(code);
        if (result == null) {
            return;
        }
        int service = services.index(serviceId, DictionaryEntryFlyweight.KIND_SERVICE);
        long key = (long) monthIndex << 32 | service;
        long[] counts = cache.get(key);
        if (counts == null) {
            counts = new long[CACHE_RESULTS];
            cache.put(key, counts);
        }
        counts[result.code() - 1]++;
    }

    /**
     * A summary's exchanges count as transactions (each was answered with a transaction id), in the month its
     * first one started, with its outcome, consumer and service: so the totals are the number of answers.
     */
    @Override
    public void refusalSummary(JournalPosition position, RefusalSummaryFlyweight summary) {
        if (count(summary.intervalStartEpochNanos(), summary.consumerId(), summary.serviceId(),
                summary.outcomeCode(), summary.count())) {
            summarized += summary.count();
        }
    }

    /** Counts {@code n} transactions that started at {@code startEpochNanos}; false when that is outside the period. */
    private boolean count(long startEpochNanos, int consumerId, int serviceId, int outcomeCode, long n) {
        long millis = Math.floorDiv(startEpochNanos, 1_000_000L);
        if (millis < fromMillis || millis >= toMillis) {
            return false;
        }
        transactions += n;
        firstMillis = Math.min(firstMillis, millis);
        lastMillis = Math.max(lastMillis, millis);
        int consumer = consumers.index(consumerId, DictionaryEntryFlyweight.KIND_CONSUMER);
        int service = services.index(serviceId, DictionaryEntryFlyweight.KIND_SERVICE);
        int provider = providerOf(service);
        consumers.count(consumer, consumer, service, provider, n);
        services.count(service, consumer, service, provider, n);
        providers.count(provider, consumer, service, provider, n);
        month(millis).count(consumer, service, provider, n);
        long[] outcome = outcomes.get(outcomeCode);
        if (outcome == null) {
            outcome = new long[1];
            outcomes.put(outcomeCode, outcome);
        }
        outcome[0] += n;
        return true;
    }

    /** Transactions counted, those of refusal summaries included. */
    public long transactions() {
        return transactions;
    }

    /** Transactions counted through refusal summaries (part of {@link #transactions()}). */
    public long summarized() {
        return summarized;
    }

    /** Start of the first transaction counted, epoch milliseconds, or {@link Long#MAX_VALUE} if none. */
    public long firstMillis() {
        return firstMillis;
    }

    /** Start of the last transaction counted, epoch milliseconds, or {@link Long#MIN_VALUE} if none. */
    public long lastMillis() {
        return lastMillis;
    }

    /** One month's transactions and the providers, services and consumers active in it ({@link #NONE} not counted). */
    public record MonthRow(int monthIndex, String label, long transactions, int providers, int services,
                           int consumers, boolean partial, boolean busiest, boolean quietest) {
    }

    /**
     * One name's transactions, and how many distinct consumers, services and providers they involved ({@link #NONE}
     * not counted).
     */
    public record NameRow(String name, long transactions, int consumers, int services, int providers) {
    }

    /** An outcome code and its count. */
    public record OutcomeRow(int code, long transactions) {
    }

    /**
     * What one service's cache did in one month: transactions by cache result. Every one that was not a miss was
     * answered with a kept or shared copy rather than with the provider's answer to its own request
     * ({@link #hits()}); a stale one was sent to the provider first, which failed.
     */
    public record CacheRow(String service, int monthIndex, String label, long miss, long cached, long coalesced,
                           long stale) {
        /** Transactions answered with a copy: cached, coalesced and stale. */
        public long hits() {
            return cached + coalesced + stale;
        }

        /** Transactions the cache had a part in. */
        public long total() {
            return hits() + miss;
        }

        /** {@link #hits()} over {@link #total()}, 0 to 1. */
        public double hitRatio() {
            return (double) hits() / total();
        }
    }

    /**
     * The months with transactions, oldest first. A month is partial when the counted period does not cover it
     * whole: the period runs from {@code from} (or the start of the day of the first transaction) to {@code to}
     * (or the end of the day of the last). The busiest and the quietest month are marked among the whole months,
     * or among all when fewer than two are whole (a partial month, such as the current one, would otherwise pass
     * for the quietest); nothing is marked with fewer than two months to compare.
     */
    public List<MonthRow> months() {
        if (transactions == 0) {
            return List.of();
        }
        BillingCalendar calendar = periods.calendar();
        long coveredFrom = fromMillis != Long.MIN_VALUE ? fromMillis
                : calendar.startOfDayMillis(calendar.dayIndex(firstMillis));
        long coveredTo = toMillis != Long.MAX_VALUE ? toMillis : calendar.dayEndMillis(lastMillis);
        int[] indexes = months.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        boolean[] partial = new boolean[indexes.length];
        int whole = 0;
        for (int i = 0; i < indexes.length; i++) {
            long start = calendar.startOfDayMillis(calendar.monthStartDay(indexes[i]));
            long end = calendar.startOfDayMillis(calendar.monthStartDay(indexes[i] + 1));
            partial[i] = start < coveredFrom || end > coveredTo;
            whole += partial[i] ? 0 : 1;
        }
        int busiest = -1;
        int quietest = -1;
        for (int i = 0; i < indexes.length && indexes.length > 1; i++) {
            if (partial[i] && whole >= 2) {
                continue;
            }
            long count = months.get(indexes[i]).transactions;
            busiest = busiest < 0 || count > months.get(indexes[busiest]).transactions ? i : busiest;
            quietest = quietest < 0 || count < months.get(indexes[quietest]).transactions ? i : quietest;
        }
        List<MonthRow> rows = new ArrayList<>(indexes.length);
        for (int i = 0; i < indexes.length; i++) {
            Tally m = months.get(indexes[i]);
            rows.add(new MonthRow(indexes[i], m.name, m.transactions, active(m.providers), active(m.services),
                    active(m.consumers), partial[i], i == busiest, i == quietest));
        }
        return rows;
    }

    /** Providers, busiest first. */
    public List<NameRow> providers() {
        return providers.rows();
    }

    /** Services, busiest first. */
    public List<NameRow> services() {
        return services.rows();
    }

    /** Consumers, busiest first. */
    public List<NameRow> consumers() {
        return consumers.rows();
    }

    /** Outcome codes, most frequent first. */
    public List<OutcomeRow> outcomes() {
        List<OutcomeRow> rows = new ArrayList<>(outcomes.size());
        outcomes.forEach((code, count) -> rows.add(new OutcomeRow(code, count[0])));
        rows.sort(Comparator.comparingLong(OutcomeRow::transactions).reversed()
                .thenComparingInt(OutcomeRow::code));
        return rows;
    }

    /**
     * Per service and month, what its cache did, for transactions it had a part in (the others are not in it):
     * ordered by service name, then month.
     */
    public List<CacheRow> cache() {
        List<CacheRow> rows = new ArrayList<>(cache.size());
        BillingCalendar calendar = periods.calendar();
        cache.forEach((key, counts) -> {
            int month = (int) (key >>> 32);
            int service = (int) (key & 0xFFFF_FFFFL);
            rows.add(new CacheRow(services.name(service), month, calendar.monthLabel(month),
                    counts[CacheResult.MISS.code() - 1], counts[CacheResult.HIT.code() - 1],
                    counts[CacheResult.COALESCED.code() - 1], counts[CacheResult.STALE.code() - 1]));
        });
        rows.sort(Comparator.comparing(CacheRow::service).thenComparingInt(CacheRow::monthIndex));
        return rows;
    }

    private Tally month(long millis) {
        BillingPeriod period = periods.at(millis);
        if (month == null || monthIndex != period.monthIndex()) {
            monthIndex = period.monthIndex();
            month = months.get(monthIndex);
            if (month == null) {
                month = new Tally(periods.calendar().monthLabel(monthIndex));
                months.put(monthIndex, month);
            }
        }
        return month;
    }

    private int providerOf(int service) {
        int provider = providerOfService.get(service);
        if (provider < 0) {
            String name = services.name(service);
            int slash = name.indexOf('/');
            provider = providers.indexByName(slash < 0 ? name : name.substring(0, slash));
            providerOfService.put(service, provider);
        }
        return provider;
    }

    /** Distinct names in {@code set}, not counting {@link #NONE} (always index 0). */
    private static int active(BitSet set) {
        return set.cardinality() - (set.get(0) ? 1 : 0);
    }

    /**
     * Names of one kind by dense index (0 for {@link #NONE}, then 1, 2, ... in order of first appearance), so
     * per-month sets are small bit sets, each with its {@link Tally}.
     */
    private final class Names {
        private final Int2IntHashMap byId = new Int2IntHashMap(-1);
        private final Object2IntHashMap<String> byName = new Object2IntHashMap<>(-1);
        private final List<Tally> tallies = new ArrayList<>();

        Names() {
            indexByName(NONE);
        }

        /** The dense index of dictionary id {@code id}; ids naming the same thing share one. */
        int index(int id, int kind) {
            int index = byId.get(id);
            if (index < 0) {
                String name = id == JournalNames.NONE ? null : dictionary.name(kind, id);
                index = indexByName(name == null ? NONE : name);
                byId.put(id, index);
            }
            return index;
        }

        int indexByName(String name) {
            int index = byName.getValue(name);
            if (index < 0) {
                index = tallies.size();
                tallies.add(new Tally(name));
                byName.put(name, index);
            }
            return index;
        }

        String name(int index) {
            return tallies.get(index).name;
        }

        void count(int index, int consumer, int service, int provider, long n) {
            tallies.get(index).count(consumer, service, provider, n);
        }

        /** Rows, busiest first, then by name. */
        List<NameRow> rows() {
            List<NameRow> rows = new ArrayList<>(tallies.size());
            for (Tally t : tallies) {
                if (t.transactions > 0) {
                    rows.add(new NameRow(t.name, t.transactions, active(t.consumers), active(t.services),
                            active(t.providers)));
                }
            }
            rows.sort(Comparator.comparingLong(NameRow::transactions).reversed().thenComparing(NameRow::name));
            return rows;
        }
    }

    /** A name's transactions and the consumers, services and providers they involved. */
    private static final class Tally {
        final String name;
        long transactions;
        final BitSet consumers = new BitSet();
        final BitSet services = new BitSet();
        final BitSet providers = new BitSet();

        Tally(String name) {
            this.name = name;
        }

        void count(int consumer, int service, int provider, long n) {
            transactions += n;
            consumers.set(consumer);
            services.set(service);
            providers.set(provider);
        }
    }
}
