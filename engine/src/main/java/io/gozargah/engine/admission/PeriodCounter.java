package io.gozargah.engine.admission;

import org.agrona.concurrent.AtomicBuffer;

/**
 * A count that belongs to one period (a billing day or month), packed with the period's index into one
 * {@code long} so that counting and starting a new period are the same compare-and-set: no sweep at
 * midnight, no lock, no separate reset flag that could disagree with the count.
 *
 * <pre>
 *  63            40 39                                   0
 * +----------------+--------------------------------------+
 * |  period index  |  count (admitted in that period)      |
 * +----------------+--------------------------------------+
 * </pre>
 *
 * Period indexes are local epoch days or {@code year × 12 + month − 1}: both below 2<sup>23</sup> for
 * tens of thousands of years. Counts go up to 2<sup>40</sup> − 1 (about 10<sup>12</sup>), far above any
 * configured quota.
 *
 * <p>A word whose period is <em>later</em> than the caller's (a clock a moment behind another thread's,
 * around midnight) is counted in its own period rather than reset backwards, so the period never flaps.
 */
public final class PeriodCounter {

    static final int COUNT_BITS = 40;
    static final long COUNT_MASK = (1L << COUNT_BITS) - 1;
    /** Returned by {@link #tryCount} when the limit is reached. */
    public static final long REFUSED = -1;

    private PeriodCounter() {
    }

    /** The count in {@code word} as of {@code period}: 0 when the word is of an earlier period. */
    public static long countIn(long word, long period) {
        return period(word) >= period ? word & COUNT_MASK : 0;
    }

    /**
     * Requests counted between two reads of one word: the difference of the counts, or the later count alone
     * when a new period began between the reads (what was counted at the end of the old one is not known).
     */
    public static long countedBetween(long earlierWord, long laterWord) {
        return period(laterWord) == period(earlierWord) ? (laterWord & COUNT_MASK) - (earlierWord & COUNT_MASK)
                : laterWord & COUNT_MASK;
    }

    static long period(long word) {
        return word >>> COUNT_BITS;
    }

    static long word(long period, long count) {
        return period << COUNT_BITS | count;
    }

    /**
     * Counts one request in {@code period} at {@code offset}, unless {@code limit} (0: none) requests are
     * already counted there.
     *
     * @return the count including this request, or {@link #REFUSED}
     */
    public static long tryCount(AtomicBuffer buffer, int offset, long period, long limit) {
        long word = buffer.getLongVolatile(offset);
        while (true) {
            long stored = period(word);
            long count = stored >= period ? word & COUNT_MASK : 0;
            if (limit > 0 && count >= limit) {
                return REFUSED;
            }
            long next = word(Math.max(stored, period), count + 1);
            long witness = buffer.compareAndExchangeLong(offset, word, next);
            if (witness == word) {
                return count + 1;
            }
            word = witness;
        }
    }

    /**
     * Takes back one request counted by {@link #tryCount} in {@code period}, when a later check refused it. If
     * the word has moved on to a later period meanwhile, that request belongs to a period that is over, and
     * nothing is taken from the new one.
     */
    public static void uncount(AtomicBuffer buffer, int offset, long period) {
        long word = buffer.getLongVolatile(offset);
        while (period(word) == period && (word & COUNT_MASK) > 0) {
            long witness = buffer.compareAndExchangeLong(offset, word, word - 1);
            if (witness == word) {
                return;
            }
            word = witness;
        }
    }
}
