package io.gozargah.engine.journal;

import io.gozargah.engine.calendar.BillingCalendar;
import io.gozargah.engine.exchange.Outcome;
import io.gozargah.engine.journal.JournalStatistics.CacheRow;
import io.gozargah.engine.journal.JournalStatistics.MonthRow;
import io.gozargah.engine.journal.JournalStatistics.NameRow;
import io.gozargah.engine.journal.JournalStatistics.OutcomeRow;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JournalStatisticsTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void writeJournal() {
        KnownCountsJournal.write(dir);
    }

    @Test
    void shouldCountPersianMonthsInTehran() {
        JournalStatistics s = statistics(BillingCalendar.persian(), Long.MIN_VALUE, Long.MAX_VALUE);

        assertEquals(KnownCountsJournal.TRANSACTIONS, s.transactions());
        assertEquals(List.of(
                new MonthRow(1403 * 12 + 11, "Esfand 1403", 5, 2, 2, 2, true, false, false),
                new MonthRow(1404 * 12, "Farvardin 1404", 10, 3, 3, 3, false, true, false),
                new MonthRow(1404 * 12 + 1, "Ordibehesht 1404", 1, 1, 1, 1, true, false, true)), s.months());
    }

    @Test
    void shouldCountGregorianMonthsInTehran() {
        JournalStatistics s = statistics(BillingCalendar.gregorian(BillingCalendar.TEHRAN), Long.MIN_VALUE, Long.MAX_VALUE);

        assertEquals(List.of(
                new MonthRow(2025 * 12 + 1, "February 2025", 2, 1, 1, 1, true, false, true),
                new MonthRow(2025 * 12 + 2, "March 2025", 8, 2, 2, 3, false, true, false),
                new MonthRow(2025 * 12 + 3, "April 2025", 6, 2, 2, 3, true, false, false)), s.months());
    }

    @Test
    void shouldPutAMidnightTransactionInTheMonthOfTheZone() {
        JournalStatistics utc = statistics(BillingCalendar.persian(ZoneOffset.UTC), Long.MIN_VALUE, Long.MAX_VALUE);
        assertEquals(List.of(6L, 9L, 1L), utc.months().stream().map(MonthRow::transactions).toList(),
                "at 21:00 UTC on 20 March it is still Esfand 30, 1403 in UTC");
    }

    @Test
    void shouldRankProvidersAndConsumersByVolume() {
        JournalStatistics s = statistics(BillingCalendar.persian(), Long.MIN_VALUE, Long.MAX_VALUE);

        assertEquals(List.of(
                new NameRow("post", 7, 2, 1, 1),
                new NameRow("nocr", 6, 2, 1, 1),
                new NameRow("sms", 3, 2, 1, 1)), s.providers());
        assertEquals(List.of(
                new NameRow("snapp", 7, 1, 2, 2),
                new NameRow("tapsi", 5, 1, 2, 2),
                new NameRow("medu", 4, 1, 2, 2)), s.consumers());
        assertEquals(List.of("post/address", "nocr/identity", "sms/send"),
                s.services().stream().map(NameRow::name).toList());
        assertEquals(List.of(new OutcomeRow(OutcomeCode.of(Outcome.PROXIED), 15),
                new OutcomeRow(OutcomeCode.of(Outcome.RATE_LIMITED), 1)), s.outcomes());
    }

    @Test
    void shouldCountOnlyThePeriodAndTreatItsMonthsAsWhole() {
        BillingCalendar persian = BillingCalendar.persian();
        long from = persian.startOfDayMillis(persian.monthStartDay(1403 * 12 + 11));
        long to = persian.startOfDayMillis(persian.monthStartDay(1404 * 12 + 1));
        JournalStatistics s = statistics(persian, from, to);

        assertEquals(15, s.transactions());
        assertEquals(List.of(
                new MonthRow(1403 * 12 + 11, "Esfand 1403", 5, 2, 2, 2, false, false, true),
                new MonthRow(1404 * 12, "Farvardin 1404", 10, 3, 3, 3, false, true, false)), s.months());
        assertEquals(Instant.parse("2025-02-25T08:00:00Z").toEpochMilli(), s.firstMillis());
    }

    @Test
    void shouldHaveNoMonthsForAnEmptyPeriod() {
        JournalStatistics s = statistics(BillingCalendar.persian(), 0, 1);
        assertEquals(0, s.transactions());
        assertEquals(List.of(), s.months());
        assertEquals(List.of(), s.providers());
    }

    @Test
    void shouldCountTheExchangesOfARefusalSummaryAsTransactionsWithItsOutcome(@TempDir Path other) {
        try (SyntheticJournal j = SyntheticJournal.create(other)) {
            j.transaction().start("2025-03-25T08:30:00Z").consumer("snapp").service("nocr/identity").append();
            j.summary("snapp", "nocr/identity", Outcome.JOURNAL_UNAVAILABLE, 503, 250,
                    Instant.parse("2025-03-25T08:31:00Z"), 0x0195_0000_0000_7000L, 0x8000_0000_0000_0063L);
            j.summary(null, null, Outcome.UNAUTHENTICATED, 401, 9, Instant.parse("2025-04-25T08:31:00Z"),
                    0x0195_0000_0000_8000L, 0x8000_0000_0000_0063L);
        }
        JournalStatistics s;
        try (JournalReader reader = JournalReader.open(other)) {
            s = new JournalStatistics(reader.names(), BillingCalendar.persian(), Long.MIN_VALUE, Long.MAX_VALUE);
            reader.readAvailable(s);
        }
        assertEquals(260, s.transactions(), "one record and two summaries of 250 and 9: the number of answers");
        assertEquals(259, s.summarized());
        assertEquals(List.of(new OutcomeRow(OutcomeCode.of(Outcome.JOURNAL_UNAVAILABLE), 250),
                new OutcomeRow(OutcomeCode.of(Outcome.UNAUTHENTICATED), 9),
                new OutcomeRow(OutcomeCode.of(Outcome.PROXIED), 1)), s.outcomes());
        assertEquals(List.of(new NameRow("snapp", 251, 1, 1, 1), new NameRow(JournalStatistics.NONE, 9, 0, 0, 0)),
                s.consumers());
        assertEquals(List.of(251L, 9L), s.months().stream().map(MonthRow::transactions).toList(),
                "each summary in the month of its interval's start");
    }

    @Test
    void shouldCountCacheResultsPerServiceAndMonthLeavingOutTransactionsWithout(@TempDir Path other) {
        KnownCacheJournal.write(other);
        JournalStatistics s = statistics(other, BillingCalendar.persian(), Long.MIN_VALUE, Long.MAX_VALUE);

        assertEquals(List.of(
                new CacheRow("nocr/identity", 1404 * 12, "Farvardin 1404", 1, 3, 1, 0),
                new CacheRow("nocr/identity", 1404 * 12 + 1, "Ordibehesht 1404", 1, 0, 0, 1),
                new CacheRow("post/address", 1403 * 12 + 11, "Esfand 1403", 2, 0, 0, 0)), s.cache());
        assertEquals(0.8, s.cache().get(0).hitRatio(), 1e-9, "cached and coalesced are hits: 4 of 5");
        assertEquals(0.5, s.cache().get(1).hitRatio(), 1e-9, "stale is a hit: answered with a kept copy");
        assertEquals(0.0, s.cache().get(2).hitRatio());
        assertEquals(63, s.transactions(), "the transactions without a cache result still count everywhere else");
    }

    @Test
    void shouldCountCacheResultsOnlyInThePeriodAndInTheCalendarsMonths(@TempDir Path other) {
        KnownCacheJournal.write(other);
        BillingCalendar persian = BillingCalendar.persian();
        long from = persian.startOfDayMillis(persian.monthStartDay(1404 * 12));
        long to = persian.startOfDayMillis(persian.monthStartDay(1404 * 12 + 1));

        assertEquals(List.of(new CacheRow("nocr/identity", 1404 * 12, "Farvardin 1404", 1, 3, 1, 0)),
                statistics(other, persian, from, to).cache());
        assertEquals(List.of(
                new CacheRow("nocr/identity", 2025 * 12 + 2, "March 2025", 1, 3, 1, 0),
                new CacheRow("nocr/identity", 2025 * 12 + 3, "April 2025", 1, 0, 0, 1),
                new CacheRow("post/address", 2025 * 12 + 2, "March 2025", 2, 0, 0, 0)),
                statistics(other, BillingCalendar.gregorian(BillingCalendar.TEHRAN), Long.MIN_VALUE, Long.MAX_VALUE)
                        .cache());
    }

    @Test
    void shouldHaveNoCacheRowsForAJournalWithoutCacheResults() {
        assertEquals(List.of(), statistics(BillingCalendar.persian(), Long.MIN_VALUE, Long.MAX_VALUE).cache());
    }

    private static JournalStatistics statistics(BillingCalendar calendar, long from, long to) {
        return statistics(dir, calendar, from, to);
    }

    private static JournalStatistics statistics(Path journal, BillingCalendar calendar, long from, long to) {
        try (JournalReader reader = JournalReader.open(journal)) {
            JournalStatistics s = new JournalStatistics(reader.names(), calendar, from, to);
            reader.readAvailable(s);
            return s;
        }
    }
}
