package io.gozargah.engine.admission;

import io.gozargah.engine.exchange.Exchange;
import io.gozargah.engine.exchange.ExchangeStage;
import io.gozargah.engine.exchange.HeaderSink;
import io.gozargah.engine.exchange.Outcome;
import io.netty.util.AsciiString;

/**
 * The first exchange stage: judges each granted request against its grant's rates, quotas and in-flight
 * caps ({@link Admission#admit}), adds the RateLimit fields to every response of a judged grant that has a
 * rate or quota, and releases in-flight permits when the exchange completes.
 *
 * <p>Time is the exchange's own: its start on the monotonic clock for the rate limiters, its start on the
 * wall clock for billing periods. Both are read once per exchange by the front end.
 */
public final class AdmissionStage implements ExchangeStage {
    static final AsciiString RATELIMIT_POLICY = AsciiString.cached("RateLimit-Policy");
    static final AsciiString RATELIMIT = AsciiString.cached("RateLimit");
    private static final long NANOS_PER_MILLI = 1_000_000;

    private final Admission admission;

    public AdmissionStage(Admission admission) {
        this.admission = admission;
    }

    @Override
    public Outcome admit(Exchange x) {
        AdmissionPlan plan = x.snapshot().admission();
        if (plan == null) {
            return null;
        }
        GrantPolicy g = plan.grant(x.consumer().id(), x.service().id());
        if (g == null) {
            return null;
        }
        AdmissionTicket t = x.admissionTicket();
        if (t == null) {
            t = new AdmissionTicket();
            x.admissionTicket(t);
        }
        Outcome refused = admission.admit(g, t, x.startNanos(), Math.floorDiv(x.startEpochNanos(), NANOS_PER_MILLI));
        if (refused != null) {
            x.retryAfterSeconds(t.retryAfterSeconds);
            x.refusalDetail(t.detail);
        }
        return refused;
    }

    @Override
    public void responseHeaders(Exchange x, HeaderSink sink) {
        AdmissionTicket t = x.admissionTicket();
        if (t == null || t.policy == null || t.policy.policyField == null) {
            return;
        }
        byte[] policy = t.policy.policyField;
        sink.header(RATELIMIT_POLICY, policy, 0, policy.length);
        int n = admission.renderRateLimit(t);
        sink.header(RATELIMIT, AdmissionTicket.field(), 0, n);
    }

    @Override
    public void complete(Exchange x) {
        AdmissionTicket t = x.admissionTicket();
        if (t != null && t.policy != null) {
            admission.release(t);
            t.clear();
        }
        if (x.outcome() == Outcome.JOURNAL_UNAVAILABLE && !x.admitted()) {
            countJournalRefusal(x);
        }
    }

    /** A refusal by the journal, which comes before admission: counted in the grant's record all the same. */
    private void countJournalRefusal(Exchange x) {
        AdmissionPlan plan = x.snapshot() == null ? null : x.snapshot().admission();
        if (plan == null || x.consumer() == null || x.service() == null) {
            return;
        }
        GrantPolicy g = plan.grant(x.consumer().id(), x.service().id());
        if (g != null) {
            admission.countJournalRefusal(g);
        }
    }
}
