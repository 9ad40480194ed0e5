package io.gozargah.engine.http2;

import io.gozargah.codec.http1.BodyFraming;
import io.gozargah.codec.http1.HttpMethod;
import io.gozargah.codec.http1.KnownHeaders;
import io.gozargah.codec.http1.RequestTargetBytes;
import io.gozargah.engine.auth.ApiKeyAuthenticator;
import io.gozargah.engine.config.LimitsConfig;
import io.gozargah.engine.exchange.Exchange;
import io.gozargah.engine.exchange.FieldSyntax;
import io.gozargah.engine.exchange.Outcome;
import io.gozargah.engine.exchange.RequestFields;
import io.gozargah.engine.exchange.RequestHeadView;
import io.gozargah.engine.route.Consumer;
import io.gozargah.engine.route.RoutingSnapshot;
import io.gozargah.engine.server.ServerContext;
import io.gozargah.engine.subject.HeaderLookup;
import io.gozargah.engine.trace.TraceParent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * An HTTP/2 request's HEADERS as the exchange driver reads them, and the checks HTTP/2 makes of them before the
 * driver sees them. The downgrade to HTTP/1.1 is where HTTP/2 request smuggling lives: Netty's codec has already
 * refused connection-specific fields and a TE other than "trailers" (RFC 9113 §8.2.2); here a request without its
 * pseudo-header fields is malformed (§8.3.1), any value with CR, LF or NUL or edge whitespace is refused (§8.2.1),
 * and the {@code :path} is held to what an HTTP/1.1 request-target may be, so neither front end lets through what
 * the other refuses.
 */
final class Http2RequestView implements RequestHeadView, HeaderLookup {
    private static final HttpMethod[] METHODS = HttpMethod.values();
    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");
    private static final AsciiString X_API_KEY = AsciiString.cached("x-api-key");
    private static final AsciiString TRACEPARENT = KnownHeaders.NAME_TRACEPARENT;
    /** What an HTTP/1.1 request line adds to its method and target: two spaces and "HTTP/1.1" (RFC 9112 §3). */
    private static final int REQUEST_LINE_OVERHEAD = 2 + "HTTP/1.1".length();

    /** The API key the head carried, and how many it carried: read while the head is checked. */
    private CharSequence key;
    private int keys;
    /** The first {@code traceparent} the head carried, and how many it carried: read while the head is checked. */
    private CharSequence traceParent;
    private int traceParents;
    /** The content-length, or -1 when the head declared none. */
    private long declaredLength = -1;
    /** The :path as a buffer, made when the router first asks for it. */
    private ByteBuf target;
    /** Why {@link #check} refused the head, and whether the refusal is a malformed request (§8.1.1). */
    private Outcome refusal;
    private String detail;
    private boolean malformed;
    private Http2Headers headers;
    private boolean endStream;
    private final Http2FieldsView fields = new Http2FieldsView(null);
    private HttpMethod method;

    /** A view for {@link #wrap} to point at heads, one after another (a stream object keeps one). */
    Http2RequestView() {
    }

    Http2RequestView(Http2Headers headers, boolean endStream) {
        wrap(headers, endStream);
    }

    /** Views {@code headers}: nothing read or refused of an earlier head is left. */
    Http2RequestView wrap(Http2Headers headers, boolean endStream) {
        this.headers = headers;
        this.endStream = endStream;
        fields.wrap(headers);
        method = methodOf(headers.method());
        key = null;
        keys = 0;
        traceParent = null;
        traceParents = 0;
        declaredLength = -1;
        target = null;
        refusal = null;
        detail = null;
        malformed = false;
        return this;
    }

    /** Checks the head; false when it is refused ({@link #refusal}, {@link #detail}, {@link #malformed}). */
    boolean check(ServerContext server) {
        return checkPseudoHeaders(server) && checkFields(server);
    }

    /**
     * A request without :method, or (other than CONNECT, §8.5) without :scheme or with an absent or empty :path, is
     * malformed (RFC 9113 §8.3.1). Checked before the key is, so a malformed request is never answered 401. Then
     * the :path must be what an HTTP/1.1 request-target may be, within the request-line limit (414 first, as the
     * HTTP/1.1 parser looks at it first).
     */
    private boolean checkPseudoHeaders(ServerContext server) {
        CharSequence path = headers.path();
        if (headers.method() == null || (method != HttpMethod.CONNECT
                && (headers.scheme() == null || path == null || path.length() == 0))) {
            malformed = true;
            return refuse(Outcome.BAD_REQUEST, "a request needs :method, :scheme and a non-empty :path (RFC 9113 §8.3.1)");
        }
        if (path == null || path.length() == 0) {
            return refuse(Outcome.BAD_REQUEST, "CONNECT is not served");
        }
        int maxLine = server.requestLimits().maxStartLineBytes();
        if (headers.method().length() + path.length() + REQUEST_LINE_OVERHEAD > maxLine) {
            return refuse(Outcome.URI_TOO_LONG, "the request line would be longer than " + maxLine + " bytes");
        }
        if (!RequestTargetBytes.valid(path)) {
            return refuse(Outcome.BAD_REQUEST, "the :path holds a byte a request-target may not (RFC 9112 §3.2, RFC 3986 §2)");
        }
        return true;
    }

