package io.gozargah.engine.exchange;

/**
 * Where the response side of an exchange is, as {@link ProxyExchange} drives it; every move goes through
 * {@link #to}, which refuses one the lifecycle does not have. The stages see an exchange complete exactly once:
 * on the move to {@link #ENDED} or {@link #ABORTED}.
 *
 * <pre>
 *   NONE ─► STREAMING ─► ENDED ─► NONE
 *     │         └──────► ABORTED ─► NONE
 *     ├───────────────► ENDED            (a gateway answer, written whole at once)
 *     └───────────────► ABORTED          (nothing answered: the client went away, a deadline passed)
 * </pre>
 */
public enum ResponsePhase {
    /** Nothing of a response has gone to the client yet. */
    NONE,
    /** The provider's head went to the client; its content follows. */
    STREAMING,
    /** The answer (the provider's or the gateway's) is written whole and the stages completed the exchange. */
    ENDED,
    /** The exchange was cut short (client gone, deadline, upstream failure mid-response) and completed so. */
    ABORTED;

    /** {@code next}, when this phase may move to it; else an {@link IllegalStateException} naming both. */
    public ResponsePhase to(ResponsePhase next) {
        if (!allows(next)) {
            throw new IllegalStateException("the response of an exchange cannot move from " + this + " to " + next);
        }
        return next;
    }

    /** Whether the stages have seen the exchange complete. */
    public boolean completed() {
        return this == ENDED || this == ABORTED;
    }

    private boolean allows(ResponsePhase next) {
        switch (this) {
            case NONE:
                return next == STREAMING || next == ENDED || next == ABORTED;
            case STREAMING:
                return next == ENDED || next == ABORTED;
            case ENDED:
            case ABORTED:
                return next == NONE;
            default:
                return false;
        }
    }
}
