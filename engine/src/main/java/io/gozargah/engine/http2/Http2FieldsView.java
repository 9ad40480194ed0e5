package io.gozargah.engine.http2;

import io.gozargah.codec.http1.Http1Writer;
import io.gozargah.engine.exchange.RequestFields;
import io.gozargah.engine.exchange.RequestFieldsView;
import io.gozargah.engine.route.ServiceRoute;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * An HTTP/2 request's header or trailer fields as the driver forwards them: the decoded names (lower case already,
 * RFC 9113 §8.2) and values, minus pseudo-header fields and what {@link RequestFields} keeps from providers. HTTP/2
 * has no hop-by-hop fields of its own to drop (§8.2.2: Netty refused them).
 */
final class Http2FieldsView implements RequestFieldsView {
    private static final AsciiString COOKIE = AsciiString.cached("cookie");

    private final Http2Headers headers;

    Http2FieldsView(Http2Headers headers) {
        this.headers = headers;
    }

    @Override
    public boolean isEmpty() {
        return headers == null || headers.isEmpty();
    }

    /**
     * Each forwarded field as an HTTP/1.1 line; the {@code cookie} crumbs HTTP/2 may split a cookie into are joined
     * into one field with "; " (RFC 9113 §8.2.3). A field that could not be an HTTP/1.1 line (trailers are not
     * checked as the head is) is left out.
     */
    @Override
    public void writeForwardedHttp1(ByteBuf out, ServiceRoute service, boolean traceState) {
        if (headers == null) {
            return;
        }
        boolean cookies = false;
        for (Map.Entry<CharSequence, CharSequence> field : headers) {
            CharSequence name = field.getKey();
            if (name.length() == 0 || name.charAt(0) == ':' || !RequestFields.forwarded(name, service, traceState)
                    || !validName(name) || !validValue(field.getValue())) {
                continue;
            }
            if (COOKIE.contentEquals(name)) {
                cookies = true;
                continue;
            }
            writeLine(out, name, field.getValue());
        }
        if (cookies) {
            out.writeCharSequence("cookie: ", StandardCharsets.US_ASCII);
            boolean first = true;
            for (CharSequence value : headers.getAll(COOKIE)) {
                if (!first) {
                    out.writeByte(';').writeByte(' ');
                }
                out.writeCharSequence(value, StandardCharsets.US_ASCII);
                first = false;
            }
            Http1Writer.writeCrlf(out);
        }
    }

    private static void writeLine(ByteBuf out, CharSequence name, CharSequence value) {
        out.writeCharSequence(name, StandardCharsets.US_ASCII);
        out.writeByte(':').writeByte(' ');
        out.writeCharSequence(value, StandardCharsets.US_ASCII);
        Http1Writer.writeCrlf(out);
    }

    /** RFC 9113 §8.2.1: no NUL, CR or LF anywhere, no leading or trailing whitespace. */
    static boolean validValue(CharSequence value) {
        int n = value.length();
        if (n > 0 && (isSpace(value.charAt(0)) || isSpace(value.charAt(n - 1)))) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c == 0 || c == '\r' || c == '\n' || c > 0xFF) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    /** A lower-case token (RFC 9110 §5.1, RFC 9113 §8.2.1): what an HTTP/1.1 head can carry unchanged. */
    static boolean validName(CharSequence name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return name.length() > 0;
    }
}
