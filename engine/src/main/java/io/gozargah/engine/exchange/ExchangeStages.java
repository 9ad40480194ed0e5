package io.gozargah.engine.exchange;

import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.List;

/**
 * The configured {@link ExchangeStage}s in order; what a protocol front end calls.
 *
 * <p>Each hook has its own array of the stages that implement it (in the configured order): a stage that keeps an
 * interface method's default, which does nothing, is not called there. So the front end makes one call per stage
 * that has something to do, and a hook that one or two stage classes implement stays a call site the JIT can
 * inline instead of an interface dispatch over every stage (with the journal, admission and metrics on, only
 * admission adds response fields and only the journal reads the content).
 */
public final class ExchangeStages {
    private static final ExchangeStages NONE = new ExchangeStages(List.of());

    private final ExchangeStage[] admitting;
    private final ExchangeStage[] requestContent;
    private final ExchangeStage[] responseContent;
    private final ExchangeStage[] responseHeaders;
    private final ExchangeStage[] completing;

    public ExchangeStages(List<? extends ExchangeStage> stages) {
        this.admitting = implementing(stages, "admit", Exchange.class);
        this.requestContent = implementing(stages, "requestContent", Exchange.class, ByteBuf.class, int.class,
                int.class);
        this.responseContent = implementing(stages, "responseContent", Exchange.class, ByteBuf.class, int.class,
                int.class);
        this.responseHeaders = implementing(stages, "responseHeaders", Exchange.class, HeaderSink.class);
        this.completing = implementing(stages, "complete", Exchange.class);
    }

    public static ExchangeStages none() {
        return NONE;
    }

    /** The stages, in order, whose class (or a superclass) implements the hook rather than keep its default. */
    private static ExchangeStage[] implementing(List<? extends ExchangeStage> stages, String hook,
                                                Class<?>... parameters) {
        List<ExchangeStage> out = new ArrayList<>();
        for (ExchangeStage s : stages) {
            Class<?> declaring;
            try {
                declaring = s.getClass().getMethod(hook, parameters).getDeclaringClass();
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("ExchangeStage has no method " + hook, e);
            }
            if (declaring != ExchangeStage.class) {
                out.add(s);
            }
        }
        return out.toArray(new ExchangeStage[0]);
    }

    /** Null when every stage admits (the exchange is then marked admitted), else the first refusal. */
    public Outcome admit(Exchange x) {
        for (ExchangeStage s : admitting) {
            Outcome o = s.admit(x);
            if (o != null) {
                return o;
            }
        }
        x.admitted(true);
        return null;
    }

    public void requestContent(Exchange x, ByteBuf buf, int index, int length) {
        for (ExchangeStage s : requestContent) {
            s.requestContent(x, buf, index, length);
        }
    }

    public void responseContent(Exchange x, ByteBuf buf, int index, int length) {
        for (ExchangeStage s : responseContent) {
            s.responseContent(x, buf, index, length);
        }
    }

    public void responseHeaders(Exchange x, HeaderSink sink) {
        for (ExchangeStage s : responseHeaders) {
            s.responseHeaders(x, sink);
        }
    }

    /** Ends the exchange with {@code outcome} at {@code endNanos}; every stage sees it, in order. */
    public void complete(Exchange x, Outcome outcome, long endNanos) {
        x.outcome(outcome);
        x.endNanos(endNanos);
        for (ExchangeStage s : completing) {
            s.complete(x);
        }
    }
}
