package io.gozargah.engine.journal;

import io.gozargah.engine.config.JournalConfig;
import io.gozargah.engine.exchange.Exchange;
import io.gozargah.engine.exchange.ExchangeStages;
import io.gozargah.engine.exchange.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The journal's life: one writer per directory, and a clean close drains the ring. */
class JournalTest {
    @TempDir
    Path dir;

    private JournalConfig config() {
        return new JournalConfig(true, dir, "LARGE_DAILY", 64 * 1024, 0, null);
    }

    @Test
    void shouldDrainEverythingInTheRingOnClose() {
        Journal journal = Journal.start(config(), 1);
        ExchangeStages stages = new ExchangeStages(List.of(journal.stage()));
        Exchange x = new Exchange(null);
        journal.suspendWriter(); // everything below waits in the ring
        for (long n = 1; n <= 50; n++) {
            long now = System.nanoTime();
            x.start(0x0190_0000_7000_0000L, n, now, System.currentTimeMillis() * 1_000_000L);
            stages.complete(x, Outcome.UNAUTHENTICATED, now + 1000);
        }
        assertEquals(50, journal.counters().writerLagRecords());
        journal.close();

        JournalContents c = JournalContents.read(dir);
        assertEquals(50, c.transactions.size());
        assertEquals(OutcomeCode.of(Outcome.UNAUTHENTICATED), c.transactions.get(49).flyweight().outcomeCode());
        assertEquals(1000, c.transactions.get(0).flyweight().totalDurationNanos());
    }

    @Test
    void shouldRefuseASecondWriterOnTheSameDirectory() {
        Journal first = Journal.start(config(), 1);
        try {
            JournalStartException e = assertThrows(JournalStartException.class, () -> Journal.start(config(), 1));
            assertTrue(e.getMessage().contains("in use by another gateway"), e.getMessage());
        } finally {
            first.close();
        }
        Journal.start(config(), 1).close(); // free again once closed
    }
}
