package io.gozargah.engine.portal;

import io.gozargah.engine.calendar.BillingCalendar;
import io.gozargah.engine.journal.JournalStatistics;
import io.gozargah.engine.journal.JournalStatistics.MonthRow;
import io.gozargah.engine.journal.JournalStatistics.NameRow;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code /statistics}: the tables of {@code journal report} (transactions per Solar Hijri month with the busiest and
 * quietest marked, active providers, services and consumers; the top providers, consumers and services) from the
 * {@link StatisticsCache}'s last result, and a chart of the months drawn by uPlot from {@code /api/statistics}.
 */
final class StatisticsView {
    static final int TOP = 10;
    static final String UPLOT_SCRIPT = "/assets/uplot/uPlot.iife.min.js";
    static final String UPLOT_STYLE = "/assets/uplot/uPlot.min.css";

    private StatisticsView() {
    }

    static String html(StatisticsCache.Result r, Language lang) {
        StringBuilder out = new StringBuilder(8192);
        Page.open(out, lang, "statistics", "/statistics", "<link rel=\"stylesheet\" href=\"" + UPLOT_STYLE + "\">\n");
        if (r == null || r.problem() != null) {
            out.append("<p class=\"notice\">");
            Html.text(out, lang.word(r == null ? "not-computed" : r.problem())).append("</p>\n");
            return Page.close(out);
        }
        out.append("<p class=\"computed\">");
        Html.text(out, lang.word("computed") + " " + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT)
                .withZone(r.calendar().zone()).format(Instant.ofEpochMilli(r.computedAtMillis())) + " ("
                + r.calendar().zone().getId() + ")").append("</p>\n");
        if (r.transactions() == 0) {
            out.append("<p class=\"notice\">");
            Html.text(out, lang.word("no-transactions")).append("</p>\n");
            return Page.close(out);
        }
        out.append("<h2>");
        Html.text(out, lang.word("monthly")).append("</h2>\n");
        out.append("<figure id=\"chart\" aria-label=\"");
        Html.text(out, lang.word("chart")).append("\"></figure>\n<table id=\"months\">\n<thead><tr>");
        for (String key : new String[] {"month", "transactions", "share", "providers", "services", "consumers"}) {
            th(out, lang, key.equals("month") ? "month-name" : key);
        }
        out.append("<th></th></tr></thead>\n<tbody>\n");
        for (MonthRow m : r.months()) {
            out.append("<tr class=\"").append(m.busiest() ? "busiest" : m.quietest() ? "quietest" : "")
                    .append("\"><td>");
            Html.text(out, monthLabel(r.calendar(), m, lang)).append("</td>");
            num(out, count(m.transactions()));
            num(out, share(m.transactions(), r.transactions()));
            num(out, count(m.providers()));
            num(out, count(m.services()));
            num(out, count(m.consumers()));
            out.append("<td class=\"mark\">");
            List<String> marks = new ArrayList<>();
            if (m.busiest()) {
                marks.add(lang.word("busiest"));
            }
            if (m.quietest()) {
                marks.add(lang.word("quietest"));
            }
            if (m.partial()) {
                marks.add(lang.word("partial"));
            }
            Html.text(out, String.join(lang == Language.FA ? "، " : ", ", marks))
                    .append("</td></tr>\n");
        }
        out.append("</tbody>\n<tfoot><tr><th>");
        Html.text(out, lang.word("total")).append("</th>");
        num(out, count(r.transactions()));
        num(out, share(1, 1));
        num(out, count(active(r.providers())));
        num(out, count(active(r.services())));
        num(out, count(active(r.consumers())));
        out.append("<td></td></tr></tfoot>\n</table>\n");
        names(out, lang, "top-providers", "top-providers", r.providers(), r.transactions());
        names(out, lang, "top-consumers", "top-consumers", r.consumers(), r.transactions());
        names(out, lang, "top-services", "top-services", r.services(), r.transactions());
        cache(out, lang, r);
        return Page.close(out, UPLOT_SCRIPT);
    }

    private static void names(StringBuilder out, Language lang, String id, String key, List<NameRow> rows,
                              long total) {
        out.append("<h2>");
        Html.text(out, lang.word(key)).append("</h2>\n<table id=\"").append(id).append("\">\n<thead><tr><th>#</th>");
        th(out, lang, "name");
        th(out, lang, "transactions");
        th(out, lang, "share");
        out.append("</tr></thead>\n<tbody>\n");
        int shown = 0;
        for (NameRow row : rows) {
            if (row.name().equals(JournalStatistics.NONE)) {
                continue;
            }
            if (++shown > TOP) {
                break;
            }
            out.append("<tr>");
            num(out, Integer.toString(shown));
            out.append("<td><code>");
            Html.text(out, row.name()).append("</code></td>");
            num(out, count(row.transactions()));
            num(out, share(row.transactions(), total));
            out.append("</tr>\n");
        }
        out.append("</tbody>\n</table>\n");
    }

    /** The cached services' answers by month: what the providers were spared (none without a cached service). */
    private static void cache(StringBuilder out, Language lang, StatisticsCache.Result r) {
        if (r.cache().isEmpty()) {
            return;
        }
        out.append("<h2>");
        Html.text(out, lang.word("cache")).append("</h2>\n<table id=\"cache\">\n<thead><tr>");
        for (String key : new String[] {"service", "month-name", "cache-miss", "cache-cached", "cache-coalesced",
                "cache-stale", "hit-ratio"}) {
            th(out, lang, key);
        }
        out.append("</tr></thead>\n<tbody>\n");
        for (JournalStatistics.CacheRow row : r.cache()) {
            out.append("<tr><td><code>");
            Html.text(out, row.service()).append("</code></td><td>");
            Html.text(out, monthLabel(r.calendar(), row.monthIndex(), row.label(), lang)).append("</td>");
            num(out, count(row.miss()));
            num(out, count(row.cached()));
            num(out, count(row.coalesced()));
            num(out, count(row.stale()));
            num(out, share(row.hits(), row.total()));
            out.append("</tr>\n");
        }
        out.append("</tbody>\n</table>\n");
    }

    private static void th(StringBuilder out, Language lang, String key) {
        out.append("<th>");
        Html.text(out, lang.word(key)).append("</th>");
    }

    private static void num(StringBuilder out, String text) {
        out.append("<td class=\"num\">");
        Html.text(out, text).append("</td>");
    }

    /** {@code فروردین ۱۴۰۴} style in Persian (the month's own name), {@code Farvardin 1404} in English. */
    static String monthLabel(BillingCalendar calendar, MonthRow m, Language lang) {
        return monthLabel(calendar, m.monthIndex(), m.label(), lang);
    }

    private static String monthLabel(BillingCalendar calendar, int monthIndex, String label, Language lang) {
        int month = BillingCalendar.month(monthIndex);
        int year = BillingCalendar.year(monthIndex);
        return lang == Language.FA ? calendar.nativeMonthName(month) + " " + year : label;
    }

    private static int active(List<NameRow> rows) {
        return (int) rows.stream().filter(r -> !r.name().equals(JournalStatistics.NONE)).count();
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String share(long part, long whole) {
        return String.format(Locale.ROOT, "%.1f%%", whole == 0 ? 0.0 : 100.0 * part / whole);
    }

    /** {@code /api/statistics}: the fields of {@code journal report --json} for months and the top names. */
    static Map<String, Object> json(StatisticsCache.Result r) {
        Map<String, Object> doc = new LinkedHashMap<>();
        if (r == null) {
            doc.put("computed", null);
            return doc;
        }
        doc.put("computed", Instant.ofEpochMilli(r.computedAtMillis()).toString());
        doc.put("calendar", r.calendar().name());
        doc.put("zone", r.calendar().zone().getId());
        doc.put("transactions", r.transactions());
        doc.put("summarized", r.summarized());
        List<Object> months = new ArrayList<>();
        for (MonthRow m : r.months()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("month", String.format(Locale.ROOT, "%04d-%02d", BillingCalendar.year(m.monthIndex()),
                    BillingCalendar.month(m.monthIndex())));
            row.put("label", m.label());
            row.put("labelFa", monthLabel(r.calendar(), m, Language.FA));
            row.put("transactions", m.transactions());
            row.put("providers", m.providers());
            row.put("services", m.services());
            row.put("consumers", m.consumers());
            row.put("partial", m.partial());
            row.put("busiest", m.busiest());
            row.put("quietest", m.quietest());
            months.add(row);
        }
        doc.put("months", months);
        doc.put("providers", names(r.providers()));
        doc.put("consumers", names(r.consumers()));
        doc.put("services", names(r.services()));
        List<Object> cache = new ArrayList<>();
        for (JournalStatistics.CacheRow row : r.cache()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("service", row.service());
            c.put("month", String.format(Locale.ROOT, "%04d-%02d", BillingCalendar.year(row.monthIndex()),
                    BillingCalendar.month(row.monthIndex())));
            c.put("label", row.label());
            c.put("miss", row.miss());
            c.put("cached", row.cached());
            c.put("coalesced", row.coalesced());
            c.put("stale", row.stale());
            c.put("hitRatio", Math.round(row.hitRatio() * 10_000) / 10_000.0);
            cache.add(c);
        }
        doc.put("cache", cache);
        return doc;
    }

    private static List<Object> names(List<NameRow> rows) {
        List<Object> list = new ArrayList<>();
        for (NameRow row : rows) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("name", row.name());
            doc.put("transactions", row.transactions());
            doc.put("providers", row.providers());
            doc.put("services", row.services());
            doc.put("consumers", row.consumers());
            list.add(doc);
        }
        return list;
    }
}
