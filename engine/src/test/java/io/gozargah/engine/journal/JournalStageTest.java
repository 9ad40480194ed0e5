package io.gozargah.engine.journal;

import io.gozargah.codec.journal.RefusalSummaryFlyweight;
import io.gozargah.codec.journal.SummaryReason;
import io.gozargah.engine.cache.CacheResult;
import io.gozargah.engine.config.JournalConfig;
import io.gozargah.engine.exchange.Exchange;
import io.gozargah.engine.exchange.ExchangeStages;
import io.gozargah.engine.exchange.Outcome;
import io.gozargah.engine.exchange.TransactionIds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The journal stage driven directly: what gets a record of its own, what is counted into a summary. */
class JournalStageTest {
    private static final long MSB = 0x0190_0000_7000_0000L;
    private static final long LSB = 0x8000_0000_0000_0042L;

    @TempDir
    Path dir;

    private Journal start() {
        return Journal.start(new JournalConfig(true, dir, "LARGE_DAILY", 64 * 1024, 0, null), 1);
    }

    private static void complete(ExchangeStages stages, Exchange x, long n, Outcome outcome, boolean summarize) {
        long now = System.nanoTime();
        x.start(MSB + n, LSB, now, System.currentTimeMillis() * 1_000_000L);
        if (summarize) {
            x.summarize(SummaryReason.AUTHENTICATION_FLOOD);
        }
        stages.complete(x, outcome, now + 1000);
    }

    @Test
    void shouldCountExchangesMarkedForItIntoOneSummaryInsteadOfRecordingThem() {
        Journal journal = start();
        ExchangeStages stages = new ExchangeStages(List.of(journal.stage()));
        Exchange x = new Exchange(null);
        x.clientAddress(new InetSocketAddress("10.0.0.9", 40000));
        for (long n = 1; n <= 3; n++) {
            complete(stages, x, n, Outcome.UNAUTHENTICATED, true);
            assertFalse(x.withheld(), "answered");
        }
        complete(stages, x, 4, Outcome.UNAUTHENTICATED, false);
        assertEquals(3, journal.counters().summarized());
        journal.close();

        JournalContents c = JournalContents.read(dir);
        assertEquals(1, c.transactions.size(), "only the unmarked one has a record of its own");
        assertEquals(1, c.summaries.size());
        RefusalSummaryFlyweight s = c.summaries.get(0).flyweight();
        assertEquals(SummaryReason.AUTHENTICATION_FLOOD, s.reason());
        assertEquals(3, s.count());
        assertEquals(OutcomeCode.of(Outcome.UNAUTHENTICATED), s.outcomeCode());
        assertEquals(MSB + 1, s.firstTxIdMsb());
        assertEquals(MSB + 3, s.lastTxIdMsb());
        assertTrue(c.summarizes(TransactionIds.toText(MSB + 2, LSB)));
        assertFalse(c.summarizes(TransactionIds.toText(MSB + 4, LSB)));
        assertEquals(-1, c.firstBrokenLink, "the summary is chained with the transactions");
    }

    @Test
    void shouldAnswerAndSummarizeRefusalsTheRingHasNoRoomForInsteadOfClosingOnThem() {
        Journal journal = start();
        ExchangeStages stages = new ExchangeStages(List.of(journal.stage()));
        Exchange x = new Exchange(null);
        journal.suspendWriter(); // the writer stalls: the ring fills
        int exchanges = 2_000;
        List<String> answered = new ArrayList<>();
        for (long n = 1; n <= exchanges; n++) {
            complete(stages, x, n, Outcome.JOURNAL_UNAVAILABLE, false);
            assertFalse(x.withheld(), "exchange " + n + " is answered");
            answered.add(TransactionIds.toText(MSB + n, LSB));
        }
        JournalCounters counters = journal.counters();
        assertTrue(counters.summarized() > 0, "the ring ran out of room for records of their own");
        assertEquals(0, counters.unrecorded());
        assertEquals(exchanges, counters.recordsClaimed() + counters.summarized());
        journal.close();

        JournalContents c = JournalContents.read(dir);
        assertEquals(exchanges, c.transactions.size() + c.summarized(), "every answer is journaled, once");
        for (String id : answered) {
            assertTrue(c.find(id) != null ^ c.summarizes(id), id + " has a record or is in a summary's range");
        }
        assertEquals(-1, c.firstBrokenLink);
    }

    @Test
    void shouldRecordWhatTheCacheDidAndNothingForAnExchangeItHadNoPartIn() {
        Journal journal = start();
        ExchangeStages stages = new ExchangeStages(List.of(journal.stage()));
        Exchange x = new Exchange(null);
        CacheResult[] results = {CacheResult.MISS, CacheResult.HIT, CacheResult.COALESCED, CacheResult.STALE, null};
        for (int n = 0; n < results.length; n++) {
            long now = System.nanoTime();
            x.start(MSB + n, LSB, now, System.currentTimeMillis() * 1_000_000L);
            assertNull(stages.admit(x));
            x.cacheResult(results[n]);
            stages.complete(x, Outcome.PROXIED, now + 1000);
        }
        // The exchange is reused: a later exchange on the connection the cache had no part in records none.
        long now = System.nanoTime();
        x.start(MSB + results.length, LSB, now, System.currentTimeMillis() * 1_000_000L);
        assertNull(stages.admit(x));
        stages.complete(x, Outcome.PROXIED, now + 1000);
        journal.close();

        JournalContents c = JournalContents.read(dir);
        int[] codes = {1, 2, 3, 4, 0, 0};
        for (int n = 0; n < codes.length; n++) {
            assertEquals(codes[n], c.find(TransactionIds.toText(MSB + n, LSB)).flyweight().cacheResult(),
                    "exchange " + n);
        }
        assertEquals(-1, c.firstBrokenLink, "the flags are covered by the chain like every other byte");
    }

    @Test
    void shouldGiveAnAdmittedExchangeARecordOfItsOwnEvenWhenAskedToSummarizeIt() {
        Journal journal = start();
        ExchangeStages stages = new ExchangeStages(List.of(journal.stage()));
        Exchange x = new Exchange(null);
        long now = System.nanoTime();
        x.start(MSB, LSB, now, System.currentTimeMillis() * 1_000_000L);
        assertNull(stages.admit(x));
        x.summarize(SummaryReason.AUTHENTICATION_FLOOD);
        stages.complete(x, Outcome.PROXIED, now + 1000);
        journal.close();

        JournalContents c = JournalContents.read(dir);
        assertEquals(1, c.transactions.size());
        assertTrue(c.summaries.isEmpty());
    }
}
