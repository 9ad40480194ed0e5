package io.gozargah.engine.http1;

import io.gozargah.codec.http1.BodyFraming;
import io.gozargah.codec.http1.HeaderBlock;
import io.gozargah.codec.http1.Http1Writer;
import io.gozargah.codec.http1.HttpMethod;
import io.gozargah.codec.http1.KnownHeaders;
import io.gozargah.codec.http1.RequestHead;
import io.gozargah.engine.auth.ApiKeyAuthenticator;
import io.gozargah.engine.exchange.Exchange;
import io.gozargah.engine.exchange.FieldNames;
import io.gozargah.engine.exchange.RequestFields;
import io.gozargah.engine.exchange.RequestFieldsView;
import io.gozargah.engine.exchange.RequestHeadView;
import io.gozargah.engine.route.Consumer;
import io.gozargah.engine.route.RoutingSnapshot;
import io.gozargah.engine.route.ServiceRoute;
import io.gozargah.engine.subject.HeaderLookup;
import io.gozargah.engine.trace.TraceParent;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

import java.nio.charset.StandardCharsets;

/**
 * The parser's request head as the exchange driver sees it: one per connection, re-pointed at each head, so
 * nothing is allocated per request. Fields are forwarded as the raw lines received, in bulk copies.
 */
final class Http1RequestView implements RequestHeadView {
    private final Fields fields = new Fields();
    private final Fields trailers = new Fields();
    private final FieldValue value = new FieldValue();
    private final HeaderLookup lookup = this::firstValue;
    private RequestHead head;

    /** This view over {@code head} (valid until the parser's next head). */
    Http1RequestView of(RequestHead head) {
        this.head = head;
        fields.block = head.headers();
        return this;
    }

    /** The trailers of a chunked request as a fields view. */
    RequestFieldsView trailers(HeaderBlock block) {
        trailers.block = block;
        return trailers;
    }

    @Override
    public HttpMethod method() {
        return head.method();
    }

    @Override
    public void writeMethod(ByteBuf out) {
        Http1Writer.writeMethod(out, head);
    }

    @Override
    public CharSequence methodText() {
        if (head.method() != HttpMethod.OTHER) {
            return head.method().ascii();
        }
        byte[] token = new byte[head.methodLength()];
        head.buffer().getBytes(head.methodStart(), token);
        return new AsciiString(token, false);
    }

    @Override
    public ByteBuf target() {
        return head.buffer();
    }

    @Override
    public int targetStart() {
        return head.targetStart();
    }

    @Override
    public int targetLength() {
        return head.targetLength();
    }

    @Override
    public BodyFraming framing() {
        return head.framing();
    }

    @Override
    public long declaredLength() {
        return head.contentLength();
    }

    @Override
    public boolean expectContinue() {
        return head.expectContinue();
    }

    @Override
    public Exchange.Protocol protocol() {
        return head.versionMinor() == 0 ? Exchange.Protocol.HTTP_1_0 : Exchange.Protocol.HTTP_1_1;
    }

    @Override
    public Consumer authenticate(ApiKeyAuthenticator keys, RoutingSnapshot snapshot) {
        return keys.authenticate(snapshot, head.headers());
    }

    @Override
    public HeaderLookup headerLookup() {
        return lookup;
    }

    /** The first field named {@code name}'s value, as a view re-pointed by the next lookup. */
    private CharSequence firstValue(AsciiString name) {
        HeaderBlock block = head.headers();
        int i = block.indexOf(name);
        return i < 0 ? null : value.of(block.buffer(), block.valueStart(i), block.valueLength(i));
    }

    @Override
    public void readTraceParent(TraceParent trace) {
        HeaderBlock block = head.headers();
        for (int i = 0; i < block.size(); i++) {
            if (block.id(i) == KnownHeaders.TRACEPARENT) {
                trace.accept(block.buffer(), block.valueStart(i), block.valueLength(i));
            }
        }
    }

    @Override
    public RequestFieldsView fields() {
        return fields;
    }

    @Override
    public int headLength() {
        return head.headLength();
    }

    /** Header or trailer fields: what {@link RequestFields} lets through, minus those {@code Connection} names. */
    private static final class Fields implements RequestFieldsView {
        HeaderBlock block;
        private ServiceRoute service;
        private boolean traceState;
        private final Http1Writer.HeaderFilter forwarded = (h, i) -> !h.hopByHop(i)
                && RequestFields.forwarded(h.id(i), h.underscoreInName(i), service, traceState);

        @Override
        public boolean isEmpty() {
            return block.size() == 0;
        }

        @Override
        public void writeForwardedHttp1(ByteBuf out, ServiceRoute service, boolean traceState) {
            this.service = service;
            this.traceState = traceState;
            Http1Writer.copyHeaders(out, block, forwarded);
        }

        @Override
        public void addForwardedHttp2(Http2Headers out, ServiceRoute service, boolean traceState) {
            this.service = service;
            this.traceState = traceState;
            FieldNames.addAll(block, forwarded, out);
        }
    }

    /** A field value's bytes in the head's buffer seen as ISO-8859-1 characters: one per connection, re-pointed. */
    private static final class FieldValue implements CharSequence {
        private ByteBuf buffer;
        private int start;
        private int length;

        FieldValue of(ByteBuf buffer, int start, int length) {
            this.buffer = buffer;
            this.start = start;
            this.length = length;
            return this;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public char charAt(int index) {
            if (index < 0 || index >= length) {
                throw new IndexOutOfBoundsException(index);
            }
            return (char) (buffer.getByte(start + index) & 0xFF);
        }

        @Override
        public CharSequence subSequence(int from, int to) {
            return toString().substring(from, to);
        }

        /** Allocates: for the slow path and tests. */
        @Override
        public String toString() {
            return buffer.toString(start, length, StandardCharsets.ISO_8859_1);
        }
    }
}
