package io.gozargah.engine.exchange;

import io.gozargah.codec.http1.BodyFraming;
import io.gozargah.codec.http1.HttpMethod;
import io.gozargah.engine.auth.ApiKeyAuthenticator;
import io.gozargah.engine.route.Consumer;
import io.gozargah.engine.route.RoutingSnapshot;
import io.gozargah.engine.subject.HeaderLookup;
import io.gozargah.engine.trace.TraceParent;
import io.netty.buffer.ByteBuf;

/**
 * What the exchange driver needs of a request head, whatever protocol brought it. One instance per connection
 * (HTTP/1.1, wrapping the parser's head: nothing is allocated per request) or per stream (HTTP/2, wrapping the
 * decoded HEADERS). Valid during {@link ProxyExchange#onRequestHead} only: the driver renders what it forwards
 * before it returns.
 */
public interface RequestHeadView {

    HttpMethod method();

    /** Writes the method token as the client sent it (extension methods included) and one space. */
    void writeMethod(ByteBuf out);

    /** The method token as the client sent it (extension methods included), for an HTTP/2 {@code :method}. */
    CharSequence methodText();

    /**
     * The request-target's bytes, for routing and for the rest of the path and the query that go upstream:
     * HTTP/1.1's request-target, HTTP/2's {@code :path}.
     */
    ByteBuf target();

    int targetStart();

    int targetLength();

    /**
     * How the body is delimited: {@code CONTENT_LENGTH} with {@link #declaredLength()}, {@code CHUNKED} for a body
     * of unknown length (HTTP/1.1 chunked; an HTTP/2 stream with a body and no content-length), {@code NONE} for
     * no body (HTTP/2: END_STREAM on the HEADERS).
     */
    BodyFraming framing();

    /** The declared body length when {@link #framing()} is {@code CONTENT_LENGTH}. */
    long declaredLength();

    /** Whether the client waits for {@code 100 Continue} before it sends the body (RFC 9110 §10.1.1). */
    boolean expectContinue();

    /** The protocol the client spoke, for the journal. */
    Exchange.Protocol protocol();

    /**
     * Identifies the consumer by the request's {@code X-Api-Key}: its value and how many there were go to
     * {@code keys} (HTTP/1.1 from the field ranges, HTTP/2 from the decoded value), which also remembers why it
     * failed.
     */
    Consumer authenticate(ApiKeyAuthenticator keys, RoutingSnapshot snapshot);

    /**
     * The header fields by name, for a service's subject rule ({@code subject: {from: header}}): the path and the
     * query are read from {@link #target()}. Allocates nothing per lookup.
     */
    HeaderLookup headerLookup();

    /** Gives {@code trace} each {@code traceparent} field of the head, in order ({@link TraceParent#accept}). */
    void readTraceParent(TraceParent trace);

    /** The header fields, for forwarding. */
    RequestFieldsView fields();

    /** Bytes the head took on the wire (or a close estimate): a size hint for the forward head. */
    int headLength();
}
