package io.gozargah.engine.http2;

import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClosedStreamsTest {
    private final ClosedStreams streams = new ClosedStreams();

    @Test
    void shouldTellHowEachRecentStreamEnded() {
        streams.opened(1);
        streams.opened(3);
        streams.opened(5);
        streams.opened(7);
        streams.closed(1, false);
        streams.closed(3, true);
        streams.resetReceived(5);
        streams.closed(5, false);

        assertEquals(ClosedStreams.End.ENDED, streams.endOf(1));
        assertEquals(ClosedStreams.End.RESET_SENT, streams.endOf(3));
        assertEquals(ClosedStreams.End.RESET_RECEIVED, streams.endOf(5));
        assertEquals(ClosedStreams.End.OPEN, streams.endOf(7));
    }

    @Test
    void shouldCallAnIdentifierTheClientSkippedNeverOpened() {
        streams.opened(5);
        streams.opened(11);

        assertEquals(ClosedStreams.End.NEVER_OPENED, streams.endOf(1));
        assertEquals(ClosedStreams.End.NEVER_OPENED, streams.endOf(3));
        assertEquals(ClosedStreams.End.NEVER_OPENED, streams.endOf(7));
        assertEquals(ClosedStreams.End.NEVER_OPENED, streams.endOf(9));
        assertEquals(ClosedStreams.End.OPEN, streams.endOf(11));
    }

    @Test
    void shouldLeaveWhatItCannotKnowToNetty() {
        streams.opened(1);
        streams.closed(1, false);
        assertEquals(ClosedStreams.End.UNKNOWN, streams.endOf(3), "above the highest opened");
        assertEquals(ClosedStreams.End.UNKNOWN, streams.endOf(2), "a server identifier");

        int far = 1 + 2 * (ClosedStreams.SPAN + 10);
        streams.opened(far);
        assertEquals(ClosedStreams.End.UNKNOWN, streams.endOf(1), "older than the record");
        assertEquals(ClosedStreams.End.NEVER_OPENED, streams.endOf(far - 2));
    }

    @Test
    void shouldForgetASlotsOldStreamWhenTheWindowMovesPastIt() {
        streams.opened(1);
        streams.closed(1, true);
        int sameSlot = 1 + 2 * ClosedStreams.SPAN;
        streams.opened(sameSlot - 2);
        streams.closed(sameSlot - 2, false);
        streams.opened(sameSlot);
        assertEquals(ClosedStreams.End.OPEN, streams.endOf(sameSlot));
        assertEquals(ClosedStreams.End.ENDED, streams.endOf(sameSlot - 2));
        assertEquals(ClosedStreams.End.UNKNOWN, streams.endOf(1));
    }

    @Test
    void shouldAnswerAFrameOnEachKindOfForgottenStreamAsRfc9113Says() {
        streams.opened(1);
        streams.opened(5);
        streams.opened(7);
        streams.opened(9);
        streams.closed(1, false);
        streams.closed(5, true);
        streams.resetReceived(7);
        streams.closed(7, false);

        Http2Exception closed = streams.connectionErrorOnFrame(1);
        assertEquals(Http2Error.STREAM_CLOSED, closed.error(), "§5.1: closed after END_STREAM both ways");
        assertEquals(Http2Error.PROTOCOL_ERROR, streams.connectionErrorOnFrame(3).error(),
                "§5.1.1: an identifier below one already opened");
        assertTrue(streams.ignoresFrameOn(5), "§5.1: frames in flight after the gateway's RST_STREAM");
        assertNull(streams.connectionErrorOnFrame(5));
        assertNull(streams.connectionErrorOnFrame(7), "reset by the client: Netty's stream error STREAM_CLOSED");
        assertFalse(streams.ignoresFrameOn(7));
        assertNull(streams.connectionErrorOnFrame(11), "above the highest opened: Netty's answer");
        assertFalse(streams.ignoresFrameOn(1));
    }
}
