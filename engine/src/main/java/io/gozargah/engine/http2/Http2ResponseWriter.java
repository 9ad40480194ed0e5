package io.gozargah.engine.http2;

import io.gozargah.codec.http1.BodyFraming;
import io.gozargah.codec.http1.HeaderBlock;
import io.gozargah.codec.http1.Http1Writer;
import io.gozargah.codec.http1.ResponseHead;
import io.gozargah.engine.exchange.FieldNames;
import io.gozargah.engine.exchange.HeaderSink;
import io.gozargah.engine.exchange.ProxyExchange;
import io.gozargah.engine.exchange.ResponseFields;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.AsciiString;

/**
 * Writes one stream's response through the {@link Http2Connection}'s encoder: the provider's head as HEADERS (its
 * passed fields, then the gateway's, {@link ProxyExchange#writeResponseFields}), its content as DATA that the flow
 * controller sends as the windows allow, its end as trailers or an empty DATA with END_STREAM, the gateway's own
 * answers, and RST_STREAM placed behind what it must not cut off. It keeps the promise of the response's last
 * frame, which a later reset waits for.
 */
final class Http2ResponseWriter {
    /** Provider fields that pass (hop-by-hop ones are meaningless, and forbidden, in HTTP/2). */
    private static final Http1Writer.HeaderFilter PASSED = ResponseFields::passed;

    private Http2Stream stream;
    /** The reset to follow the answer the driver is about to render (it declined the rest of the request). */
    private Http2Error pendingReset;
    private boolean endSent;
    /** The promise of the response's last frame: a reset waits for it. */
    private ChannelPromise lastWrite;
    private final Http2Connection connection;
    private final ProxyExchange driver;
    private final Http2HeaderSink sink = new Http2HeaderSink();

    Http2ResponseWriter(Http2Connection connection, ProxyExchange driver) {
        this.connection = connection;
        this.driver = driver;
    }

    /** Writes for {@code stream} from now on: nothing of an earlier stream's response is left. */
    void open(Http2Stream stream) {
        this.stream = stream;
        pendingReset = null;
        endSent = false;
        lastWrite = null;
    }

    /** The provider's head; the stream ends on it when the response has no body. */
    void head(ResponseHead head) {
        Http2Headers out = new DefaultHttp2Headers(false, head.headers().size() + 4);
        out.status(HttpResponseStatus.valueOf(head.status()).codeAsText());
        FieldNames.addAll(head.headers(), PASSED, out);
        driver.writeResponseFields(sink.into(out, encodesHeadersNow()));
        sink.into(null, false);
        writeHeaders(out, head.framing() == BodyFraming.NONE);
    }

    void content(ByteBuf in, int length) {
        if (endSent) {
            in.skipBytes(length);
            return;
        }
        writeData(in.readRetainedSlice(length), false, null);
    }

    /** The response's end: its trailers as HEADERS, or an empty DATA, with END_STREAM. */
    void end(HeaderBlock trailers) {
        if (endSent) {
            return;
        }
        if (trailers.size() > 0) {
            Http2Headers out = new DefaultHttp2Headers(false, trailers.size());
            FieldNames.addAll(trailers, PASSED, out);
            writeHeaders(out, true);
        } else {
            endSent = true;
            lastWrite = connection.ctx().newPromise();
            writeData(Unpooled.EMPTY_BUFFER, true, lastWrite);
        }
    }

    /**
     * The problem answer: HEADERS and DATA, END_STREAM on the last unless {@code endStream} is false (a malformed
     * request that has ended: its reset ends the stream, §8.1.1). {@code reset}, or the reset the driver asked for
     * by declining the request's rest, follows once the answer has left.
     */
    void answer(int status, ByteBuf body, boolean withBody, boolean endStream, Http2Error reset) {
        Http2Headers out = new DefaultHttp2Headers(false, 8);
        out.status(HttpResponseStatus.valueOf(status).codeAsText());
        driver.writeAnswerFields(sink.into(out, encodesHeadersNow()), body.readableBytes());
        sink.into(null, false);
        if (reset == null) {
            reset = pendingReset;
        }
        pendingReset = null;
        endSent = true;
        lastWrite = connection.ctx().newPromise();
        if (withBody) {
            connection.encoder().writeHeaders(connection.ctx(), stream.id(), out, 0, false,
                    connection.ctx().voidPromise());
            writeData(body, endStream, lastWrite);
        } else {
            body.release();
            connection.encoder().writeHeaders(connection.ctx(), stream.id(), out, 0, endStream, lastWrite);
        }
        if (reset != null) {
            resetAfter(reset, lastWrite);
        }
    }

