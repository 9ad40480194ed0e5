package io.gozargah.engine.exchange;

import io.gozargah.codec.http1.HeaderBlock;
import io.gozargah.codec.http1.KnownHeaders;

/**
 * Which of a provider's response fields (header or trailer) reach the consumer, whatever protocol either side
 * speaks. Not passed: the hop-by-hop fields (RFC 9110 §7.6.1, and those the provider's {@code Connection} names),
 * anything in the gateway's own {@code X-Gozargah-*} namespace, {@code Proxy-Authenticate} (it concerns the hop
 * to the provider), and the provider's {@code traceparent} and {@code tracestate}: the consumer's trace goes on
 * through the gateway's span, whose {@code traceparent} the gateway adds itself.
 */
public final class ResponseFields {

    private ResponseFields() {
    }

    /** Whether field {@code i} of a provider's response head or trailers goes to the consumer. */
    public static boolean passed(HeaderBlock fields, int i) {
        if (fields.hopByHop(i)) {
            return false;
        }
        switch (fields.id(i)) {
            case KnownHeaders.X_GOZARGAH:
            case KnownHeaders.PROXY_AUTHENTICATE:
            case KnownHeaders.TRACEPARENT:
            case KnownHeaders.TRACESTATE:
                return false;
            default:
                return true;
        }
    }
}
