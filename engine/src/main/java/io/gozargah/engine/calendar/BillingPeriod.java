package io.gozargah.engine.calendar;

/**
 * The billing day and month that contain one instant, with their bounds in epoch milliseconds
 * ({@code start} inclusive, {@code end} exclusive). Immutable, so one instance can be shared by every
 * thread until the clock leaves its day.
 *
 * @param dayIndex   the day's number in the calendar's zone: days since 1970-01-01 there (the same in
 *                   both calendars, since they share days)
 * @param monthIndex {@code year × 12 + month − 1} in the calendar's own years and months
 */
public record BillingPeriod(long dayIndex, long dayStartMillis, long dayEndMillis,
                            int monthIndex, long monthStartMillis, long monthEndMillis) {

    /** Whether {@code epochMillis} falls within this period's day. */
    public boolean containsDay(long epochMillis) {
        return epochMillis >= dayStartMillis && epochMillis < dayEndMillis;
    }
}
