package io.gozargah.engine.metrics;

import io.gozargah.engine.exchange.Exchange;
import io.gozargah.engine.exchange.ExchangeStage;
import io.gozargah.engine.exchange.Outcome;
import io.gozargah.engine.route.Consumer;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Counts and times every exchange when it completes: requests by series, status class and outcome, body bytes,
 * total and upstream latency, admission refusals by kind. The state is per event loop (reached through a
 * {@link FastThreadLocal}, an array index on Netty's threads), so nothing here locks; after a series' first
 * exchange on a loop nothing allocates.
 *
 * <p>Total latency runs from the complete request head to the exchange's end; upstream latency from the request
 * head handed to the provider's connection to the end of its response, recorded only when the provider answered.
 */
public final class MetricsStage implements ExchangeStage {
    private final MetricsRegistry registry;
    private final FastThreadLocal<LoopSeries> perLoop = new FastThreadLocal<>() {
        @Override
        protected LoopSeries initialValue() {
            return new LoopSeries(registry);
        }
    };

    MetricsStage(MetricsRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void complete(Exchange x) {
        LoopSeries loop = perLoop.get();
        Consumer consumer = x.consumer();
        int serviceSlot = loop.serviceSlot(x.snapshot(), x.service());
        int consumerSlot = loop.consumerSlot(x.snapshot(), consumer);
        SeriesCell cell = loop.cell(serviceSlot, consumerSlot);
        Outcome outcome = x.outcome();
        cell.add(outcome.ordinal() * SeriesCell.STATUS_CLASSES + OutcomeLabels.statusClass(x.status()), 1);
        if (x.requestBodyBytes() != 0) {
            cell.add(SeriesCell.REQUEST_BYTES, x.requestBodyBytes());
        }
        if (x.responseBodyBytes() != 0) {
            cell.add(SeriesCell.RESPONSE_BYTES, x.responseBodyBytes());
        }
        cell.recordTotal(micros(x.endNanos() - x.startNanos()));
        if (x.responseHeadNanos() != 0 && x.upstreamStartNanos() != 0) {
            cell.recordUpstream(micros(x.endNanos() - x.upstreamStartNanos()));
        }
        // Admission only ever refuses an identified consumer: a 429 without one is the failed-authentication
        // throttle's, counted by gozargah_auth_failures_throttled_total instead.
        if (!x.admitted() && consumer != null && AdmissionKinds.isAdmissionRefusal(outcome)) {
            cell.add(SeriesCell.REJECTIONS + outcome.ordinal(), 1);
        }
    }

    private static long micros(long nanos) {
        return nanos <= 0 ? 0 : nanos / 1000;
    }
}
