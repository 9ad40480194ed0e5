package io.gozargah.engine.calendar;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.Month;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SolarHijriTest {

    /**
     * Nowruz (1 Farvardin) as observed in Iran: the March equinox's day in Tehran if it falls before noon
     * there, else the next day. Each line was checked against the equinox time (UTC) of that year.
     */
    private static final Object[][] NOWRUZ = {
        {1354, "1975-03-21"}, {1355, "1976-03-21"}, {1357, "1978-03-21"}, {1358, "1979-03-21"},
        {1379, "2000-03-20"}, {1380, "2001-03-21"}, {1383, "2004-03-20"}, {1384, "2005-03-21"},
        {1385, "2006-03-21"}, {1386, "2007-03-21"}, {1387, "2008-03-20"}, {1388, "2009-03-21"},
        {1389, "2010-03-21"}, {1390, "2011-03-21"}, {1391, "2012-03-20"}, {1392, "2013-03-21"},
        {1393, "2014-03-21"}, {1394, "2015-03-21"}, {1395, "2016-03-20"}, {1396, "2017-03-21"},
        {1397, "2018-03-21"}, {1398, "2019-03-21"}, {1399, "2020-03-20"}, {1400, "2021-03-21"},
        {1401, "2022-03-21"}, {1402, "2023-03-21"}, {1403, "2024-03-20"}, {1404, "2025-03-21"},
        {1405, "2026-03-21"}, {1406, "2027-03-21"}, {1407, "2028-03-20"}, {1408, "2029-03-20"},
        {1409, "2030-03-21"},
    };

    @Test
    void shouldStartEachYearOnTheKnownNowruzDate() {
        for (Object[] row : NOWRUZ) {
            int year = (Integer) row[0];
            LocalDate nowruz = LocalDate.parse((String) row[1]);
            assertEquals(nowruz.toEpochDay(), SolarHijri.nowruzEpochDay(year), "Nowruz " + year);
            assertEquals(new SolarHijriDate(year, 1, 1), SolarHijri.fromEpochDay(nowruz.toEpochDay()), "1 Farvardin " + year);
            assertEquals(nowruz, new SolarHijriDate(year, 1, 1).toLocalDate());
        }
    }

    @Test
    void shouldGiveEsfandThirtyDaysInLeapYearsAndTwentyNineInCommonYears() {
        assertTrue(SolarHijri.isLeapYear(1403));
        assertEquals(30, SolarHijri.monthLength(1403, 12));
        assertEquals(LocalDate.of(2025, 3, 20), new SolarHijriDate(1403, 12, 30).toLocalDate());
        assertEquals(366, SolarHijri.yearLength(1403));

        assertFalse(SolarHijri.isLeapYear(1402));
        assertEquals(29, SolarHijri.monthLength(1402, 12));
        assertEquals(LocalDate.of(2024, 3, 19), new SolarHijriDate(1402, 12, 29).toLocalDate());
        assertThrows(IllegalArgumentException.class, () -> new SolarHijriDate(1402, 12, 30));
        assertThrows(IllegalArgumentException.class, () -> SolarHijri.toEpochDay(1402, 12, 30));

        assertTrue(SolarHijri.isLeapYear(1399));
        assertTrue(SolarHijri.isLeapYear(1408));
        assertFalse(SolarHijri.isLeapYear(1404));
        assertFalse(SolarHijri.isLeapYear(1407), "the 5-year gap of the cycle: 1403, then 1408");
    }

    @Test
    void shouldAgreeWithTheKnownNowruzTableOnEveryYearLength() {
        for (int i = 0; i + 1 < NOWRUZ.length; i++) {
            int year = (Integer) NOWRUZ[i][0];
            int next = (Integer) NOWRUZ[i + 1][0];
            if (next == year + 1) {
                long days = LocalDate.parse((String) NOWRUZ[i + 1][1]).toEpochDay()
                    - LocalDate.parse((String) NOWRUZ[i][1]).toEpochDay();
                assertEquals(days, SolarHijri.yearLength(year), "length of " + year);
            }
        }
    }

    @Test
    void shouldFollowThe33YearPatternBetweenTheBreaks1210And1635() {
        // Within one stretch of the fit, leap years are those whose residue mod 33 is 1, 5, 9, 13, 17, 22, 26
        // or 30 (eight per cycle, one five-year gap), e.g. 1399 = 13, 1403 = 17, 1408 = 22. The last five
        // years before a break already follow the next stretch's alignment, so 1630..1634 are left out.
        for (int year = 1210; year < 1630; year++) {
            int r = year % 33;
            boolean expected = r == 1 || r == 5 || r == 9 || r == 13 || r == 17 || r == 22 || r == 26 || r == 30;
            assertEquals(expected, SolarHijri.isLeapYear(year), "year " + year);
        }
    }

    @Test
    void shouldConvertKnownHistoricDates() {
        assertEquals(new SolarHijriDate(1357, 11, 22), SolarHijri.fromEpochDay(LocalDate.of(1979, 2, 11).toEpochDay()));
        assertEquals(new SolarHijriDate(1348, 10, 11), SolarHijri.fromEpochDay(LocalDate.of(1970, 1, 1).toEpochDay()));
        assertEquals(LocalDate.of(2025, 9, 23), new SolarHijriDate(1404, 7, 1).toLocalDate(), "1 Mehr: months 7+ have 30 days");
        assertEquals(LocalDate.of(2025, 9, 22), new SolarHijriDate(1404, 6, 31).toLocalDate());
    }

    @Test
    void shouldWalkEveryDayFrom1900To2300WithoutGapsOrRepeats() {
        long first = LocalDate.of(1900, Month.JANUARY, 1).toEpochDay();
        long last = LocalDate.of(2300, Month.DECEMBER, 31).toEpochDay();
        SolarHijriDate previous = SolarHijri.fromEpochDay(first);
        for (long day = first + 1; day <= last; day++) {
            SolarHijriDate date = SolarHijri.fromEpochDay(day);
            assertEquals(day, date.toEpochDay(), "round trip of " + date);
            boolean nextDay = date.year() == previous.year() && date.month() == previous.month()
                && date.day() == previous.day() + 1;
            boolean nextMonth = date.year() == previous.year() && date.month() == previous.month() + 1
                && date.day() == 1 && previous.day() == SolarHijri.monthLength(previous.year(), previous.month());
            boolean nextYear = date.year() == previous.year() + 1 && date.month() == 1 && date.day() == 1
                && previous.month() == 12 && previous.day() == SolarHijri.monthLength(previous.year(), 12);
            assertTrue(nextDay || nextMonth || nextYear, previous + " then " + date);
            if (nextYear) {
                LocalDate nowruz = LocalDate.ofEpochDay(day);
                assertEquals(Month.MARCH, nowruz.getMonth());
                assertTrue(nowruz.getDayOfMonth() >= 19 && nowruz.getDayOfMonth() <= 22, "Nowruz " + date.year() + " on " + nowruz);
            }
            previous = date;
        }
    }

    @Test
    void shouldRejectDatesOutsideTheCalendar() {
        assertThrows(IllegalArgumentException.class, () -> new SolarHijriDate(1403, 13, 1));
        assertThrows(IllegalArgumentException.class, () -> new SolarHijriDate(1403, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new SolarHijriDate(1403, 7, 31));
        assertThrows(IllegalArgumentException.class, () -> new SolarHijriDate(1403, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> SolarHijri.isLeapYear(0));
        assertThrows(IllegalArgumentException.class, () -> SolarHijri.isLeapYear(SolarHijri.MAX_YEAR + 1));
    }

    @Test
    void shouldPrintDatesTheWayTheyAreWrittenInIran() {
        assertEquals("1403/12/30", new SolarHijriDate(1403, 12, 30).toString());
        assertEquals("1404/01/01", new SolarHijriDate(1404, 1, 1).toString());
    }
}
