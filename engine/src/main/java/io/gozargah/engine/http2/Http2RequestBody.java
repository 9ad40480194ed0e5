package io.gozargah.engine.http2;

import io.gozargah.engine.exchange.ProxyExchange;
import io.gozargah.engine.exchange.RequestPhase;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;

import java.util.ArrayDeque;

/**
 * One stream's request body on its way to the driver, with flow control as its backpressure: DATA the driver cannot
 * take yet (it waits for its upstream, or the upstream is full) is held, and its bytes go back to the client's
 * windows ({@code consumeBytes}) only once the driver has taken them and is not paused, so a slow provider holds the
 * client to one window. What the driver does not want any more is dropped and given back at once. The end of the
 * request, with its trailers, is delivered after the last held bytes.
 */
final class Http2RequestBody {
    /** The stream whose windows are given back to; null once it closed. */
    private Http2Stream stream;
    private Http2Headers trailers;
    /** The client ended its request (END_STREAM read); {@code endDelivered} once the driver was told. */
    private boolean ended;
    private boolean endDelivered;
    private boolean paused;
    /** Inside a call that delivers to the driver: nested resumes only mark the body as unpaused. */
    private boolean delivering;
    /** Inside the frame listener's call: bytes are given back by its return value, not by consumeBytes. */
    private boolean inFrame;
    /** Bytes taken from the client and not yet given back to its windows. */
    private int unconsumed;
    /** The connection will flush the upstream at the end of the read batch. */
    private boolean upstreamFlushQueued;
    private final Http2Connection connection;
    private final ProxyExchange driver;
    /** Request body bytes the driver has not taken yet. */
    private final ArrayDeque<ByteBuf> held = new ArrayDeque<>(4);
    private final Http2FieldsView trailersView = new Http2FieldsView(null);

    Http2RequestBody(Http2Connection connection, ProxyExchange driver) {
        this.connection = connection;
        this.driver = driver;
    }

    /** Starts on {@code stream}: nothing of an earlier stream's body is left. */
    void open(Http2Stream stream) {
        this.stream = stream;
        trailers = null;
        ended = false;
        endDelivered = false;
        paused = false;
        delivering = false;
        inFrame = false;
        unconsumed = 0;
        upstreamFlushQueued = false;
    }

    /** Whether nothing is held for the driver and no upstream flush is queued on the connection. */
    boolean idle() {
        return held.isEmpty() && !upstreamFlushQueued;
    }

    boolean ended() {
        return ended;
    }

    /** The driver takes the head now ({@code endStream}: it had no body); what it resumes meanwhile waits. */
    void headStarting(boolean endStream) {
        ended = endStream;
        delivering = true;
    }

    void headTaken() {
        delivering = false;
    }

    /** A DATA frame's bytes (valid during the call); returns how many go back to the client's windows now. */
    int onData(ByteBuf data, boolean endStream) {
        int n = data.readableBytes();
        ended |= endStream;
        RequestPhase phase = driver.requestPhase();
        if (phase == RequestPhase.NONE || phase == RequestPhase.DONE) {
            return n;
        }
        unconsumed += n;
        if (n > 0) {
            held.add(data.retainedSlice());
        }
        inFrame = true;
        try {
            deliver();
        } finally {
            inFrame = false;
        }
        return releasable();
    }

    /** The request's trailers (Netty lets only a HEADERS that ends the stream through as trailers, §8.1). */
    void onTrailers(Http2Headers headers) {
        ended = true;
        trailers = headers;
        deliver();
    }

    void pause() {
        paused = true;
    }

    void resume() {
        paused = false;
        deliver();
    }

    /** Hands the driver what it takes now: held body bytes in order, then the end with the trailers. */
    void deliver() {
        if (delivering) {
            return;
        }
        delivering = true;
        try {
            while (driver.active() && deliverOne()) {
                // each turn delivered one thing
            }
        } finally {
            delivering = false;
        }
        RequestPhase phase = driver.requestPhase();
        if (phase == RequestPhase.NONE || phase == RequestPhase.DONE) {
            drop();
        }
        if (!upstreamFlushQueued) {
            upstreamFlushQueued = true;
            connection.readBatch().flushUpstream(this);
        }
        giveBack();
    }

    private boolean deliverOne() {
        if (!held.isEmpty()) {
            if (!driver.wantsRequestContent()) {
                return false;
            }
            ByteBuf content = held.poll();
            driver.onRequestContent(content, content.readableBytes());
            content.release();
            return true;
        }
        RequestPhase phase = driver.requestPhase();
        if (ended && !endDelivered && (phase == RequestPhase.STREAMING || phase == RequestPhase.DISCARDING)) {
            endDelivered = true;
            driver.onRequestEnd(trailersView.wrap(trailers));
            trailersView.wrap(null);
            trailers = null;
            return true;
        }
        return false;
    }

    /** The end of the read batch: what was written upstream goes out. */
    void flushUpstream() {
        upstreamFlushQueued = false;
        driver.flushUpstream();
    }

    /** The bytes that may go back to the client's windows now: none while the driver still holds the window. */
    private int releasable() {
        if (!held.isEmpty() || (paused && driver.requestPhase() == RequestPhase.STREAMING)) {
            return 0;
        }
        int n = unconsumed;
        unconsumed = 0;
        return n;
    }

    /** Returns what may go back to the client's windows, unless the frame listener's return value does. */
    void giveBack() {
        if (!inFrame && stream != null) {
            int n = releasable();
            if (n > 0) {
                connection.consume(stream, n);
                connection.flush();
            }
        }
    }

    /** The stream closed: nothing more is given back, and what is held is dropped. */
    void closed() {
        stream = null;
        drop();
    }

    /** Drops what is held (the driver wants none of it). */
    void drop() {
        ByteBuf content;
        while ((content = held.poll()) != null) {
            content.release();
        }
        trailers = null;
    }
}