    /** RST_STREAM with {@code error} once the answer (or the response's end, if it has gone) has left. */
    void declineRest(Http2Error error, boolean closed) {
        if (!endSent) {
            pendingReset = error;
        } else if (!closed) {
            resetAfter(error, lastWrite);
        }
    }

    /** Resets the stream: NO_ERROR once what was answered has left (§8.1), any other code at once. */
    void abort(Http2Error error) {
        if (error == Http2Error.NO_ERROR) {
            resetAfter(error, endSent ? lastWrite : null);
        } else {
            reset(error);
        }
        connection.flush();
    }

    private void writeHeaders(Http2Headers out, boolean endStream) {
        ChannelHandlerContext ctx = connection.ctx();
        ChannelPromise promise = ctx.voidPromise();
        if (endStream) {
            endSent = true;
            lastWrite = promise = ctx.newPromise();
        }
        connection.encoder().writeHeaders(ctx, stream.id(), out, 0, endStream, promise);
    }

    private void writeData(ByteBuf data, boolean endStream, ChannelPromise promise) {
        ChannelHandlerContext ctx = connection.ctx();
        connection.encoder().writeData(ctx, stream.id(), data, 0, endStream, promise == null ? ctx.voidPromise()
                : promise);
    }

    /**
     * Whether HEADERS written now are encoded (HPACK) as they are written: yes unless frames of the stream wait in
     * flow control, behind which Netty queues them (and their values) to keep the order.
     */
    private boolean encodesHeadersNow() {
        return !connection.encoder().flowController().hasFlowControlled(stream);
    }

    /**
     * Resets the stream once its answer has gone out: DATA waits in the flow controller, and a reset written before
     * it leaves would discard it, so the answer the reset follows would never arrive. What the windows allow is
     * handed to the channel now, and the reset is written behind it; DATA a shut window still holds is followed by
     * the reset when {@code lastData} (null if the answer had none) has left.
     */
    private void resetAfter(Http2Error error, ChannelFuture lastData) {
        try {
            connection.encoder().flowController().writePendingBytes();
        } catch (Http2Exception e) {
            connection.writeFailed(e);
            return;
        }
        if (lastData == null || !connection.encoder().flowController().hasFlowControlled(stream)) {
            reset(error);
            return;
        }
        // The listener names the stream and the connection, not this object, which may serve another stream by the
        // time the data has left.
        Http2Stream reset = stream;
        Http2Connection c = connection;
        lastData.addListener(f -> {
            c.resetStream(reset, error);
            c.flush();
        });
    }

    /** Resets the stream unless it has closed already (a frame on a closed stream is an error, §5.1). */
    void reset(Http2Error error) {
        connection.resetStream(stream, error);
    }

    /**
     * Renders the gateway's and the stages' fields into the HEADERS being built, names in lower case. A value HPACK
     * never indexes ({@link PerResponseFields}: the transaction id, traceparent, ratelimit) is a view of the caller's
     * bytes when those HEADERS are encoded as they are written, right after the driver has rendered (the bytes stay
     * as they are until then, and the encoder keeps none of them); any other value is copied, since the encoder's
     * dynamic table may keep it for as long as the connection lasts, and queued HEADERS (behind DATA in flow
     * control) are encoded later.
     */
    private static final class Http2HeaderSink implements HeaderSink {
        private Http2Headers out;
        private boolean encodedNow;

        /** Renders into {@code out} from now on (null: nowhere, between uses). */
        Http2HeaderSink into(Http2Headers out, boolean encodedNow) {
            this.out = out;
            this.encodedNow = encodedNow;
            return this;
        }

        @Override
        public void header(AsciiString name, long value) {
            out.addLong(FieldNames.lowerCase(name), value);
        }

        @Override
        public void header(AsciiString name, CharSequence value) {
            out.add(FieldNames.lowerCase(name), value);
        }

        @Override
        public void header(AsciiString name, byte[] value, int offset, int length) {
            AsciiString lower = FieldNames.lowerCase(name);
            if (encodedNow && PerResponseFields.INSTANCE.isSensitive(lower, null)) {
                out.add(lower, new AsciiString(value, offset, length, false));
                return;
            }
            byte[] copy = new byte[length];
            System.arraycopy(value, offset, copy, 0, length);
            out.add(lower, new AsciiString(copy, false));
        }
    }
}
