package io.gozargah.engine.cli;

import io.gozargah.engine.calendar.BillingCalendar;
import io.gozargah.engine.calendar.SolarHijri;
import picocli.CommandLine.Option;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The calendar and the period a {@code journal} command counts in: {@code --calendar}, {@code --zone},
 * {@code --from} and {@code --to}. Dates are days or months of the chosen calendar in its zone
 * ({@code 1404-01-01}, {@code 1404/01}, Persian digits too), or ISO-8601 instants with an offset
 * ({@code 2025-03-21T00:00:00Z}). {@code --from} counts from the start of its day or month, {@code --to} through
 * the end of its day or month; an instant is exact (and {@code --to} excludes it).
 */
final class JournalPeriod {
    /** Year, month and optional day, separated by - or /. */
    private static final Pattern CALENDAR_DATE = Pattern.compile("(\\d{4})[-/](\\d{1,2})(?:[-/](\\d{1,2}))?");
    /** Persian years past this are Gregorian years typed without --calendar gregorian (1700 SH is 2321 AD). */
    private static final int PERSIAN_YEAR_LIMIT = 1700;
    /** Gregorian years before this are Persian years typed with --calendar gregorian. */
    private static final int GREGORIAN_YEAR_FLOOR = 1900;

    @Option(names = "--calendar", paramLabel = "persian|gregorian", defaultValue = BillingCalendar.PERSIAN,
            description = "Calendar of months and dates: persian (Solar Hijri, the default) or gregorian.")
    private String calendarName;

    @Option(names = "--zone", paramLabel = "ZONE", defaultValue = "Asia/Tehran",
            description = "Time zone in which days start (default Asia/Tehran).")
    private String zoneName;

    @Option(names = "--from", paramLabel = "DATE",
            description = "Count transactions from this day or month of the calendar (1404-01-01, 1404-01) or "
                    + "ISO-8601 instant (2025-03-21T00:00:00Z).")
    private String from;

    @Option(names = "--to", paramLabel = "DATE",
            description = "Count transactions through this day or month (inclusive), or up to this instant.")
    private String to;

    private BillingCalendar calendar;
    private long fromMillis = Long.MIN_VALUE;
    private long toMillis = Long.MAX_VALUE;

    /** Checks the options; every problem is a usage error (exit 2) naming the option. */
    void resolve() throws CliFailure {
        ZoneId zone;
        try {
            zone = ZoneId.of(zoneName);
        } catch (DateTimeException e) {
            throw CliFailure.usage("--zone: '" + zoneName + "' is not a time zone (such as "
                    + "Asia/Tehran or UTC)");
        }
        try {
            calendar = BillingCalendar.named(calendarName, zone);
        } catch (IllegalArgumentException e) {
            throw CliFailure.usage("--calendar: " + e.getMessage());
        }
        if (from != null) {
            fromMillis = parse("--from", from, false);
        }
        if (to != null) {
            toMillis = parse("--to", to, true);
        }
        if (fromMillis >= toMillis) {
            throw CliFailure.usage("--from " + from + " is not before --to " + to
                    + ": the period is empty");
        }
    }

    BillingCalendar calendar() {
        return calendar;
    }

    /** First epoch millisecond of the period ({@link Long#MIN_VALUE}: from the start). */
    long fromMillis() {
        return fromMillis;
    }

    /** First epoch millisecond after the period ({@link Long#MAX_VALUE}: to the end). */
    long toMillis() {
        return toMillis;
    }

    /** The period as given, for headings: "1404-01-01 to 1404-06-31", "from 1404-01-01", or "". */
    String describe() {
        if (from == null && to == null) {
            return "";
        }
        return from == null ? "through " + to : to == null ? "from " + from : from + " to " + to;
    }

    /** The first millisecond of {@code text}'s day or month, or of the next one if {@code end}. */
    private long parse(String option, String text, boolean end) throws CliFailure {
        String ascii = asciiDigits(text.strip());
        Matcher date = CALENDAR_DATE.matcher(ascii);
        if (!date.matches()) {
            try {
                return OffsetDateTime.parse(ascii).toInstant().toEpochMilli();
            } catch (DateTimeException e) {
                throw CliFailure.usage(option + ": '" + text + "' is not a date: expected "
                        + "YYYY-MM-DD or YYYY-MM in the " + calendar.name() + " calendar, or an ISO-8601 instant such "
                        + "as 2025-03-21T00:00:00Z");
            }
        }
        int year = Integer.parseInt(date.group(1));
        int month = Integer.parseInt(date.group(2));
        boolean wholeMonth = date.group(3) == null;
        int day = wholeMonth ? 1 : Integer.parseInt(date.group(3));
        checkYear(option, text, year);
        long epochDay;
        try {
            epochDay = calendar.isPersian() ? SolarHijri.toEpochDay(year, month, day)
                    : LocalDate.of(year, month, day).toEpochDay();
        } catch (IllegalArgumentException | DateTimeException e) {
            throw CliFailure.usage(option + ": '" + text + "' is not a day of the "
                    + calendar.name() + " calendar (" + e.getMessage() + ")");
        }
        if (end) {
            epochDay = wholeMonth ? calendar.monthStartDay(calendar.monthIndexOfDay(epochDay) + 1) : epochDay + 1;
        }
        return calendar.startOfDayMillis(epochDay);
    }

    private void checkYear(String option, String text, int year) throws CliFailure {
        if (calendar.isPersian() && year >= PERSIAN_YEAR_LIMIT) {
            throw CliFailure.usage(option + ": '" + text + "' is read in the persian calendar, "
                    + "where year " + year + " is far in the future; for a Gregorian date add --calendar gregorian");
        }
        if (!calendar.isPersian() && year < GREGORIAN_YEAR_FLOOR) {
            throw CliFailure.usage(option + ": '" + text + "' is read in the gregorian calendar, "
                    + "where year " + year + " is long past; for a Persian date use --calendar persian");
        }
    }

    /** Persian (U+06F0..) and Arabic-Indic (U+0660..) digits as ASCII; everything else unchanged. */
    static String asciiDigits(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= '\u06F0' && c <= '\u06F9') {
                c = (char) ('0' + c - '\u06F0');
            } else if (c >= '\u0660' && c <= '\u0669') {
                c = (char) ('0' + c - '\u0660');
            }
            out.append(c);
        }
        return out.toString();
    }
}
