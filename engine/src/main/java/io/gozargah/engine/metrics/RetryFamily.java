package io.gozargah.engine.metrics;

import io.gozargah.engine.retry.RetryCounters;
import io.gozargah.engine.retry.RetryReason;

/** Upstream retries by reason, and retries refused because their provider's budget was spent. */
public final class RetryFamily implements MetricFamily {
    private static final String RETRIES = "gozargah_upstream_retries_total";
    private static final String EXHAUSTED = "gozargah_upstream_retry_budget_exhausted_total";

    private final RetryCounters counters;

    public RetryFamily(RetryCounters counters) {
        this.counters = counters;
    }

    @Override
    public void write(PrometheusText out) {
        out.family(RETRIES, "counter", "Requests sent upstream again, by reason (stale-connection: a reused"
                + " keep-alive connection turned out closed before any response byte, resent on a fresh one outside"
                + " the retry budget).");
        for (RetryReason r : RetryReason.values()) {
            out.sample(RETRIES, counters.retries(r), "reason", r.label());
        }
        out.family(EXHAUSTED, "counter", "Retries the service's retry settings allowed but the provider's retry"
                + " budget refused.");
        out.sample(EXHAUSTED, counters.budgetExhausted());
    }
}
