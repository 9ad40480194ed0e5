package io.gozargah.engine.exchange;

import io.gozargah.codec.http1.KnownHeaders;
import io.gozargah.engine.route.ServiceRoute;

/**
 * Which of a consumer's request fields (header or trailer) reach a provider, whatever protocol the consumer
 * spoke. What a provider learns about who called, from where and how the message is framed is decided by the
 * gateway alone (DESIGN.md, wire contract), so these never pass:
 * <ul>
 *   <li>the gateway's own fields and what it writes itself: {@code X-Gozargah-*}, {@code X-Forwarded-For},
 *       {@code X-Forwarded-Proto}, {@code Host}, and the framing ({@code Content-Length},
 *       {@code Transfer-Encoding}): the upstream head carries the gateway's own;</li>
 *   <li>credentials and what concerns only the hop to the gateway: {@code X-Api-Key},
 *       {@code Proxy-Authorization}, {@code Expect}, and the hop-by-hop fields (RFC 9110 §7.6.1);</li>
 *   <li>names holding '_', which many servers fold into '-' ({@code X_Gozargah_Consumer} would read as
 *       {@code X-Gozargah-Consumer}, {@code X_Forwarded_For} would be joined to ours);</li>
 *   <li>fields that claim another origin, host or method ({@code Forwarded}, {@code X-Real-IP},
 *       {@code True-Client-IP}, {@code X-Forwarded-Host}, the method overrides), unless the service lists the
 *       field in {@code passFields};</li>
 *   <li>the consumer's {@code traceparent}: the gateway sends its own, with itself as the parent
 *       ({@code TraceParent}); and the consumer's {@code tracestate} unless its {@code traceparent} was valid,
 *       since a {@code tracestate} belongs to the trace it came with (W3C Trace Context §3.3).</li>
 * </ul>
 * A front end also drops what its own protocol makes hop-by-hop (the fields HTTP/1.1's {@code Connection}
 * names); HTTP/2 has none (RFC 9113 §8.2.2).
 */
public final class RequestFields {

    private RequestFields() {
    }

    /**
     * Whether a request field with the {@link KnownHeaders} id {@code id}, whose name holds '_' when
     * {@code underscoreInName}, goes to {@code service}'s provider; {@code traceState} is whether the consumer's
     * {@code tracestate} goes with it (its {@code traceparent} was valid; never for trailers).
     */
    public static boolean forwarded(int id, boolean underscoreInName, ServiceRoute service, boolean traceState) {
        if (underscoreInName) {
            return false;
        }
        switch (id) {
            case KnownHeaders.OTHER:
                return true;
            case KnownHeaders.HOST:
            case KnownHeaders.CONTENT_LENGTH:
            case KnownHeaders.TRANSFER_ENCODING:
            case KnownHeaders.CONNECTION:
            case KnownHeaders.KEEP_ALIVE:
            case KnownHeaders.PROXY_CONNECTION:
            case KnownHeaders.TE:
            case KnownHeaders.UPGRADE:
            case KnownHeaders.EXPECT:
            case KnownHeaders.PROXY_AUTHORIZATION:
            case KnownHeaders.X_API_KEY:
            case KnownHeaders.X_GOZARGAH:
            case KnownHeaders.X_FORWARDED_FOR:
            case KnownHeaders.X_FORWARDED_PROTO:
            case KnownHeaders.TRACEPARENT:
                return false;
            case KnownHeaders.TRACESTATE:
                return traceState;
            default:
                return !KnownHeaders.isClientClaim(id) || service.passes(id);
        }
    }

    /** {@link #forwarded(int, boolean, ServiceRoute, boolean)} for an HTTP/2 field name (lower case, §8.2). */
    public static boolean forwarded(CharSequence lowerCaseName, ServiceRoute service, boolean traceState) {
        return forwarded(KnownHeaders.idOfLowerCase(lowerCaseName), hasUnderscore(lowerCaseName), service,
                traceState);
    }

    /** Whether {@code name} holds '_'. */
    public static boolean hasUnderscore(CharSequence name) {
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) == '_') {
                return true;
            }
        }
        return false;
    }
}
