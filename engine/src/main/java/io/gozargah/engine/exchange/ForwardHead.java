package io.gozargah.engine.exchange;

import io.gozargah.codec.http1.BodyFraming;
import io.gozargah.codec.http1.Http1Writer;
import io.gozargah.codec.http1.HttpMethod;
import io.gozargah.codec.http1.KnownHeaders;
import io.gozargah.engine.route.Consumer;
import io.gozargah.engine.route.RouteMatch;
import io.gozargah.engine.route.ServiceRoute;
import io.gozargah.engine.trace.TraceParent;
import io.gozargah.engine.upstream.UpstreamEndpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

/**
 * The head of the request the gateway sends a provider, from protocol-neutral parts: the method, the path as
 * the endpoint's prefix, the service's path, the rest of the client's path and its query (ranges of the
 * request-target), the client's fields that {@link RequestFields} lets through, the gateway's own fields
 * (consumer, transaction, {@code X-Forwarded-For} and {@code -Proto}, the gateway's {@code traceparent}) and the
 * gateway's own framing.
 *
 * <p>Rendered once per upstream protocol, from the same parts, in the same order. {@link #http1}: HTTP/1.1 bytes
 * with bulk copies (the gateway's lines are rendered once per endpoint, consumer, connection and exchange, and
 * copied whole). {@link #http2}: {@code Http2Headers} straight for an HTTP/2 provider (RFC 9113 §8.3.1):
 * {@code :method}, {@code :scheme} of the endpoint, {@code :authority} for {@code Host}, {@code :path} from the
 * same ranges, the fields through the view (no connection-specific field can be among them, §8.2.2: the view
 * drops every hop-by-hop field and {@code TE}), the gateway's fields under constant lower-case names, and no
 * framing field but {@code content-length}: END_STREAM and DATA frames delimit the body.
 */
public final class ForwardHead {
    private static final AsciiString CHUNKED = AsciiString.cached("chunked");
    private static final AsciiString HTTPS = AsciiString.cached("https");
    private static final AsciiString HTTP = AsciiString.cached("http");
    private static final AsciiString CONSUMER = lower(KnownHeaders.NAME_X_GOZARGAH_CONSUMER);
    private static final AsciiString TRANSACTION = lower(KnownHeaders.NAME_X_GOZARGAH_TRANSACTION);
    private static final AsciiString FORWARDED_FOR = lower(KnownHeaders.NAME_X_FORWARDED_FOR);
    private static final AsciiString FORWARDED_PROTO = lower(KnownHeaders.NAME_X_FORWARDED_PROTO);
    private static final AsciiString CONTENT_LENGTH = lower(KnownHeaders.NAME_CONTENT_LENGTH);
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

    /**
     * The HTTP/2 HEADERS for {@code head} routed to {@code service} at {@code endpoint}.
     *
     * @param transaction {@code X-Gozargah-Transaction: <id>CRLF} of the exchange: the id is at {@code txOffset}
     * @param forwarding  the connection's {@code X-Forwarded-For} and {@code X-Forwarded-Proto} values
     * @param trace       the exchange's trace: its {@code traceparent} goes with the head, and the consumer's
     *                    {@code tracestate} when the trace is the consumer's
     */
    public static Http2Headers http2(RequestHeadView head, RouteMatch match, ServiceRoute service,
                                     UpstreamEndpoint endpoint, Consumer consumer, byte[] transaction, int txOffset,
                                     ClientForwarding forwarding, TraceParent trace) {
        Http2Headers out = new DefaultHttp2Headers(true, 16);
        out.method(head.methodText());
        out.scheme(endpoint.tls() ? HTTPS : HTTP);
        out.authority(endpoint.http2Authority());
        out.path(path(head.target(), match, service, endpoint));
        head.fields().addForwardedHttp2(out, service, trace.fromConsumer());
        out.add(CONSUMER, consumer.headerValue());
        out.add(TRANSACTION, copy(transaction, txOffset, TransactionIds.TEXT_LENGTH));
        out.add(FORWARDED_FOR, forwarding.forwardedFor());
        out.add(FORWARDED_PROTO, forwarding.forwardedProto());
        out.add(TraceParent.NAME, copy(trace.value(), trace.valueOffset(), TraceParent.VALUE_LENGTH));
        BodyFraming framing = head.framing();
        if (framing == BodyFraming.CONTENT_LENGTH) {
            out.addLong(CONTENT_LENGTH, head.declaredLength());
        } else if (framing == BodyFraming.NONE && (head.method() == HttpMethod.POST || head.method() == HttpMethod.PUT
                || head.method() == HttpMethod.PATCH)) {
            out.addInt(CONTENT_LENGTH, 0); // as on HTTP/1.1 (RFC 9110 §8.6), though END_STREAM says it too
        }
        return out;
    }

