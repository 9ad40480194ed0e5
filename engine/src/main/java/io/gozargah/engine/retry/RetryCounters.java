package io.gozargah.engine.retry;

import java.util.concurrent.atomic.LongAdder;

/**
 * The gateway's retry counts, for {@code gozargah_upstream_retries_total{reason}} and
 * {@code gozargah_upstream_retry_budget_exhausted_total}: added to by every loop (striped adders, no lock), read at
 * scrape time. They live with the gateway, not the routing snapshot, so a reload does not reset them.
 */
public final class RetryCounters {
    private final LongAdder[] retries = new LongAdder[RetryReason.values().length];
    private final LongAdder exhausted = new LongAdder();

    public RetryCounters() {
        for (int i = 0; i < retries.length; i++) {
            retries[i] = new LongAdder();
        }
    }

    public void retried(RetryReason reason) {
        retries[reason.ordinal()].increment();
    }

    /** A retry the failure and the method allowed was refused for want of budget. */
    public void countBudgetExhausted() {
        exhausted.increment();
    }

    public long retries(RetryReason reason) {
        return retries[reason.ordinal()].sum();
    }

    public long budgetExhausted() {
        return exhausted.sum();
    }
}
