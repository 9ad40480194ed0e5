package io.gozargah.engine.journal;

import io.gozargah.engine.exchange.Outcome;

/**
 * The persisted outcome code of a journaled transaction. Explicit values rather than {@code Outcome.ordinal()}:
 * reordering the enum must not change what old journals mean. Never renumber, only add.
 */
public final class OutcomeCode {
    /** Not known to this version: a newer gateway wrote it. */
    public static final int UNKNOWN = 0;

    private OutcomeCode() {
    }

    public static int of(Outcome outcome) {
        return switch (outcome) {
            case PROXIED -> 1;
            case BAD_REQUEST -> 2;
            case UNAUTHENTICATED -> 3;
            case FORBIDDEN -> 4;
            case UNKNOWN_SERVICE -> 5;
            case METHOD_NOT_ALLOWED -> 6;
            case PAYLOAD_TOO_LARGE -> 7;
            case URI_TOO_LONG -> 8;
            case HEADERS_TOO_LARGE -> 9;
            case RATE_LIMITED -> 10;
            case QUOTA_EXHAUSTED -> 11;
            case NOT_IMPLEMENTED -> 12;
            case UPSTREAM_UNAVAILABLE -> 13;
            case OVERLOADED -> 14;
            case JOURNAL_UNAVAILABLE -> 15;
            case UPSTREAM_TIMEOUT -> 16;
            case VERSION_NOT_SUPPORTED -> 17;
            case CLIENT_ABORTED -> 18;
            case UPSTREAM_ABORTED -> 19;
            case REQUEST_TIMEOUT -> 20;
            case SEND_TIMEOUT -> 21;
            case RESPONSE_TOO_LARGE -> 22;
            case SHUTDOWN_ABORTED -> 23;
        };
    }

    /** The outcome for {@code code}, or null for {@link #UNKNOWN} and codes this version does not know. */
    public static Outcome toOutcome(int code) {
        for (Outcome o : Outcome.values()) {
            if (of(o) == code) {
                return o;
            }
        }
        return null;
    }
}
