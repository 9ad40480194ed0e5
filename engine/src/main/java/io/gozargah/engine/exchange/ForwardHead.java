package io.gozargah.engine.exchange;

import io.gozargah.codec.http1.BodyFraming;
import io.gozargah.codec.http1.Http1Writer;
import io.gozargah.codec.http1.HttpMethod;
import io.gozargah.codec.http1.KnownHeaders;
import io.gozargah.engine.route.RouteMatch;
import io.gozargah.engine.route.ServiceRoute;
import io.gozargah.engine.trace.TraceParent;
import io.gozargah.engine.upstream.UpstreamEndpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.AsciiString;

/**
 * The head of the request the gateway sends a provider, from protocol-neutral parts: the method, the path as
 * the endpoint's prefix, the service's path, the rest of the client's path and its query (ranges of the
 * request-target), the client's fields that {@link RequestFields} lets through, the gateway's own fields
 * (consumer, transaction, {@code X-Forwarded-For} and {@code -Proto}, the gateway's {@code traceparent}) and the
 * gateway's own framing.
 *
 * <p>Rendered here as HTTP/1.1 bytes with bulk copies (the gateway's lines are rendered once per endpoint,
 * consumer, connection and exchange, and copied whole). An HTTP/2 upstream renders the same parts into
 * {@code Http2Headers}: {@code :method}, {@code :path} from the same ranges, the fields through the view, the
 * gateway's fields as constant names with their values, and no framing field but {@code content-length}.
 */
public final class ForwardHead {
    private static final AsciiString CHUNKED = AsciiString.cached("chunked");
    /** Room for the gateway's own lines and the framing beyond the client's head. */
    private static final int OWN_LINES_BYTES = 256;

    private ForwardHead() {
    }

    /**
     * The HTTP/1.1 head for {@code head} routed to {@code service} at {@code endpoint}.
     *
     * @param transactionLine {@code X-Gozargah-Transaction: <id>CRLF} of the exchange
     * @param forwardedLines  the connection's {@code X-Forwarded-For} and {@code X-Forwarded-Proto} lines
     * @param trace           the exchange's trace: its {@code traceparent} line goes with the head, and the
     *                        consumer's {@code tracestate} when the trace is the consumer's
     */
    public static ByteBuf http1(ByteBufAllocator alloc, RequestHeadView head, RouteMatch match, ServiceRoute service,
                                UpstreamEndpoint endpoint, byte[] consumerLine, byte[] transactionLine,
                                byte[] forwardedLines, TraceParent trace) {
        ByteBuf out = alloc.ioBuffer(head.headLength() + OWN_LINES_BYTES);
        head.writeMethod(out);
        out.writeBytes(endpoint.pathPrefix());
        out.writeBytes(service.upstreamPath());
        if (service.upstreamPath().length == 0 && match.restLength() == 0) {
            out.writeByte('/'); // a service mapped to "/" with nothing after it
        }
        ByteBuf target = head.target();
        out.writeBytes(target, match.restStart(), match.restLength());
        out.writeBytes(target, match.queryStart(), match.queryLength());
        out.writeBytes(endpoint.requestLineEnd());
        head.fields().writeForwardedHttp1(out, service, trace.fromConsumer());
        out.writeBytes(consumerLine);
        out.writeBytes(transactionLine);
        out.writeBytes(forwardedLines);
        out.writeBytes(trace.line());
        // The framing is the gateway's own, never a copy of the client's field: whatever the client's
        // Connection header named, the provider finds the body's end exactly where the gateway does.
        BodyFraming framing = head.framing();
        if (framing == BodyFraming.CHUNKED) {
            Http1Writer.writeHeader(out, KnownHeaders.NAME_TRANSFER_ENCODING, CHUNKED);
        } else if (framing == BodyFraming.CONTENT_LENGTH) {
            Http1Writer.writeHeader(out, KnownHeaders.NAME_CONTENT_LENGTH, head.declaredLength());
        } else if (head.method() == HttpMethod.POST || head.method() == HttpMethod.PUT
                || head.method() == HttpMethod.PATCH) {
            // RFC 9110 §8.6: a request whose method gives content a meaning says when it has none.
            Http1Writer.writeHeader(out, KnownHeaders.NAME_CONTENT_LENGTH, 0);
        }
        Http1Writer.writeCrlf(out);
        return out;
    }
}
