package io.gozargah.engine.exchange;

/**
 * Where the request side of an exchange is, as {@link ProxyExchange} drives it. Every move goes through
 * {@link #to}, which refuses a move the lifecycle does not have, so that a bug fails loudly instead of leaving
 * an exchange half in two phases.
 *
 * <pre>
 *   NONE ─► HEAD ─► WAITING ─► STREAMING ─► SENT ─► DONE ─► NONE
 *             │        │           │  ▲    │  ▲      ▲
 *             │        │           ▼  │    ▼  │      │
 *             │        │         RESENDING ◄──┘──────┤   (a resend or retry of a replayable request)
 *             │        │           │                 │
 *             └────────┴───────────┴──► DISCARDING ──┘
 *   and HEAD, WAITING, STREAMING ─► DONE when the rest of the request is declined
 * </pre>
 */
public enum RequestPhase {
    /** No exchange: the front end waits for the next request head. */
    NONE,
    /** A head arrived and the exchange started: it is being routed, authorized and admitted. */
    HEAD,
    /** Admitted; waiting for an upstream connection (the front end does not read the body meanwhile). */
    WAITING,
    /** Forwarding the request body to the upstream connection. */
    STREAMING,
    /** The request is upstream whole; waiting for the response to end. */
    SENT,
    /**
     * An attempt failed before any response byte and the request goes again: waiting out the retry's backoff, or for
     * the connection to send it on (a fresh one after a reused one turned out closed). Nothing of the body is read
     * meanwhile; what had come is kept and sent again first.
     */
    RESENDING,
    /** The gateway answered while the request was still coming: its rest is read and dropped. */
    DISCARDING,
    /** Nothing more of the request is read or sent for this exchange: it is over once the response is. */
    DONE;

    /** {@code next}, when this phase may move to it; else an {@link IllegalStateException} naming both. */
    public RequestPhase to(RequestPhase next) {
        if (!allows(next)) {
            throw new IllegalStateException("the request of an exchange cannot move from " + this + " to " + next);
        }
        return next;
    }

    private boolean allows(RequestPhase next) {
        switch (this) {
            case NONE:
                return next == HEAD;
            case HEAD:
                return next == WAITING || next == DISCARDING || next == DONE;
            case WAITING:
                return next == STREAMING || next == DISCARDING || next == DONE;
            case STREAMING:
                return next == SENT || next == RESENDING || next == DISCARDING || next == DONE;
            case SENT:
                return next == RESENDING || next == DONE;
            case RESENDING:
                return next == SENT || next == STREAMING || next == DISCARDING || next == DONE;
            case DISCARDING:
                return next == DONE;
            case DONE:
                return next == NONE;
            default:
                return false;
        }
    }
}
