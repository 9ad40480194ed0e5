package io.gozargah.engine.calendar;

import java.time.LocalDate;

/**
 * A date in the Solar Hijri calendar, checked on construction.
 *
 * @param year  Solar Hijri year, {@link SolarHijri#MIN_YEAR}..{@link SolarHijri#MAX_YEAR}
 * @param month 1 (Farvardin) .. 12 (Esfand)
 * @param day   1 .. the month's length
 */
public record SolarHijriDate(int year, int month, int day) {

    public SolarHijriDate {
        int length = SolarHijri.monthLength(year, month);
        if (day < 1 || day > length) {
            throw new IllegalArgumentException("day " + day + " out of 1.." + length + " for " + year + "/" + month);
        }
    }

    /** Days since 1970-01-01 (Gregorian), as {@link LocalDate#toEpochDay()}. */
    public long toEpochDay() {
        return SolarHijri.nowruzEpochDay(year) + SolarHijri.dayOfYear(month, day) - 1;
    }

    /** The date of {@code epochDay}. */
    public static SolarHijriDate ofEpochDay(long epochDay) {
        return SolarHijri.fromEpochDay(epochDay);
    }

    /** The Gregorian date of the same day. */
    public LocalDate toLocalDate() {
        return LocalDate.ofEpochDay(toEpochDay());
    }

    /** ISO-like {@code 1403/12/30}, the way dates are written in Iran (zero-padded month and day). */
    @Override
    public String toString() {
        return year + "/" + (month < 10 ? "0" : "") + month + "/" + (day < 10 ? "0" : "") + day;
    }
}
