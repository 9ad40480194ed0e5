package io.gozargah.engine.exchange;

import io.netty.buffer.ByteBuf;

import java.util.List;

/** The configured {@link ExchangeStage}s in order; what a protocol front end calls. */
public final class ExchangeStages {
    private static final ExchangeStages NONE = new ExchangeStages(List.of());

    private final ExchangeStage[] stages;

    public ExchangeStages(List<? extends ExchangeStage> stages) {
        this.stages = stages.toArray(new ExchangeStage[0]);
    }

    public static ExchangeStages none() {
        return NONE;
    }

    /** Null when every stage admits (the exchange is then marked admitted), else the first refusal. */
    public Outcome admit(Exchange x) {
        for (ExchangeStage s : stages) {
            Outcome o = s.admit(x);
            if (o != null) {
                return o;
            }
        }
        x.admitted(true);
        return null;
    }

    public void requestContent(Exchange x, ByteBuf buf, int index, int length) {
        for (ExchangeStage s : stages) {
            s.requestContent(x, buf, index, length);
        }
    }

    public void responseContent(Exchange x, ByteBuf buf, int index, int length) {
        for (ExchangeStage s : stages) {
            s.responseContent(x, buf, index, length);
        }
    }

    public void responseHeaders(Exchange x, HeaderSink sink) {
        for (ExchangeStage s : stages) {
            s.responseHeaders(x, sink);
        }
    }

    /** Ends the exchange with {@code outcome} at {@code endNanos}; every stage sees it, in order. */
    public void complete(Exchange x, Outcome outcome, long endNanos) {
        x.outcome(outcome);
        x.endNanos(endNanos);
        for (ExchangeStage s : stages) {
            s.complete(x);
        }
    }
}
