package io.gozargah.engine.exchange;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.AsciiString;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExchangeStagesTest {
    private final List<String> calls = new ArrayList<>();

    /** Implements every hook and records each call as {@code name.hook}. */
    private class Everything implements ExchangeStage {
        final String name;
        Outcome refusal;

        Everything(String name) {
            this.name = name;
        }

        @Override
        public Outcome admit(Exchange x) {
            calls.add(name + ".admit");
            return refusal;
        }

        @Override
        public void requestContent(Exchange x, ByteBuf buf, int index, int length) {
            calls.add(name + ".requestContent");
        }

        @Override
        public void responseContent(Exchange x, ByteBuf buf, int index, int length) {
            calls.add(name + ".responseContent");
        }

        @Override
        public void responseHeaders(Exchange x, HeaderSink sink) {
            calls.add(name + ".responseHeaders");
        }

        @Override
        public void complete(Exchange x) {
            calls.add(name + ".complete");
        }
    }

    /** Implements only complete. */
    private class CompleteOnly implements ExchangeStage {
        @Override
        public void complete(Exchange x) {
            calls.add("completeOnly.complete");
        }
    }

    /** Inherits its hooks from a superclass, overriding none itself. */
    private class Inheriting extends Everything {
        Inheriting() {
            super("inheriting");
        }
    }

    private static final HeaderSink NO_SINK = new HeaderSink() {
        @Override
        public void header(AsciiString name, long value) {
        }

        @Override
        public void header(AsciiString name, byte[] value, int offset, int length) {
        }

        @Override
        public void header(AsciiString name, CharSequence value) {
        }
    };

    @Test
    void shouldCallEveryStageThatImplementsAHookInTheConfiguredOrder() {
        ExchangeStages stages = new ExchangeStages(List.of(new Everything("first"), new CompleteOnly(),
                new Inheriting(), new Everything("last")));
        Exchange x = new Exchange(null);
        ByteBuf buf = Unpooled.buffer(1).writeByte('x');

        assertNull(stages.admit(x));
        assertTrue(x.admitted());
        stages.requestContent(x, buf, 0, 1);
        stages.responseHeaders(x, NO_SINK);
        stages.responseContent(x, buf, 0, 1);
        stages.complete(x, Outcome.PROXIED, 42);

        assertEquals(List.of("first.admit", "inheriting.admit", "last.admit",
                "first.requestContent", "inheriting.requestContent", "last.requestContent",
                "first.responseHeaders", "inheriting.responseHeaders", "last.responseHeaders",
                "first.responseContent", "inheriting.responseContent", "last.responseContent",
                "first.complete", "completeOnly.complete", "inheriting.complete", "last.complete"), calls);
        assertSame(Outcome.PROXIED, x.outcome());
        assertEquals(42, x.endNanos());
        buf.release();
    }

    @Test
    void shouldStopAdmittingAtTheFirstRefusalAndStillCompleteEveryStage() {
        Everything refusing = new Everything("refusing");
        refusing.refusal = Outcome.RATE_LIMITED;
        ExchangeStages stages = new ExchangeStages(List.of(new CompleteOnly(), refusing, new Everything("after")));
        Exchange x = new Exchange(null);

        assertSame(Outcome.RATE_LIMITED, stages.admit(x));
        assertFalse(x.admitted());
        stages.complete(x, Outcome.RATE_LIMITED, 7);

        assertEquals(List.of("refusing.admit", "completeOnly.complete", "refusing.complete", "after.complete"),
                calls);
    }

    @Test
    void shouldAdmitWhenNoStageJudges() {
        ExchangeStages stages = new ExchangeStages(List.of(new CompleteOnly()));
        Exchange x = new Exchange(null);

        assertNull(stages.admit(x));
        assertTrue(x.admitted());
        assertEquals(List.of(), calls);
    }
}