    /**
     * The HTTP/1.1 head {@code head}, rendered for {@code from}, as it reads for {@code to} (a retry on another
     * endpoint of the provider, when the request head itself is long gone): the path prefix after the method and
     * the request line's end with its {@code Host} field are the endpoint's, everything else stays byte for byte.
     * {@code head} is left as it is; the result is a new buffer.
     */
    public static ByteBuf retarget(ByteBufAllocator alloc, ByteBuf head, UpstreamEndpoint from, UpstreamEndpoint to) {
        int start = head.readerIndex();
        int end = head.writerIndex();
        int methodEnd = head.indexOf(start, end, (byte) ' ') + 1;
        int pathStart = methodEnd + from.pathPrefix().length;
        // The request-target holds no space (RFC 9112 §3.2), so the next space starts " HTTP/1.1\r\nHost: ...\r\n".
        int lineEnd = head.indexOf(pathStart, end, (byte) ' ');
        int rest = lineEnd + from.requestLineEnd().length;
        ByteBuf out = alloc.ioBuffer(end - start - from.pathPrefix().length - from.requestLineEnd().length
                + to.pathPrefix().length + to.requestLineEnd().length);
        out.writeBytes(head, start, methodEnd - start);
        out.writeBytes(to.pathPrefix());
        out.writeBytes(head, pathStart, lineEnd - pathStart);
        out.writeBytes(to.requestLineEnd());
        out.writeBytes(head, rest, end - rest);
        return out;
    }

    /** The HTTP/2 counterpart of {@link #retarget(ByteBufAllocator, ByteBuf, UpstreamEndpoint, UpstreamEndpoint)}. */
    public static Http2Headers retarget(Http2Headers headers, UpstreamEndpoint from, UpstreamEndpoint to) {
        Http2Headers out = new DefaultHttp2Headers(true, headers.size());
        out.add(headers);
        out.scheme(to.tls() ? HTTPS : HTTP);
        out.authority(to.http2Authority());
        CharSequence path = headers.path();
        byte[] prefix = to.pathPrefix();
        byte[] rest = path.subSequence(from.pathPrefix().length, path.length()).toString()
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] joined = new byte[prefix.length + rest.length];
        System.arraycopy(prefix, 0, joined, 0, prefix.length);
        System.arraycopy(rest, 0, joined, prefix.length, rest.length);
        out.path(new AsciiString(joined, false));
        return out;
    }

    /** The endpoint's prefix, the service's path, the rest of the client's path and its query, as one value. */
    private static AsciiString path(ByteBuf target, RouteMatch match, ServiceRoute service, UpstreamEndpoint endpoint) {
        byte[] prefix = endpoint.pathPrefix();
        byte[] servicePath = service.upstreamPath();
        boolean slash = servicePath.length == 0 && match.restLength() == 0; // a service mapped to "/"
        byte[] path = new byte[prefix.length + servicePath.length + (slash ? 1 : 0) + match.restLength()
                + match.queryLength()];
        System.arraycopy(prefix, 0, path, 0, prefix.length);
        int at = prefix.length;
        System.arraycopy(servicePath, 0, path, at, servicePath.length);
        at += servicePath.length;
        if (slash) {
            path[at++] = '/';
        }
        target.getBytes(match.restStart(), path, at, match.restLength());
        at += match.restLength();
        target.getBytes(match.queryStart(), path, at, match.queryLength());
        return new AsciiString(path, false);
    }

    /** A value HPACK may keep in its table past this request: a copy of the reused array's bytes. */
    private static AsciiString copy(byte[] bytes, int offset, int length) {
        return new AsciiString(bytes, offset, length, true);
    }

    private static AsciiString lower(AsciiString name) {
        return AsciiString.cached(name.toLowerCase().toString());
    }
}
