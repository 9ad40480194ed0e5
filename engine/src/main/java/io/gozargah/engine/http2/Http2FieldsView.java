package io.gozargah.engine.http2;

import io.gozargah.codec.http1.Http1Writer;
import io.gozargah.engine.exchange.FieldSyntax;
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

    private Http2Headers headers;

    Http2FieldsView(Http2Headers headers) {
        this.headers = headers;
    }

    /** Views {@code headers} (null: none) instead. */
    Http2FieldsView wrap(Http2Headers headers) {
        this.headers = headers;
        return this;
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
                    || !FieldSyntax.validName(name) || !FieldSyntax.validValue(field.getValue())) {
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

    /** The fields as they were decoded (cookie crumbs stay crumbs, RFC 9113 §8.2.3 allows them on). */
    @Override
    public void addForwardedHttp2(Http2Headers out, ServiceRoute service, boolean traceState) {
        if (headers == null) {
            return;
        }
        for (Map.Entry<CharSequence, CharSequence> field : headers) {
            CharSequence name = field.getKey();
            if (name.length() == 0 || name.charAt(0) == ':' || !RequestFields.forwarded(name, service, traceState)
                    || !FieldSyntax.validName(name) || !FieldSyntax.validValue(field.getValue())) {
                continue;
            }
            out.add(name, field.getValue());
        }
    }

    private static void writeLine(ByteBuf out, CharSequence name, CharSequence value) {
        out.writeCharSequence(name, StandardCharsets.US_ASCII);
        out.writeByte(':').writeByte(' ');
        out.writeCharSequence(value, StandardCharsets.US_ASCII);
        Http1Writer.writeCrlf(out);
    }
}
