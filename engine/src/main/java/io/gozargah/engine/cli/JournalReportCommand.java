package io.gozargah.engine.cli;

import io.gozargah.engine.calendar.BillingCalendar;
import io.gozargah.engine.journal.JournalException;
import io.gozargah.engine.journal.JournalReader;
import io.gozargah.engine.journal.JournalStatistics;
import io.gozargah.engine.journal.JournalStatistics.CacheRow;
import io.gozargah.engine.journal.JournalStatistics.MonthRow;
import io.gozargah.engine.journal.JournalStatistics.NameRow;
import io.gozargah.engine.journal.JournalStatistics.OutcomeRow;
import io.gozargah.engine.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code gozargah journal report --by month|provider|consumer|service|cache}: the bus's statistics from its journal,
 * as fixed-width tables or, with {@code --json}, one JSON document with every table. One streaming pass
 * ({@link JournalStatistics}).
 *
 * <ul>
 * <li>{@code month}: transactions per month of the calendar, with the providers, services and consumers active
 *     in it; the busiest and quietest months are marked, and months the period cuts, such as the current one,
 *     are marked partial ({@link JournalStatistics#months()}).</li>
 * <li>{@code provider}, {@code consumer}, {@code service}: the busiest first, with their share and how many of
 *     the others they dealt with.</li>
 * <li>{@code cache}: per service and month, the transactions its cache answered from a copy (cached, coalesced,
 *     stale) or passed to the provider (miss), and the hit ratio, copies over all of them
 *     ({@link JournalStatistics#cache()}). Transactions the cache had no part in are not in it.</li>
 * </ul>
 * Every table is followed by the outcome mix. The exchanges a refusal summary counts are transactions like any other
 * (each was answered with a transaction id), so every total is the number of answers; the header says how many of
 * them were summarized.
 */
@Command(name = "report", description = {"Statistics from the journal: transactions per month (busiest and "
        + "quietest marked), top providers, consumers or services by volume, active counts, outcome mix, cache hit "
        + "ratio per service and month."},
        usageHelpAutoWidth = true)
final class JournalReportCommand implements Callable<Integer> {
    enum By {
        month, provider, consumer, service, cache
    }

    private final Map<String, String> environment;

    @Spec
    private CommandSpec spec;

    @Mixin
    private JournalLocation location;

    @Mixin
    private JournalPeriod period;

    @Option(names = "--by", paramLabel = "month|provider|consumer|service|cache", defaultValue = "month",
            description = "The table: month (the default), provider, consumer, service, or cache (hits and misses "
                    + "of services' caches and their hit ratio, per service and month).")
    private By by;

    @Option(names = "--top", paramLabel = "N", defaultValue = "20",
            description = "Rows of a provider, consumer or service table (default 20; 0 for all).")
    private int top;

    @Option(names = "--json", description = "One JSON document with every table, for machines.")
    private boolean json;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    JournalReportCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws CliFailure {
        period.resolve();
        if (top < 0) {
            throw CliFailure.usage("--top: " + top + " is negative");
        }
        JournalStatistics statistics;
        Path dir;
        try (JournalReader reader = location.open(environment)) {
            dir = reader.dir();
            statistics = new JournalStatistics(reader.names(), period.calendar(), period.fromMillis(),
                    period.toMillis());
            reader.readAvailable(statistics);
        } catch (JournalException e) {
            throw CliFailure.runtime(e.getMessage(), e);
        }
        StringBuilder out = new StringBuilder(4096);
        if (json) {
            json(dir, statistics, out);
        } else {
            text(dir, statistics, out);
        }
        PrintWriter writer = spec.commandLine().getOut();
        writer.append(out);
        writer.flush();
        return Main.EXIT_OK;
    }

    private void text(Path dir, JournalStatistics statistics, StringBuilder out) {
        BillingCalendar calendar = period.calendar();
        out.append("Journal ").append(dir).append('\n');
        out.append(count(statistics.transactions())).append(" transactions");
        if (statistics.transactions() > 0) {
            out.append(", ").append(day(statistics.firstMillis())).append(" to ").append(day(statistics.lastMillis()));
        }
        if (statistics.summarized() > 0) {
            out.append(" (").append(count(statistics.summarized()))
                    .append(" of them answered without a record of their own, counted in refusal summaries)");
        }
        out.append(" (").append(calendar.name()).append(" calendar, ").append(calendar.zone().getId());
        if (!period.describe().isEmpty()) {
            out.append("; period ").append(period.describe());
        }
        out.append(")\n\n");
        if (statistics.transactions() == 0) {
            out.append("No transactions in this period.\n");
            return;
        }
        switch (by) {
            case month -> months(statistics, out);
            case provider -> names("Provider", statistics.providers(), statistics.transactions(), out);
            case consumer -> names("Consumer", statistics.consumers(), statistics.transactions(), out);
            case service -> names("Service", statistics.services(), statistics.transactions(), out);
            case cache -> cache(statistics.cache(), out);
        }
        out.append('\n');
        outcomes(statistics, out);
    }

    private void months(JournalStatistics statistics, StringBuilder out) {
        List<MonthRow> months = statistics.months();
        TextTable table = new TextTable("Month", ">Transactions", ">Share", ">Providers", ">Services", ">Consumers", "");
        for (MonthRow m : months) {
            String mark = m.busiest() ? "busiest" : m.quietest() ? "quietest" : "";
            if (m.partial()) {
                mark = mark.isEmpty() ? "partial" : mark + ", partial";
            }
            table.row(m.label(), count(m.transactions()), share(m.transactions(), statistics.transactions()),
                    count(m.providers()), count(m.services()), count(m.consumers()), mark);
        }
        table.footer("Total", count(statistics.transactions()), share(1, 1),
                count(active(statistics.providers())), count(active(statistics.services())),
                count(active(statistics.consumers())), "");
        table.render(out);
    }

    private void names(String kind, List<NameRow> rows, long total, StringBuilder out) {
        boolean consumers = kind.equals("Consumer");
        TextTable table = new TextTable(">#", kind, ">Transactions", ">Share",
                consumers ? ">Providers" : ">Consumers", kind.equals("Service") ? ">Providers" : ">Services");
        int shown = top == 0 ? rows.size() : Math.min(top, rows.size());
        for (int i = 0; i < shown; i++) {
            NameRow r = rows.get(i);
            table.row(Integer.toString(i + 1), r.name(), count(r.transactions()), share(r.transactions(), total),
                    count(consumers ? r.providers() : r.consumers()),
                    count(kind.equals("Service") ? r.providers() : r.services()));
        }
        table.render(out);
        if (shown < rows.size()) {
            out.append("... and ").append(rows.size() - shown).append(" more (--top 0 shows all)\n");
        }
    }

    private static void cache(List<CacheRow> rows, StringBuilder out) {
        if (rows.isEmpty()) {
            out.append("No transaction in this period went through a service's cache.\n");
            return;
        }
        TextTable table = new TextTable("Service", "Month", ">Miss", ">Cached", ">Coalesced", ">Stale", ">Hit ratio");
        long miss = 0;
        long cached = 0;
        long coalesced = 0;
        long stale = 0;
        for (CacheRow r : rows) {
            table.row(r.service(), r.label(), count(r.miss()), count(r.cached()), count(r.coalesced()),
                    count(r.stale()), share(r.hits(), r.total()));
            miss += r.miss();
            cached += r.cached();
            coalesced += r.coalesced();
            stale += r.stale();
        }
        table.footer("Total", "", count(miss), count(cached), count(coalesced), count(stale),
                share(cached + coalesced + stale, cached + coalesced + stale + miss));
        table.render(out);
    }

    private static void outcomes(JournalStatistics statistics, StringBuilder out) {
        TextTable table = new TextTable("Outcome", ">Transactions", ">Share");
        for (OutcomeRow o : statistics.outcomes()) {
            table.row(TransactionText.outcome(o.code()), count(o.transactions()),
                    share(o.transactions(), statistics.transactions()));
        }
        table.render(out);
    }

    private void json(Path dir, JournalStatistics statistics, StringBuilder out) {
        BillingCalendar calendar = period.calendar();
        out.append("{\"journal\":");
        Json.writeString(out, dir.toString());
        out.append(",\"calendar\":\"").append(calendar.name()).append("\",\"zone\":");
        Json.writeString(out, calendar.zone().getId());
        out.append(",\"from\":").append(instant(period.fromMillis(), Long.MIN_VALUE))
                .append(",\"to\":").append(instant(period.toMillis(), Long.MAX_VALUE))
                .append(",\"transactions\":").append(statistics.transactions())
                .append(",\"summarized\":").append(statistics.summarized())
                .append(",\"months\":[");
        List<MonthRow> months = statistics.months();
        for (int i = 0; i < months.size(); i++) {
            MonthRow m = months.get(i);
            out.append(i == 0 ? "" : ",").append("{\"month\":\"")
                    .append(month(m.monthIndex()))
                    .append("\",\"label\":");
            Json.writeString(out, m.label());
            out.append(",\"transactions\":").append(m.transactions())
                    .append(",\"providers\":").append(m.providers())
                    .append(",\"services\":").append(m.services())
                    .append(",\"consumers\":").append(m.consumers())
                    .append(",\"partial\":").append(m.partial())
                    .append(",\"busiest\":").append(m.busiest())
                    .append(",\"quietest\":").append(m.quietest()).append('}');
        }
        out.append("],\"providers\":");
        jsonNames(statistics.providers(), out);
        out.append(",\"consumers\":");
        jsonNames(statistics.consumers(), out);
        out.append(",\"services\":");
        jsonNames(statistics.services(), out);
        out.append(",\"outcomes\":[");
        List<OutcomeRow> outcomes = statistics.outcomes();
        for (int i = 0; i < outcomes.size(); i++) {
            OutcomeRow o = outcomes.get(i);
            out.append(i == 0 ? "" : ",").append("{\"outcome\":");
            Json.writeString(out, TransactionText.outcome(o.code()));
            out.append(",\"code\":").append(o.code()).append(",\"transactions\":").append(o.transactions()).append('}');
        }
        out.append("],\"cache\":[");
        List<CacheRow> cache = statistics.cache();
        for (int i = 0; i < cache.size(); i++) {
            CacheRow r = cache.get(i);
            out.append(i == 0 ? "" : ",").append("{\"service\":");
            Json.writeString(out, r.service());
            out.append(",\"month\":\"").append(month(r.monthIndex())).append("\",\"label\":");
            Json.writeString(out, r.label());
            out.append(",\"miss\":").append(r.miss())
                    .append(",\"cached\":").append(r.cached())
                    .append(",\"coalesced\":").append(r.coalesced())
                    .append(",\"stale\":").append(r.stale())
                    .append(",\"hit_ratio\":").append(String.format(Locale.ROOT, "%.4f", r.hitRatio())).append('}');
        }
        out.append("]}\n");
    }

    /** A month index as {@code YYYY-MM} in the report's calendar. */
    private static String month(int monthIndex) {
        return String.format(Locale.ROOT, "%04d-%02d", BillingCalendar.year(monthIndex), BillingCalendar.month(monthIndex));
    }

    private static void jsonNames(List<NameRow> rows, StringBuilder out) {
        out.append('[');
        for (int i = 0; i < rows.size(); i++) {
            NameRow r = rows.get(i);
            out.append(i == 0 ? "" : ",").append("{\"name\":");
            Json.writeString(out, r.name());
            out.append(",\"transactions\":").append(r.transactions())
                    .append(",\"providers\":").append(r.providers())
                    .append(",\"services\":").append(r.services())
                    .append(",\"consumers\":").append(r.consumers()).append('}');
        }
        out.append(']');
    }

    private static String instant(long millis, long unbounded) {
        return millis == unbounded ? "null" : "\"" + Instant.ofEpochMilli(millis) + "\"";
    }

    private String day(long millis) {
        BillingCalendar calendar = period.calendar();
        return calendar.formatDay(calendar.dayIndex(millis));
    }

    /** Names other than {@link JournalStatistics#NONE}. */
    private static int active(List<NameRow> rows) {
        return (int) rows.stream().filter(r -> !r.name().equals(JournalStatistics.NONE)).count();
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String share(long part, long whole) {
        return String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
    }
}
