package io.gozargah.engine.exchange;

import io.gozargah.engine.route.ServiceRoute;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * A request's header or trailer fields as the front end holds them, whatever its protocol: HTTP/1.1 as ranges of
 * the parsed input ({@code HeaderBlock}), HTTP/2 as the decoded {@code Http2Headers}. Which of them reach a
 * provider is decided once, by {@link RequestFields} on each field's {@code KnownHeaders} id and underscore flag,
 * plus what the front end's own protocol makes hop-by-hop (the fields HTTP/1.1's {@code Connection} names;
 * HTTP/2 has none, RFC 9113 §8.2.2).
 *
 * <p>The forward head is rendered per upstream protocol from this view, never from another protocol's text:
 * {@link #writeForwardedHttp1} for an HTTP/1.1 upstream (HTTP/1.1 front end: bulk copies of the field lines as
 * received; HTTP/2 front end: each name and value, lower case already, with the {@code cookie} crumbs joined,
 * RFC 9113 §8.2.3), {@link #addForwardedHttp2} for an HTTP/2 upstream (HTTP/2 front end: the decoded names and
 * values as they are; HTTP/1.1: names lowered, values copied).
 */
public interface RequestFieldsView {

    /** Whether there is no field at all (trailers mostly are). */
    boolean isEmpty();

    /**
     * Writes, as HTTP/1.1 field lines, every field that goes to {@code service}'s provider
     * ({@link RequestFields#forwarded(int, boolean, ServiceRoute, boolean)}, with the consumer's {@code tracestate}
     * when {@code traceState}, and not hop-by-hop in the front end's protocol).
     */
    void writeForwardedHttp1(ByteBuf out, ServiceRoute service, boolean traceState);

    /** Adds the same fields as {@link #writeForwardedHttp1} to HEADERS for an HTTP/2 provider, names lower case. */
    void addForwardedHttp2(Http2Headers out, ServiceRoute service, boolean traceState);
}
