package io.gozargah.engine.portal;

import io.gozargah.engine.admission.CountersFile;
import io.gozargah.engine.admission.CountersReader;
import io.gozargah.engine.calendar.BillingCalendar;
import io.gozargah.engine.config.ConsumerConfig;
import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.config.GrantConfig;
import io.gozargah.engine.config.JournalConfig;
import io.gozargah.engine.config.ProviderConfig;
import io.gozargah.engine.config.ServiceConfig;
import io.gozargah.engine.journal.ConsumerHistory;
import io.gozargah.engine.journal.JournalException;
import io.gozargah.engine.journal.JournalReader;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A signed-in consumer's own page: its grants with their rates and quotas, what it used today and this month and
 * what is left (read from the counters file, as {@code gozargah stat} reads it), and its last transactions (read
 * from the journal's last {@link #HISTORY_CYCLES} roll cycles). Built off the event loop ({@link #load}); only this
 * consumer's data is read into it, and no key or hash is.
 */
final class ConsumerView {
    /** Roll cycles of the journal read for the last transactions: the current one and the one before. */
    static final int HISTORY_CYCLES = 2;

    /** One grant with its use. {@code quotaDay} and {@code quotaMonth} are 0 for none; rate 0 for none. */
    record Grant(String service, String title, double rate, int burst, long quotaDay, long usedToday,
                 long quotaMonth, long usedThisMonth) {
        long leftToday() {
            return quotaDay > 0 ? Math.max(0, quotaDay - usedToday) : -1;
        }

        long leftThisMonth() {
            return quotaMonth > 0 ? Math.max(0, quotaMonth - usedThisMonth) : -1;
        }
    }

    /**
     * @param transactions newest first, or null when the journal could not be read now
     */
    record Data(String consumer, List<Grant> grants, List<ConsumerHistory.Entry> transactions, String today,
                String month, String monthFa, ZoneId zone) {
    }

    private ConsumerView() {
    }

    /**
     * The counters file, mapped once and kept while its path stays the config's (a reload may name another); used by
     * the portal's one worker thread only.
     */
    static final class Counters {
        private CountersReader reader;

        /** The reader of {@code path}, mapped now if it was not yet; throws when the file is absent or not ours. */
        CountersReader of(java.nio.file.Path path) throws IOException {
            if (reader == null || !reader.path().equals(path)) {
                reader = null;
                reader = CountersReader.open(path);
            }
            return reader;
        }
    }

    /** Reads the consumer's grants, their use and its last {@code limit} transactions (a journal scan: blocks). */
    static Data load(GatewayConfig config, Counters files, String consumer, int limit, long nowMillis) {
        ConsumerConfig c = config.consumers().get(consumer);
        BillingCalendar calendar = BillingCalendar.named(config.admission().calendar(), config.admission().zone());
        Map<String, CountersReader.Counter> counters = new HashMap<>();
        try {
            CountersReader reader = files.of(config.admission().countersFile());
            for (CountersReader.Counter counter : reader.read()) {
                if (counter.kind() == CountersFile.Kind.GRANT && counter.name().startsWith(consumer + " ")) {
                    counters.put(counter.name().substring(consumer.length() + 1), counter);
                }
            }
        } catch (IOException e) {
            // no counters file yet (nothing admitted since it was made): every count is 0
        }
        long day = calendar.dayIndex(nowMillis);
        int month = calendar.monthIndex(nowMillis);
        List<Grant> grants = new ArrayList<>();
        for (GrantConfig g : c.grants()) {
            CountersReader.Counter counter = counters.get(g.qualifiedService());
            grants.add(new Grant(g.qualifiedService(), title(config, g), g.rate() == null ? 0 : g.rate().perSecond(),
                    g.rate() == null ? 0 : g.rate().burst(), g.quotaDay(),
                    counter == null ? 0 : counter.usedOnDay(day), g.quotaMonth(),
                    counter == null ? 0 : counter.usedInMonth(month)));
        }
        return new Data(consumer, grants, history(config.journal(), consumer, limit), calendar.formatDay(day),
                calendar.monthLabel(month), calendar.nativeMonthName(BillingCalendar.month(month)) + " "
                + BillingCalendar.year(month), calendar.zone());
    }

    private static String title(GatewayConfig config, GrantConfig g) {
        ProviderConfig p = config.providers().get(g.provider());
        ServiceConfig s = p == null ? null : p.services().get(g.service());
        return s == null ? null : s.listing().title("fa");
    }

    private static List<ConsumerHistory.Entry> history(JournalConfig journal, String consumer, int limit) {
        if (journal == null || !journal.enabled()) {
            return List.of();
        }
        try {
            if (!JournalReader.exists(journal.dir())) {
                return List.of();
            }
            try (JournalReader reader = JournalReader.open(journal.dir())) {
                // The current and the previous roll cycle only (today and yesterday with the daily cycle): a page
                // view must not cost a read of the whole journal, which at the bus's volume is years of records.
                reader.startAtLastCycles(HISTORY_CYCLES);
                ConsumerHistory history = new ConsumerHistory(reader.names(), consumer, limit);
                reader.readAvailable(history);
                return history.newestFirst();
            }
        } catch (JournalException e) {
            return null;
        }
    }

    static String html(Data d, Language lang, GatewayConfig config) {
        StringBuilder out = new StringBuilder(8192);
        Page.open(out, lang, "me", "/me", "");
        out.append("<p class=\"who\">");
        Html.text(out, lang.word("consumer")).append(": <strong id=\"consumer\">");
        Html.text(out, d.consumer()).append("</strong></p>\n");
        out.append("<form method=\"post\" action=\"/me/sign-out\" class=\"sign-out\"><button type=\"submit\""
                + " id=\"sign-out\">");
        Html.text(out, lang.word("sign-out")).append("</button></form>\n<h2>");
        Html.text(out, lang.word("grants")).append("</h2>\n<p class=\"period\">");
        Html.text(out, lang.word("today") + ": " + d.today() + " · " + lang.word("month") + ": "
                + (lang == Language.FA ? d.monthFa() : d.month()))
                .append("</p>\n<table id=\"grants\">\n<thead><tr>");
        for (String key : new String[] {"service", "rate", "today", "day-left", "month", "month-left"}) {
            out.append("<th>");
            Html.text(out, lang.word(key)).append("</th>");
        }
        out.append("</tr></thead>\n<tbody>\n");
        for (Grant g : d.grants()) {
            String[] parts = g.service().split("/", 2);
            ProviderConfig p = config.providers().get(parts[0]);
            ServiceConfig s = p == null ? null : p.services().get(parts[1]);
            String title = s == null ? g.service() : CatalogueView.title(s.listing(), lang, g.service());
            out.append("<tr data-service=\"");
            Html.text(out, g.service()).append("\"><td>");
            Html.text(out, title).append(" <code>");
            Html.text(out, g.service()).append("</code></td><td class=\"num\">");
            // figures with a slash or a unit read left to right inside the right-to-left page
            ltr(out, g.rate() > 0 ? rate(g.rate()) + "/s (" + g.burst() + ")" : lang.word("unlimited"));
            out.append("</td><td class=\"num used-today\">").append(g.usedToday())
                    .append("</td><td class=\"num left-today\">");
            ltr(out, g.leftToday() >= 0 ? g.leftToday() + " / " + g.quotaDay() : lang.word("unlimited"));
            out.append("</td><td class=\"num used-month\">").append(g.usedThisMonth())
                    .append("</td><td class=\"num left-month\">");
            ltr(out, g.leftThisMonth() >= 0 ? g.leftThisMonth() + " / " + g.quotaMonth() : lang.word("unlimited"));
            out.append("</td></tr>\n");
        }
        out.append("</tbody>\n</table>\n<h2>");
        Html.text(out, lang.word("last-transactions")).append("</h2>\n");
        if (d.transactions() == null) {
            out.append("<p class=\"notice\">");
            Html.text(out, lang.word("journal-busy")).append("</p>\n");
        } else if (d.transactions().isEmpty()) {
            out.append("<p class=\"notice\">");
            Html.text(out, lang.word("no-transactions")).append("</p>\n");
        } else {
            out.append("<table id=\"transactions\">\n<thead><tr>");
            for (String key : new String[] {"time", "service", "status", "latency", "transaction"}) {
                out.append("<th>");
                Html.text(out, lang.word(key)).append("</th>");
            }
            out.append("</tr></thead>\n<tbody>\n");
            DateTimeFormatter time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(d.zone());
            for (ConsumerHistory.Entry e : d.transactions()) {
                out.append("<tr><td dir=\"ltr\">");
                Html.text(out, time.format(Instant.ofEpochSecond(0, e.startEpochNanos()))).append("</td><td><code>");
                Html.text(out, e.service() == null ? "-" : e.service()).append("</code></td><td class=\"num\">")
                        .append(e.status()).append("</td><td class=\"num\">")
                        .append(String.format(Locale.ROOT, "%.1f", e.totalNanos() / 1e6))
                        .append("</td><td><code dir=\"ltr\">");
                Html.text(out, e.transaction()).append("</code></td></tr>\n");
            }
            out.append("</tbody>\n</table>\n");
        }
        return Page.close(out);
    }

    private static void ltr(StringBuilder out, String text) {
        out.append("<span dir=\"ltr\">");
        Html.text(out, text).append("</span>");
    }

    private static String rate(double perSecond) {
        return perSecond == Math.rint(perSecond) ? Long.toString((long) perSecond)
                : String.format(Locale.ROOT, "%.3f", perSecond);
    }

    static Map<String, Object> json(Data d) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("consumer", d.consumer());
        doc.put("today", d.today());
        doc.put("month", d.month());
        List<Object> grants = new ArrayList<>();
        for (Grant g : d.grants()) {
            Map<String, Object> grant = new LinkedHashMap<>();
            grant.put("service", g.service());
            grant.put("ratePerSecond", g.rate() > 0 ? g.rate() : null);
            grant.put("burst", g.rate() > 0 ? g.burst() : null);
            grant.put("usedToday", g.usedToday());
            grant.put("quotaDay", g.quotaDay() > 0 ? g.quotaDay() : null);
            grant.put("leftToday", g.leftToday() >= 0 ? g.leftToday() : null);
            grant.put("usedThisMonth", g.usedThisMonth());
            grant.put("quotaMonth", g.quotaMonth() > 0 ? g.quotaMonth() : null);
            grant.put("leftThisMonth", g.leftThisMonth() >= 0 ? g.leftThisMonth() : null);
            grants.add(grant);
        }
        doc.put("grants", grants);
        if (d.transactions() != null) {
            List<Object> list = new ArrayList<>();
            for (ConsumerHistory.Entry e : d.transactions()) {
                Map<String, Object> tx = new LinkedHashMap<>();
                tx.put("time", Instant.ofEpochSecond(0, e.startEpochNanos()).toString());
                tx.put("service", e.service());
                tx.put("status", e.status());
                tx.put("latencyMillis", Math.round(e.totalNanos() / 1e4) / 100.0);
                tx.put("transaction", e.transaction());
                list.add(tx);
            }
            doc.put("transactions", list);
        } else {
            doc.put("transactions", null);
            doc.put("transactionsUnavailable", true);
        }
        return doc;
    }

    /** The sign-in page: one field, the key, posted to {@code /me/sign-in}. */
    static String signIn(Language lang, boolean failed) {
        StringBuilder out = new StringBuilder(2048);
        Page.open(out, lang, "me", "/me", "");
        out.append("<p>");
        Html.text(out, lang.word("sign-in-help")).append("</p>\n");
        if (failed) {
            out.append("<p class=\"error\" id=\"sign-in-error\" role=\"alert\">");
            Html.text(out, lang.word("bad-key")).append("</p>\n");
        }
        out.append("<form method=\"post\" action=\"/me/sign-in\" id=\"sign-in\">\n<label for=\"key\">");
        Html.text(out, lang.word("api-key")).append("</label>\n")
                .append("<input type=\"password\" id=\"key\" name=\"key\" dir=\"ltr\" autocomplete=\"off\" required>\n")
                .append("<button type=\"submit\">");
        Html.text(out, lang.word("sign-in")).append("</button>\n</form>\n");
        return Page.close(out);
    }
}
