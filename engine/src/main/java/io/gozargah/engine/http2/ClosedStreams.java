package io.gozargah.engine.http2;

import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;

/**
 * How the client's most recent streams ended, so that a frame arriving on a stream Netty has already forgotten gets
 * the answer RFC 9113 gives for that stream's state. Netty answers every DATA or HEADERS on a stream it no longer
 * holds with a stream error STREAM_CLOSED, choosing "the lesser of the two errors" since it cannot tell the cases
 * apart; this record can:
 * <ul>
 *   <li>a stream that ended normally (END_STREAM both ways): connection error STREAM_CLOSED (§5.1 "closed", §6.1);</li>
 *   <li>an identifier below the highest one the client used that it never opened: connection error PROTOCOL_ERROR
 *   (§5.1.1: identifiers must increase);</li>
 *   <li>a stream the gateway reset: the frame is ignored (§5.1: frames in flight when RST_STREAM was sent);</li>
 *   <li>a stream the client reset: stream error STREAM_CLOSED, as Netty does (§5.1).</li>
 * </ul>
 * Only the last {@link #SPAN} client identifiers are kept (a byte each); a frame on an older stream is left to
 * Netty's answer.
 */
final class ClosedStreams {
    /** How a stream ended, as far as this record knows. */
    enum End {
        /** Older than the record, or above the highest identifier opened: Netty's answer stands. */
        UNKNOWN,
        /** Below the highest identifier the client opened, and never opened itself. */
        NEVER_OPENED,
        /** Still open (Netty holds it). */
        OPEN,
        /** END_STREAM was sent and received. */
        ENDED,
        /** The gateway sent RST_STREAM. */
        RESET_SENT,
        /** The client sent RST_STREAM. */
        RESET_RECEIVED
    }

    /** Client stream identifiers remembered (odd ones only, so twice as many identifier values). */
    static final int SPAN = 256;
    private static final End[] ENDS = End.values();

    private final byte[] ends = new byte[SPAN];
    /** The highest identifier the client opened; -1 before the first, so that 1 is the first skipped. */
    private int highest = -1;

    /** The client opened {@code streamId}; identifiers it skipped are recorded as never opened. */
    void opened(int streamId) {
        if (streamId > highest) {
            int skipped = Math.min(SPAN, (streamId - highest) / 2 - 1);
            for (int i = 1; i <= skipped; i++) {
                ends[slot(streamId - 2 * i)] = (byte) End.NEVER_OPENED.ordinal();
            }
            highest = streamId;
        }
        set(streamId, End.OPEN);
    }

    /** The client reset {@code streamId} (before Netty closes it). */
    void resetReceived(int streamId) {
        set(streamId, End.RESET_RECEIVED);
    }

    /** {@code streamId} closed; {@code resetSent} if the gateway reset it. */
    void closed(int streamId, boolean resetSent) {
        if (resetSent) {
            set(streamId, End.RESET_SENT);
        } else if (endOf(streamId) != End.RESET_RECEIVED) {
            set(streamId, End.ENDED);
        }
    }

    /**
     * The connection error a DATA or HEADERS on {@code streamId}, a stream Netty no longer holds, calls for, or null
     * when the stream error Netty chose stands or the frame is ignored ({@link #ignoresFrameOn}).
     */
    Http2Exception connectionErrorOnFrame(int streamId) {
        End end = endOf(streamId);
        if (end == End.ENDED) {
            return Http2Exception.connectionError(Http2Error.STREAM_CLOSED, "a frame on stream %d, which is closed",
                    streamId);
        }
        if (end == End.NEVER_OPENED) {
            return Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR,
                    "a frame on stream %d, which is below one already opened", streamId);
        }
        return null;
    }

    /** Whether a frame on {@code streamId} is ignored: the gateway reset the stream, the frame was in flight. */
    boolean ignoresFrameOn(int streamId) {
        return endOf(streamId) == End.RESET_SENT;
    }

    End endOf(int streamId) {
        if (streamId > highest || highest - streamId >= 2 * SPAN || (streamId & 1) == 0) {
            return End.UNKNOWN;
        }
        return ENDS[ends[slot(streamId)]];
    }

    private void set(int streamId, End end) {
        if (streamId <= highest && highest - streamId < 2 * SPAN) {
            ends[slot(streamId)] = (byte) end.ordinal();
        }
    }

    private static int slot(int streamId) {
        return (streamId >>> 1) & (SPAN - 1);
    }
}
