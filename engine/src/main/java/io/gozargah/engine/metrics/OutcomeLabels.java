package io.gozargah.engine.metrics;

import io.gozargah.engine.exchange.Outcome;

/** Label values derived from outcomes and statuses, computed once. */
final class OutcomeLabels {
    static final Outcome[] ALL = Outcome.values();
    static final int OUTCOMES = ALL.length;
    private static final String[] STATUS_CLASS = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};

    private OutcomeLabels() {
    }

    /** 0 for no status (nothing was answered), else the first digit (1 to 5). */
    static int statusClass(int status) {
        return status >= 100 && status <= 599 ? status / 100 : 0;
    }

    static String statusClassLabel(int statusClass) {
        return STATUS_CLASS[statusClass];
    }
}
