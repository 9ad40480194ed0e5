package io.gozargah.engine.admin;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How long an admin connection may wait on its client, and how many were closed for it.
 *
 * @param idleNanos for a request's first byte, and to take the whole answer
 * @param headNanos from a request's first byte until it has arrived in full
 */
record AdminTimeouts(long idleNanos, long headNanos, AtomicLong idleClosed, AtomicLong headClosed) {
    AdminTimeouts(long idleNanos, long headNanos) {
        this(idleNanos, headNanos, new AtomicLong(), new AtomicLong());
    }
}
