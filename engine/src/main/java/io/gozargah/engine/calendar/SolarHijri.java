package io.gozargah.engine.calendar;

import java.time.LocalDate;

/**
 * The Solar Hijri (Persian, Jalali) calendar: leap years and the day numbers of its dates, as
 * {@link LocalDate#toEpochDay() epoch days} so that conversion to and from Gregorian goes through one
 * integer.
 *
 * <p>The official calendar starts each year at Nowruz, the day of the March equinox in Tehran (or the
 * next day when the equinox falls after noon). Its leap years therefore come from astronomy, not from a
 * rule; no short cycle fits them for ever. We use Kazimierz Borkowski's arithmetic fit ("The Persian
 * calendar for 3000 years", Earth, Moon and Planets 74, 1996), as in the widely used jalaali
 * implementations: leap years follow 33-year cycles (8 leaps in each, every 4th year with one 5-year
 * gap), restarted at the break years in {@link #BREAKS}, and the resulting Nowruz dates agree with the
 * astronomical ones for every year in {@link #MIN_YEAR}..{@link #MAX_YEAR}. The plain 33-year rule
 * (no breaks) agrees only between the breaks 1210 and 1635; Birashk's 2820-year cycle is already wrong
 * for 1403/1404 (it makes 1404 leap instead of 1403).
 *
 * <p>Months 1–6 (Farvardin–Shahrivar) have 31 days, 7–11 (Mehr–Bahman) 30, and 12 (Esfand) 29, or 30 in
 * a leap year. Everything here is arithmetic on {@code int}/{@code long}: no allocation except
 * {@link #fromEpochDay(long)}'s result.
 */
public final class SolarHijri {

    /** First year this implementation answers for. */
    public static final int MIN_YEAR = 1;
    /** Last year this implementation answers for (the fit's last break is 3178). */
    public static final int MAX_YEAR = 3177;

    /**
     * Years in which the 33-year leap pattern restarts (Borkowski, table 1). Between two breaks the pattern
     * is unbroken; the first entry is the start of the fitted range.
     */
    private static final int[] BREAKS = {
        -61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210, 1635, 2060, 2097, 2192, 2262, 2324, 2394,
        2456, 3178
    };

    private SolarHijri() {
    }

    /** Whether {@code year} has 366 days, i.e. its Esfand has 30 days. */
    public static boolean isLeapYear(int year) {
        checkYear(year);
        return yearsSinceLeap(year) == 0;
    }

    /** Days in {@code month} (1..12) of {@code year}. */
    public static int monthLength(int year, int month) {
        checkMonth(month);
        if (month <= 6) {
            return 31;
        }
        if (month <= 11) {
            return 30;
        }
        return isLeapYear(year) ? 30 : 29;
    }

    /** Days in {@code year}: 365, or 366 in a leap year. */
    public static int yearLength(int year) {
        return isLeapYear(year) ? 366 : 365;
    }

    /** The epoch day (days since 1970-01-01) of 1 Farvardin, Nowruz, of {@code year}. */
    public static long nowruzEpochDay(int year) {
        checkYear(year);
        int gregorianYear = year + 621;
        return LocalDate.of(gregorianYear, 3, 1).toEpochDay() + nowruzMarchDay(year) - 1;
    }

    /** The epoch day of {@code year}-{@code month}-{@code day}, checked. */
    public static long toEpochDay(int year, int month, int day) {
        return new SolarHijriDate(year, month, day).toEpochDay();
    }

    /** The Solar Hijri date of an epoch day. */
    public static SolarHijriDate fromEpochDay(long epochDay) {
        int gregorianYear = LocalDate.ofEpochDay(epochDay).getYear();
        int year = gregorianYear - 621;
        long nowruz = nowruzEpochDay(year);
        if (epochDay < nowruz) {
            year--;
            nowruz = nowruzEpochDay(year);
        }
        int dayOfYear = (int) (epochDay - nowruz) + 1;
        int month;
        int day;
        if (dayOfYear <= 186) {
            month = (dayOfYear - 1) / 31 + 1;
            day = (dayOfYear - 1) % 31 + 1;
        } else {
            month = (dayOfYear - 187) / 30 + 7;
            day = (dayOfYear - 187) % 30 + 1;
        }
        return new SolarHijriDate(year, month, day);
    }

    /** 1-based day of the year of {@code month}/{@code day}: months 1–6 have 31 days, 7–12 30 (Esfand 29 or 30). */
    static int dayOfYear(int month, int day) {
        return (month <= 7 ? (month - 1) * 31 : 186 + (month - 7) * 30) + day;
    }

    /**
     * The day of March (20, 21 or 22 in the supported range) on which {@code year} starts, in Gregorian year
     * {@code year + 621}: leap days of this calendar since its epoch minus those of the Gregorian one.
     */
    private static int nowruzMarchDay(int year) {
        int gregorianYear = year + 621;
        int leapsHijri = -14;
        int previousBreak = BREAKS[0];
        int jump = 0;
        for (int i = 1; i < BREAKS.length; i++) {
            int nextBreak = BREAKS[i];
            jump = nextBreak - previousBreak;
            if (year < nextBreak) {
                break;
            }
            leapsHijri += jump / 33 * 8 + jump % 33 / 4;
            previousBreak = nextBreak;
        }
        int n = year - previousBreak;
        leapsHijri += n / 33 * 8 + (n % 33 + 3) / 4;
        if (jump % 33 == 4 && jump - n == 4) {
            leapsHijri++;
        }
        int leapsGregorian = gregorianYear / 4 - (gregorianYear / 100 + 1) * 3 / 4 - 150;
        return 20 + leapsHijri - leapsGregorian;
    }

    /** Years since the last leap year in {@code year}'s 33-year pattern: 0 for a leap year, 1..4 otherwise. */
    private static int yearsSinceLeap(int year) {
        int previousBreak = BREAKS[0];
        int jump = 0;
        for (int i = 1; i < BREAKS.length; i++) {
            int nextBreak = BREAKS[i];
            jump = nextBreak - previousBreak;
            if (year < nextBreak) {
                break;
            }
            previousBreak = nextBreak;
        }
        int n = year - previousBreak;
        if (jump - n < 6) {
            n = n - jump + (jump + 4) / 33 * 33;
        }
        // Truncating remainders as in Borkowski's formulation (n + 1 may be negative just before a break;
        // -1 % 4 is then -1, the year before the cycle's first leap year).
        int leap = ((n + 1) % 33 - 1) % 4;
        return leap == -1 ? 4 : leap;
    }

    private static void checkYear(int year) {
        if (year < MIN_YEAR || year > MAX_YEAR) {
            throw new IllegalArgumentException("Solar Hijri year out of " + MIN_YEAR + ".." + MAX_YEAR + ": " + year);
        }
    }

    private static void checkMonth(int month) {
        if (month < 1 || month > 12) {
            throw new IllegalArgumentException("month out of 1..12: " + month);
        }
    }
}
