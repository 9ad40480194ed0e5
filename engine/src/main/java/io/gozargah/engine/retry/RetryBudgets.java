package io.gozargah.engine.retry;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's retry budgets by provider name, kept across reloads: in-flight counts belong to the provider, not
 * to a snapshot, so requests still finishing on an old snapshot and new ones on the next share one budget. Looked up
 * only while a snapshot is built, never on the request path.
 */
public final class RetryBudgets {
    private final ConcurrentHashMap<String, RetryBudget> budgets = new ConcurrentHashMap<>();

    /** The budget of {@code provider}, made with the default share on first use. */
    public RetryBudget of(String provider) {
        return budgets.computeIfAbsent(provider,
                p -> new RetryBudget(p, RetryBudget.DEFAULT_RATIO, RetryBudget.DEFAULT_MIN_CONCURRENT));
    }
}
