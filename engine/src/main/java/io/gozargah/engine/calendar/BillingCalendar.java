package io.gozargah.engine.calendar;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * The calendar that quotas are counted in: which billing day and month an instant belongs to, and when
 * they end (for quota resets and for the {@code Retry-After} of an exhausted quota).
 *
 * <ul>
 * <li>{@code persian}: Solar Hijri months, Farvardin to Esfand ({@link SolarHijri}).</li>
 * <li>{@code gregorian}: January to December.</li>
 * </ul>
 *
 * <p>Both count days from local midnight in their zone, by default {@link #TEHRAN Asia/Tehran}: the bus
 * and its operators live there, so a quota day is the day they see on the wall clock whichever calendar
 * names the months. Another zone (e.g. {@code UTC}) may be configured. Zone rules come from the JDK's
 * tz database; where a day does not start at 00:00 (a historical daylight-saving change at midnight), it
 * starts at the first valid local time.
 *
 * <p>A day's index is its local epoch day, the same number in both calendars; a month's index is
 * {@code year × 12 + month − 1} in the calendar's own years, so the two calendars' month indexes are
 * different numbers and must not be mixed (the counters file records which calendar wrote it).
 */
public final class BillingCalendar {

    /** The default zone of both calendars. */
    public static final ZoneId TEHRAN = ZoneId.of("Asia/Tehran");

    /** The config names of the calendars. */
    public static final String PERSIAN = "persian";
    public static final String GREGORIAN = "gregorian";

    private static final String[] PERSIAN_MONTHS = {
        "Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
        "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand"
    };
    private static final String[] PERSIAN_MONTHS_NATIVE = {
        "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
        "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"
    };
    private static final String[] GREGORIAN_MONTHS = {
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December"
    };

    private final boolean persian;
    private final ZoneId zone;

    private BillingCalendar(boolean persian, ZoneId zone) {
        this.persian = persian;
        this.zone = zone;
    }

    /** Solar Hijri months in Asia/Tehran. */
    public static BillingCalendar persian() {
        return new BillingCalendar(true, TEHRAN);
    }

    /** Solar Hijri months, days counted in {@code zone}. */
    public static BillingCalendar persian(ZoneId zone) {
        return new BillingCalendar(true, zone);
    }

    /** Gregorian months, days counted in {@code zone}. */
    public static BillingCalendar gregorian(ZoneId zone) {
        return new BillingCalendar(false, zone);
    }

    /**
     * The calendar named {@code name} ({@value #PERSIAN} or {@value #GREGORIAN}) in {@code zone}.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static BillingCalendar named(String name, ZoneId zone) {
        return switch (name) {
            case PERSIAN -> persian(zone);
            case GREGORIAN -> gregorian(zone);
            default -> throw new IllegalArgumentException("unknown calendar '" + name + "' (persian or gregorian)");
        };
    }

    /** {@value #PERSIAN} or {@value #GREGORIAN}. */
    public String name() {
        return persian ? PERSIAN : GREGORIAN;
    }

    public boolean isPersian() {
        return persian;
    }

    public ZoneId zone() {
        return zone;
    }

    /** The billing day and month containing {@code epochMillis}. Allocates: cache it (see {@link CurrentPeriod}). */
    public BillingPeriod periodAt(long epochMillis) {
        long day = dayIndex(epochMillis);
        int month = monthIndexOfDay(day);
        return new BillingPeriod(day, startOfDayMillis(day), startOfDayMillis(day + 1),
            month, startOfDayMillis(monthStartDay(month)), startOfDayMillis(monthStartDay(month + 1)));
    }

    /** The local epoch day of {@code epochMillis} in this calendar's zone. */
    public long dayIndex(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).atZone(zone).toLocalDate().toEpochDay();
    }

    /** The month index ({@code year × 12 + month − 1}) of {@code epochMillis}. */
    public int monthIndex(long epochMillis) {
        return monthIndexOfDay(dayIndex(epochMillis));
    }

    /** The first instant after the billing day of {@code epochMillis}: the next local midnight. */
    public long dayEndMillis(long epochMillis) {
        return startOfDayMillis(dayIndex(epochMillis) + 1);
    }

    /** The first instant after the billing month of {@code epochMillis}. */
    public long monthEndMillis(long epochMillis) {
        return startOfDayMillis(monthStartDay(monthIndex(epochMillis) + 1));
    }

    /** The month index of a local epoch day. */
    public int monthIndexOfDay(long epochDay) {
        if (persian) {
            SolarHijriDate date = SolarHijri.fromEpochDay(epochDay);
            return date.year() * 12 + date.month() - 1;
        }
        LocalDate date = LocalDate.ofEpochDay(epochDay);
        return date.getYear() * 12 + date.getMonthValue() - 1;
    }

    /** The local epoch day on which month {@code monthIndex} starts. */
    public long monthStartDay(int monthIndex) {
        int year = year(monthIndex);
        int month = month(monthIndex);
        return persian ? SolarHijri.toEpochDay(year, month, 1) : LocalDate.of(year, month, 1).toEpochDay();
    }

    /** The instant the local day {@code epochDay} starts in this calendar's zone. */
    public long startOfDayMillis(long epochDay) {
        return LocalDate.ofEpochDay(epochDay).atStartOfDay(zone).toInstant().toEpochMilli();
    }

    /** The year of a month index. */
    public static int year(int monthIndex) {
        return Math.floorDiv(monthIndex, 12);
    }

    /** The month (1..12) of a month index. */
    public static int month(int monthIndex) {
        return Math.floorMod(monthIndex, 12) + 1;
    }

    /** The month's name in Latin letters: {@code Farvardin}..{@code Esfand} or {@code January}..{@code December}. */
    public String monthName(int month) {
        return (persian ? PERSIAN_MONTHS : GREGORIAN_MONTHS)[checkMonth(month) - 1];
    }

    /** The month's name in its own script: {@code فروردین}..{@code اسفند} for Persian; English for Gregorian. */
    public String nativeMonthName(int month) {
        return (persian ? PERSIAN_MONTHS_NATIVE : GREGORIAN_MONTHS)[checkMonth(month) - 1];
    }

    /** {@code Esfand 1403} or {@code March 2025}: the month of a month index, for reports. */
    public String monthLabel(int monthIndex) {
        return monthName(month(monthIndex)) + " " + year(monthIndex);
    }

    /** A local epoch day written in this calendar: {@code 1403/12/30} or {@code 2025-03-20}. */
    public String formatDay(long epochDay) {
        return persian ? SolarHijri.fromEpochDay(epochDay).toString() : LocalDate.ofEpochDay(epochDay).toString();
    }

    @Override
    public String toString() {
        return name() + " in " + zone.getId();
    }

    private static int checkMonth(int month) {
        if (month < 1 || month > 12) {
            throw new IllegalArgumentException("month out of 1..12: " + month);
        }
        return month;
    }
}
