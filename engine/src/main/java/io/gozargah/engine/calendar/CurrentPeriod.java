package io.gozargah.engine.calendar;

/**
 * The billing period of "now" for many threads, recomputed only when the clock leaves the cached day: a
 * hot path reads one volatile field and compares two longs, and allocates once a day.
 *
 * <p>Lock-free and racy on purpose: threads that cross midnight together may each compute the new
 * period; they compute the same immutable value, and whichever write lands last is as good as any. A
 * clock that steps back out of the cached day recomputes too, so the answer is always the period of
 * the instant asked about.
 */
public final class CurrentPeriod {

    private final BillingCalendar calendar;
    private volatile BillingPeriod cached;

    public CurrentPeriod(BillingCalendar calendar) {
        this.calendar = calendar;
    }

    /** The period containing {@code epochMillis}. */
    public BillingPeriod at(long epochMillis) {
        BillingPeriod period = cached;
        if (period == null || !period.containsDay(epochMillis)) {
            period = calendar.periodAt(epochMillis);
            cached = period;
        }
        return period;
    }

    public BillingCalendar calendar() {
        return calendar;
    }
}
