package io.gozargah.engine.http2;

import java.util.ArrayDeque;

/**
 * A connection's stream objects whose stream closed and whose exchange is over, for its next streams: a stream then
 * costs Netty's objects and not ours (the adapter, its driver, the exchange, deadlines and trace context). An object
 * is taken only while {@link Http2ClientStream#reusable} says nothing can call into it any more.
 */
final class FreeStreams {
    /**
     * How many objects a connection keeps (fewer if it allows fewer concurrent streams): enough for a client that
     * keeps a handful of streams going, without every idle connection holding a full maxConcurrentStreams of them.
     * Beyond, a closed stream's object is left to the garbage collector.
     */
    private static final int MAX_FREE_STREAMS = 8;

    private final ArrayDeque<Http2ClientStream> free = new ArrayDeque<>();
    /** Closed while a read batch or its queues ran: offered once they no longer hold them. */
    private final ArrayDeque<Http2ClientStream> closing = new ArrayDeque<>();
    private final int max;

    FreeStreams(int maxConcurrentStreams) {
        this.max = Math.min(MAX_FREE_STREAMS, maxConcurrentStreams);
    }

    /** A free object that may serve a new stream, or null. */
    Http2ClientStream take() {
        Http2ClientStream exchange = free.pollFirst();
        return exchange != null && exchange.reusable() ? exchange : null;
    }

    /**
     * {@code exchange}'s stream closed: it is offered at once, or, while {@code batchUnderWay} (the read batch's
     * queues may still name it), by {@link #batchOver}.
     */
    void closed(Http2ClientStream exchange, boolean batchUnderWay) {
        if (batchUnderWay) {
            closing.add(exchange);
        } else {
            offer(exchange);
        }
    }

    void batchOver() {
        Http2ClientStream exchange;
        while ((exchange = closing.poll()) != null) {
            offer(exchange);
        }
    }

    private void offer(Http2ClientStream exchange) {
        if (free.size() < max && exchange.reusable()) {
            free.addFirst(exchange);
        }
    }
}
