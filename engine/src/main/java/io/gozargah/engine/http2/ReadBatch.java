package io.gozargah.engine.http2;

import java.util.ArrayDeque;

/**
 * What waits for the end of the connection's read batch. Streams admitted while it is read go upstream at its end,
 * not as their HEADERS are read: a RST_STREAM or a stream error in the same batch (Rapid Reset and MadeYouReset send
 * both in one packet) ends the stream before it has taken, written to or cost an upstream connection. Request bytes
 * written upstream during the batch are flushed once at its end, and so are the frames written to the client.
 * Outside a batch, each is done at once.
 */
final class ReadBatch {
    private final Http2Connection connection;
    /** Streams admitted in the current batch, to go upstream at its end. */
    private final ArrayDeque<Http2ClientStream> ready = new ArrayDeque<>();
    /** Request bodies written upstream in the current batch, to flush at its end. */
    private final ArrayDeque<Http2RequestBody> upstreamWriters = new ArrayDeque<>();
    /** Between the batch's first frame and its end. */
    private boolean reading;
    /** Between the batch's end and the end of its queued dispatches and flushes. */
    private boolean settling;

    ReadBatch(Http2Connection connection) {
        this.connection = connection;
    }

    void start() {
        reading = true;
    }

    boolean reading() {
        return reading;
    }

    /** Whether the batch or its queues run: they may still name a stream object. */
    boolean underWay() {
        return reading || settling;
    }

    /**
     * Has {@code exchange} go upstream once the batch is over: {@link Http2ClientStream#dispatch} is called then,
     * with false if the connection failed meanwhile.
     */
    void dispatch(Http2ClientStream exchange) {
        if (reading) {
            ready.add(exchange);
        } else {
            exchange.dispatch(connection.serving());
        }
    }

    /** Has {@code body}'s upstream flushed once the batch is over. */
    void flushUpstream(Http2RequestBody body) {
        if (reading) {
            upstreamWriters.add(body);
        } else {
            body.flushUpstream();
        }
    }

    /** The batch is over: its streams that are still wanted go upstream, then what was written upstream is flushed. */
    void end() {
        reading = false;
        settling = true;
        Http2ClientStream exchange;
        while ((exchange = ready.poll()) != null) {
            exchange.dispatch(connection.serving());
        }
        Http2RequestBody body;
        while ((body = upstreamWriters.poll()) != null) {
            body.flushUpstream();
        }
        settling = false;
    }
}
