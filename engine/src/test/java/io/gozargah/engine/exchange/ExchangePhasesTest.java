package io.gozargah.engine.exchange;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The request and response phases of an exchange: the lifecycle's moves are allowed, any other throws. */
class ExchangePhasesTest {

    @Test
    void shouldWalkAProxiedRequestThroughItsPhases() {
        RequestPhase p = RequestPhase.NONE;
        p = p.to(RequestPhase.HEAD).to(RequestPhase.WAITING).to(RequestPhase.STREAMING).to(RequestPhase.SENT)
                .to(RequestPhase.DONE).to(RequestPhase.NONE);
        assertEquals(RequestPhase.NONE, p);
    }

    @Test
    void shouldAllowOneResendOfASentRequestAndDiscardingAfterARefusal() {
        assertEquals(RequestPhase.SENT, RequestPhase.SENT.to(RequestPhase.RESENDING).to(RequestPhase.SENT));
        assertEquals(RequestPhase.SENT, RequestPhase.STREAMING.to(RequestPhase.RESENDING).to(RequestPhase.STREAMING)
                .to(RequestPhase.SENT), "a request still streaming when its attempt failed is resent and goes on");
        assertEquals(RequestPhase.DONE, RequestPhase.RESENDING.to(RequestPhase.DISCARDING).to(RequestPhase.DONE),
                "answered while waiting to resend: the rest of its body is dropped");
        assertEquals(RequestPhase.DONE, RequestPhase.HEAD.to(RequestPhase.DISCARDING).to(RequestPhase.DONE));
        assertEquals(RequestPhase.DONE, RequestPhase.STREAMING.to(RequestPhase.DONE));
    }

    @Test
    void shouldRefuseARequestMoveTheLifecycleDoesNotHave() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> RequestPhase.NONE.to(RequestPhase.STREAMING));
        assertTrue(e.getMessage().contains("NONE") && e.getMessage().contains("STREAMING"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> RequestPhase.HEAD.to(RequestPhase.HEAD),
                "a second head while an exchange is in flight");
        assertThrows(IllegalStateException.class, () -> RequestPhase.SENT.to(RequestPhase.STREAMING));
        assertThrows(IllegalStateException.class, () -> RequestPhase.DISCARDING.to(RequestPhase.NONE),
                "an exchange ends through DONE");
        assertThrows(IllegalStateException.class, () -> RequestPhase.WAITING.to(RequestPhase.RESENDING),
                "a request that never went out is not sent again: it waits for its connection");
        assertThrows(IllegalStateException.class, () -> RequestPhase.DISCARDING.to(RequestPhase.RESENDING),
                "an answered request is never sent again");
        assertThrows(IllegalStateException.class, () -> RequestPhase.DONE.to(RequestPhase.DISCARDING));
    }

    @Test
    void shouldCompleteAResponseOnceAndRefuseAnyOtherMove() {
        assertTrue(ResponsePhase.NONE.to(ResponsePhase.STREAMING).to(ResponsePhase.ENDED).completed());
        assertTrue(ResponsePhase.NONE.to(ResponsePhase.ABORTED).completed());
        assertFalse(ResponsePhase.STREAMING.completed());
        assertThrows(IllegalStateException.class, () -> ResponsePhase.ENDED.to(ResponsePhase.ABORTED),
                "the stages see an exchange complete once");
        assertThrows(IllegalStateException.class, () -> ResponsePhase.ENDED.to(ResponsePhase.STREAMING));
        assertThrows(IllegalStateException.class, () -> ResponsePhase.STREAMING.to(ResponsePhase.NONE));
        assertThrows(IllegalStateException.class, () -> ResponsePhase.NONE.to(ResponsePhase.NONE));
    }
}