    /** Each field's bytes, the API key, the content-length and the {@code traceparent}. */
    private boolean checkFields(ServerContext server) {
        boolean refuseUnderscores = server.underscoreFields() == LimitsConfig.UnderscoreFields.REFUSE;
        for (Map.Entry<CharSequence, CharSequence> field : headers) {
            CharSequence name = field.getKey();
            CharSequence value = field.getValue();
            boolean pseudo = name.length() > 0 && name.charAt(0) == ':';
            if (!FieldSyntax.validValue(value) || (!pseudo && !FieldSyntax.validName(name))) {
                return refuse(Outcome.BAD_REQUEST, "a header field has a character HTTP/2 forbids in it (RFC 9113 §8.2.1)");
            }
            if (refuseUnderscores && RequestFields.hasUnderscore(name)) {
                return refuse(Outcome.BAD_REQUEST, "header field names with '_' are refused: servers that read '_'"
                        + " as '-' would take them for other fields");
            }
            if (X_API_KEY.contentEquals(name)) {
                key = value;
                keys++;
            } else if (CONTENT_LENGTH.contentEquals(name)) {
                long length = parseLength(value);
                if (length < 0 || (declaredLength >= 0 && declaredLength != length)) {
                    return refuse(Outcome.BAD_REQUEST, "content-length must be one non-negative integer");
                }
                declaredLength = length;
            } else if (TRACEPARENT.contentEquals(name)) {
                if (traceParents++ == 0) {
                    traceParent = value;
                }
            }
        }
        return true;
    }

    private boolean refuse(Outcome outcome, String why) {
        refusal = outcome;
        detail = why;
        return false;
    }

    Outcome refusal() {
        return refusal;
    }

    String detail() {
        return detail;
    }

    /** The refusal is of a malformed request, a stream error PROTOCOL_ERROR even when the request has ended. */
    boolean malformed() {
        return malformed;
    }

    /** Drops the buffer over the :path once the driver has read the head. */
    void release() {
        if (target != null) {
            target.release();
            target = null;
        }
        key = null;
        traceParent = null;
        headers = null;
        fields.wrap(null);
    }

    @Override
    public HttpMethod method() {
        return method;
    }

    @Override
    public void writeMethod(ByteBuf out) {
        out.writeCharSequence(headers.method(), StandardCharsets.US_ASCII);
        out.writeByte(' ');
    }

    @Override
    public CharSequence methodText() {
        return headers.method();
    }

    /** The :path as a buffer the router reads without copying when HPACK gave an AsciiString. */
    @Override
    public ByteBuf target() {
        if (target == null) {
            CharSequence path = headers.path();
            if (path instanceof AsciiString) {
                AsciiString a = (AsciiString) path;
                target = Unpooled.wrappedBuffer(a.array(), a.arrayOffset(), a.length());
            } else {
                target = Unpooled.copiedBuffer(path, StandardCharsets.ISO_8859_1);
            }
        }
        return target;
    }

    @Override
    public int targetStart() {
        return target().readerIndex();
    }

    @Override
    public int targetLength() {
        return target().readableBytes();
    }

    /** A declared length; else chunked upstream when DATA follows the HEADERS, none when they end the stream. */
    @Override
    public BodyFraming framing() {
        if (declaredLength >= 0) {
            return BodyFraming.CONTENT_LENGTH;
        }
        return endStream ? BodyFraming.NONE : BodyFraming.CHUNKED;
    }

    @Override
    public long declaredLength() {
        return Math.max(declaredLength, 0);
    }

    /** The body comes with the HEADERS' stream whatever {@code expect} says: the client's window bounds it. */
    @Override
    public boolean expectContinue() {
        return false;
    }

    @Override
    public Exchange.Protocol protocol() {
        return Exchange.Protocol.HTTP_2;
    }

    @Override
    public Consumer authenticate(ApiKeyAuthenticator authenticator, RoutingSnapshot snapshot) {
        return authenticator.authenticate(snapshot, key == null ? "" : key, keys);
    }

    /** The stream's own decoded fields: names are lower case already (RFC 9113 §8.2.1). */
    @Override
    public HeaderLookup headerLookup() {
        return this;
    }

    @Override
    public CharSequence value(AsciiString lowerCaseName) {
        return headers.get(lowerCaseName);
    }

    /**
     * The first value; for a repeated field, a second call as well, which {@link TraceParent} takes as the set being
     * invalid whatever its value (only the first value is kept while the head is checked).
     */
    @Override
    public void readTraceParent(TraceParent trace) {
        for (int i = 0; i < Math.min(traceParents, 2); i++) {
            trace.accept(traceParent);
        }
    }

    @Override
    public Http2FieldsView fields() {
        return fields;
    }

    @Override
    public int headLength() {
        return headers.path().length() + 32 * headers.size();
    }

    private static HttpMethod methodOf(CharSequence name) {
        if (name == null) {
            return HttpMethod.OTHER;
        }
        for (HttpMethod m : METHODS) {
            if (m != HttpMethod.OTHER && m.ascii().contentEquals(name)) {
                return m;
            }
        }
        return HttpMethod.OTHER;
    }

    private static long parseLength(CharSequence value) {
        int n = value.length();
        if (n == 0 || n > 18) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
