package io.gozargah.engine.exchange;

import io.netty.buffer.ByteBuf;

/**
 * One concern of every transaction that is the same whatever protocol the consumer spoke: admission
 * (limits, quotas, journal availability), observation (metrics) and recording (the journal). Protocol front
 * ends (HTTP/1.1, HTTP/2) call the stages through {@link ExchangeStages} at fixed points; the stages never
 * see protocol objects.
 *
 * <p>All calls for one exchange come from its event loop, in this order: {@link #admit} (only for a request
 * that was routed, authenticated and granted), then any number of {@link #requestContent} and
 * {@link #responseContent}, {@link #responseHeaders} (for a provider's response head, or the gateway's own
 * answer), and exactly one {@link #complete} for every exchange that was started, whatever happened to it
 * (refused, proxied, timed out, cut short by either side). Nothing here may block or take a lock.
 */
public interface ExchangeStage {
    /**
     * Decides whether the exchange may go upstream. Returns null to admit, or the outcome to refuse with
     * (the stage may then set {@link Exchange#retryAfterSeconds}). A stage that takes something here (a
     * permit, a token) gives it back in {@link #complete}, which is called whether or not a later stage
     * refused.
     */
    default Outcome admit(Exchange x) {
        return null;
    }

    /** Request body bytes {@code buf[index, index + length)} as they pass upstream; do not move indexes. */
    default void requestContent(Exchange x, ByteBuf buf, int index, int length) {
    }

    /** Response body bytes as they pass to the consumer; do not move indexes. */
    default void responseContent(Exchange x, ByteBuf buf, int index, int length) {
    }

    /** Adds header fields to the response head about to be sent ({@link Exchange#status()} is set). */
    default void responseHeaders(Exchange x, HeaderSink sink) {
    }

    /**
     * The exchange is over ({@link Exchange#outcome()} and {@link Exchange#endNanos()} are set). Called before
     * the last byte of the response is flushed, so a record written here precedes the consumer's answer.
     */
    default void complete(Exchange x) {
    }
}
