package io.gozargah.engine.metrics;

import io.gozargah.engine.exchange.Outcome;

/**
 * The outcomes an admission stage refuses with. Told apart from the same codes elsewhere (an upstream pool at
 * its limit also answers overloaded) by {@link io.gozargah.engine.exchange.Exchange#admitted()}: a refusal
 * by admission leaves the exchange unadmitted.
 */
final class AdmissionKinds {
    private AdmissionKinds() {
    }

    static boolean isAdmissionRefusal(Outcome o) {
        return o == Outcome.RATE_LIMITED || o == Outcome.QUOTA_EXHAUSTED || o == Outcome.OVERLOADED
                || o == Outcome.JOURNAL_UNAVAILABLE;
    }
}
