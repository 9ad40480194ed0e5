package io.gozargah.engine.calendar;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BillingCalendarTest {

    private static long millis(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    @Test
    void shouldEndEsfandOfALeapYearAfterItsThirtiethDayInTehran() {
        BillingCalendar persian = BillingCalendar.persian();
        // 1 Farvardin 1404 = 2025-03-21, starting at 00:00 +03:30 = 2025-03-20T20:30Z.
        long lastMilli = millis("2025-03-20T20:29:59.999Z");
        long nowruz = millis("2025-03-20T20:30:00Z");
        assertEquals(1403 * 12 + 11, persian.monthIndex(lastMilli));
        assertEquals(1404 * 12, persian.monthIndex(nowruz));
        assertEquals(nowruz, persian.monthEndMillis(lastMilli));
        assertEquals(nowruz, persian.dayEndMillis(lastMilli));
        assertEquals("1403/12/30", persian.formatDay(persian.dayIndex(lastMilli)));
        BillingPeriod esfand = persian.periodAt(lastMilli);
        assertEquals(millis("2025-02-18T20:30:00Z"), esfand.monthStartMillis(), "1 Esfand 1403 = 2025-02-19");
        assertEquals(30 * 86_400_000L, esfand.monthEndMillis() - esfand.monthStartMillis());
    }

    @Test
    void shouldEndEsfandOfACommonYearAfterItsTwentyNinthDay() {
        BillingCalendar persian = BillingCalendar.persian();
        long esfand29 = millis("2024-03-19T12:00:00Z");
        assertEquals("1402/12/29", persian.formatDay(persian.dayIndex(esfand29)));
        assertEquals(millis("2024-03-19T20:30:00Z"), persian.monthEndMillis(esfand29), "Nowruz 1403 = 2024-03-20");
        BillingPeriod period = persian.periodAt(esfand29);
        assertEquals(29 * 86_400_000L, period.monthEndMillis() - period.monthStartMillis());
    }

    @Test
    void shouldEndPersianMonthsOf31And30Days() {
        BillingCalendar persian = BillingCalendar.persian();
        long shahrivar31 = millis("2025-09-22T10:00:00Z");
        assertEquals(1404 * 12 + 5, persian.monthIndex(shahrivar31));
        assertEquals(millis("2025-09-22T20:30:00Z"), persian.monthEndMillis(shahrivar31), "1 Mehr 1404 = 2025-09-23");
        long mehr = millis("2025-09-22T20:30:00Z");
        assertEquals(1404 * 12 + 6, persian.monthIndex(mehr));
        assertEquals(millis("2025-10-22T20:30:00Z"), persian.monthEndMillis(mehr), "Mehr has 30 days");
    }

    @Test
    void shouldStartPersianDaysAtTehranMidnight() {
        BillingCalendar persian = BillingCalendar.persian();
        long before = millis("2025-06-01T20:29:59.999Z");
        long after = millis("2025-06-01T20:30:00Z");
        assertEquals(LocalDate.of(2025, 6, 1).toEpochDay(), persian.dayIndex(before));
        assertEquals(LocalDate.of(2025, 6, 2).toEpochDay(), persian.dayIndex(after));
        assertEquals(after, persian.dayEndMillis(before));
        assertEquals(millis("2025-06-02T20:30:00Z"), persian.dayEndMillis(after));
    }

    @Test
    void shouldCountADaylightSavingChangeDayAtItsRealLength() {
        // Iran kept daylight saving time until 2022: clocks went from 00:00 to 01:00 on 1 Farvardin 1387
        // (2008-03-21) and back at the end of 30 Shahrivar (2008-09-21).
        BillingCalendar persian = BillingCalendar.persian();
        BillingPeriod nowruz = persian.periodAt(millis("2008-03-21T06:00:00Z"));
        assertEquals(23 * 3_600_000L, nowruz.dayEndMillis() - nowruz.dayStartMillis());
        BillingPeriod shahrivar30 = persian.periodAt(millis("2008-09-21T06:00:00Z"));
        assertEquals("1387/06/31", persian.formatDay(shahrivar30.dayIndex()));
        BillingPeriod fallBack = persian.periodAt(millis("2008-09-20T06:00:00Z"));
        assertEquals(25 * 3_600_000L, fallBack.dayEndMillis() - fallBack.dayStartMillis(), persian.formatDay(fallBack.dayIndex()));
    }

    @Test
    void shouldEndGregorianMonthsAtUtcMidnightWhenConfiguredSo() {
        BillingCalendar utc = BillingCalendar.gregorian(ZoneOffset.UTC);
        long feb = millis("2024-02-29T23:59:59.999Z");
        assertEquals(2024 * 12 + 1, utc.monthIndex(feb));
        assertEquals(millis("2024-03-01T00:00:00Z"), utc.monthEndMillis(feb));
        assertEquals(millis("2024-03-01T00:00:00Z"), utc.dayEndMillis(feb));
        long december = millis("2024-12-31T12:00:00Z");
        assertEquals(millis("2025-01-01T00:00:00Z"), utc.monthEndMillis(december));
        assertEquals(2025 * 12, utc.monthIndex(millis("2025-01-01T00:00:00Z")));
        BillingPeriod february = utc.periodAt(millis("2023-02-10T00:00:00Z"));
        assertEquals(28 * 86_400_000L, february.monthEndMillis() - february.monthStartMillis());
    }

    @Test
    void shouldEndGregorianMonthsAtTehranMidnightByDefault() {
        BillingCalendar gregorian = BillingCalendar.named("gregorian", BillingCalendar.TEHRAN);
        long lastMilli = millis("2025-03-31T20:29:59.999Z");
        assertEquals(2025 * 12 + 2, gregorian.monthIndex(lastMilli));
        assertEquals(millis("2025-03-31T20:30:00Z"), gregorian.monthEndMillis(lastMilli));
        assertEquals(2025 * 12 + 3, gregorian.monthIndex(lastMilli + 1));
    }

    @Test
    void shouldShareDayIndexesAcrossCalendarsButNotMonthIndexes() {
        long t = millis("2025-05-05T05:05:05Z");
        BillingCalendar persian = BillingCalendar.persian();
        BillingCalendar gregorian = BillingCalendar.gregorian(BillingCalendar.TEHRAN);
        assertEquals(persian.dayIndex(t), gregorian.dayIndex(t));
        assertEquals(1404 * 12 + 1, persian.monthIndex(t), "Ordibehesht 1404");
        assertEquals(2025 * 12 + 4, gregorian.monthIndex(t), "May 2025");
    }

    @Test
    void shouldNameMonths() {
        BillingCalendar persian = BillingCalendar.persian();
        assertEquals("Farvardin", persian.monthName(1));
        assertEquals("Esfand", persian.monthName(12));
        assertEquals("اسفند", persian.nativeMonthName(12));
        assertEquals("Esfand 1403", persian.monthLabel(1403 * 12 + 11));
        BillingCalendar gregorian = BillingCalendar.gregorian(ZoneOffset.UTC);
        assertEquals("March 2025", gregorian.monthLabel(2025 * 12 + 2));
        assertEquals("2025-03-20", gregorian.formatDay(LocalDate.of(2025, 3, 20).toEpochDay()));
        assertThrows(IllegalArgumentException.class, () -> persian.monthName(13));
        assertThrows(IllegalArgumentException.class, () -> BillingCalendar.named("julian", ZoneOffset.UTC));
    }

    @Test
    void shouldRecomputeTheCurrentPeriodOnlyWhenTheClockLeavesTheDay() {
        CurrentPeriod current = new CurrentPeriod(BillingCalendar.persian());
        long morning = millis("2025-03-20T06:00:00Z");
        BillingPeriod first = current.at(morning);
        assertSame(first, current.at(millis("2025-03-20T20:29:59.999Z")));
        BillingPeriod nowruz = current.at(millis("2025-03-20T20:30:00Z"));
        assertNotSame(first, nowruz);
        assertEquals(1404 * 12, nowruz.monthIndex());
        BillingPeriod back = current.at(morning);
        assertEquals(1403 * 12 + 11, back.monthIndex(), "a clock stepping back gets the period of its reading");
    }
}
