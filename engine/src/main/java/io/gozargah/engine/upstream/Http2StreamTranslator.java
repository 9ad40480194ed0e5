package io.gozargah.engine.upstream;

import io.gozargah.codec.http1.Http1Writer;
import io.gozargah.engine.exchange.FieldSyntax;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;

import java.util.Map;

/**
 * Makes one HTTP/2 stream serve the {@link UpstreamConnection} behind it, so the exchange driver gets the same
 * {@link UpstreamListener} callbacks whatever the provider speaks.
 *
 * <p>Outbound, the driver writes HTTP/2 already: the request's HEADERS (rendered straight from the request head,
 * {@code ForwardHead#http2}), its body as plain buffers, and its end as trailers (HEADERS with END_STREAM) or an
 * empty DATA frame with END_STREAM. Each buffer becomes a DATA frame; the last one is held until the next write or
 * flush, so that END_STREAM rides on it rather than on a frame of its own.
 *
 * <p>Inbound, the response HEADERS are rendered once as an HTTP/1.1 head and fed to the connection's own
 * response parser, so the response reaches the listener as a {@code ResponseHead} exactly as on the
 * HTTP/1.1 path. A response with {@code content-length} passes its DATA through untouched; one without is
 * framed chunked, which also carries its trailers. The cost is one render and one parse of the head
 * (a few hundred bytes, linear, no per-field objects beyond what Netty's HPACK decoder already made).
 *
 * <p>Response field values are checked before rendering ({@link FieldSyntax#lineSafe}: RFC 9113 §8.2.1, such a
 * message is malformed); without that a value could smuggle a field line into the rendered head.
 */
final class Http2StreamTranslator extends ChannelDuplexHandler {
    private static final AsciiString CONTENT_LENGTH_ZERO = AsciiString.cached("content-length: 0\r\n");
    private static final AsciiString TRANSFER_ENCODING_CHUNKED = AsciiString.cached("transfer-encoding: chunked\r\n");
    private static final AsciiString LAST_CHUNK = AsciiString.cached("0\r\n");
    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");

    private final UpstreamConnection connection;
    /** The last body buffer written, held until the next write or flush so END_STREAM can ride on it. */
    private ByteBuf heldData;
    private boolean requestEnded;

    private boolean finalHeadSeen;
    private boolean chunked;
    /** A chunk's data has gone to the parser and its closing CRLF not yet. */
    private boolean chunkOpen;

    Http2StreamTranslator(UpstreamConnection connection) {
        this.connection = connection;
    }

    // ---------------------------------------------------------------------------------------------
    // Request: HEADERS, body buffers, the end -> HEADERS, DATA, END_STREAM
    // ---------------------------------------------------------------------------------------------

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (requestEnded) {
            // Nothing follows a request on a stream; the driver never writes past it.
            ReferenceCountUtil.release(msg);
            promise.trySuccess();
            return;
        }
        if (msg instanceof ByteBuf data) {
            writeHeldData(ctx, false);
            if (data.isReadable()) {
                heldData = data;
            } else {
                data.release();
            }
            promise.trySuccess();
            return;
        }
        if (msg instanceof Http2DataFrame end && end.isEndStream() && !end.content().isReadable() && heldData != null) {
            requestEnded = true;
            end.release();
            writeHeldData(ctx, true);
            promise.trySuccess();
            return;
        }
        writeHeldData(ctx, false);
        if (msg instanceof Http2HeadersFrame headers && headers.isEndStream()
                || msg instanceof Http2DataFrame data && data.isEndStream()) {
            requestEnded = true;
        }
        ctx.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        writeHeldData(ctx, false);
        ctx.flush();
    }

    private void writeHeldData(ChannelHandlerContext ctx, boolean endStream) {
        if (heldData != null) {
            ByteBuf data = heldData;
            heldData = null;
            ctx.write(new DefaultHttp2DataFrame(data, endStream), ctx.voidPromise());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Response: HEADERS, DATA, trailers -> HTTP/1.1 bytes for the connection's own parser
    // ---------------------------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2HeadersFrame headers) {
            onHeaders(ctx, headers);
        } else if (msg instanceof Http2DataFrame data) {
            onData(ctx, data);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHeaders(ChannelHandlerContext ctx, Http2HeadersFrame frame) {
        Http2Headers headers = frame.headers();
        if (finalHeadSeen) {
            onTrailers(ctx, headers);
            return;
        }
        int status = status(headers.status());
        if (status < 0) {
            malformed(ctx, "a response without a valid :status");
            return;
        }
        ByteBuf head = ctx.alloc().buffer(256);
        Http1Writer.writeStatusLine(head, status);
        if (!writeFields(head, headers)) {
            head.release();
            malformed(ctx, "a response field with CR, LF or NUL");
            return;
        }
        // Field names arrive lower-case (RFC 9113 §8.2.1; Netty's decoder refuses others).
        boolean hasLength = headers.contains(CONTENT_LENGTH);
        if (status >= 200) {
            finalHeadSeen = true;
            if (frame.isEndStream()) {
                if (!hasLength && status != 204 && status != 304) {
                    ByteBufUtil.copy(CONTENT_LENGTH_ZERO, head);
                }
            } else if (!hasLength) {
                chunked = true;
                ByteBufUtil.copy(TRANSFER_ENCODING_CHUNKED, head);
            }
        }
        Http1Writer.writeCrlf(head);
        ctx.fireChannelRead(head);
    }

    private void onTrailers(ChannelHandlerContext ctx, Http2Headers trailers) {
        if (!chunked) {
            // A content-length response has no HTTP/1.1 place for trailers (RFC 9112 §7.1.2): end it as it is.
            return;
        }
        ByteBuf end = ctx.alloc().buffer(128);
        closeChunk(end);
        ByteBufUtil.copy(LAST_CHUNK, end);
        if (!writeFields(end, trailers)) {
            end.release();
            malformed(ctx, "a trailer field with CR, LF or NUL");
            return;
        }
        Http1Writer.writeCrlf(end);
        chunked = false;
        ctx.fireChannelRead(end);
    }

    private void onData(ChannelHandlerContext ctx, Http2DataFrame frame) {
        ByteBuf content = frame.content();
        if (!chunked) {
            // Content-length framing (the parser counts the bytes), or DATA the parser will reject.
            if (content.isReadable()) {
                ctx.fireChannelRead(content);
            } else {
                frame.release();
            }
            return;
        }
        if (content.isReadable()) {
            ByteBuf size = ctx.alloc().buffer(16);
            closeChunk(size);
            Http1Writer.writeChunkHeader(size, content.readableBytes());
            ctx.fireChannelRead(size);
            chunkOpen = true;
            ctx.fireChannelRead(content);
        } else {
            frame.release();
        }
        if (frame.isEndStream()) {
            ByteBuf end = ctx.alloc().buffer(8);
            closeChunk(end);
            ByteBufUtil.copy(LAST_CHUNK, end);
            Http1Writer.writeCrlf(end);
            chunked = false;
            ctx.fireChannelRead(end);
        }
    }

    private void closeChunk(ByteBuf out) {
        if (chunkOpen) {
            Http1Writer.writeCrlf(out);
            chunkOpen = false;
        }
    }

    /** Every regular field as {@code name: value CRLF} (pseudo-fields skipped); false when one holds CR, LF or NUL. */
    private static boolean writeFields(ByteBuf out, Http2Headers fields) {
        for (Map.Entry<CharSequence, CharSequence> field : fields) {
            CharSequence name = field.getKey();
            if (name.length() > 0 && name.charAt(0) == ':') {
                continue;
            }
            if (!FieldSyntax.lineSafe(name) || !FieldSyntax.lineSafe(field.getValue())) {
                return false;
            }
            ByteBufUtil.writeAscii(out, name);
            out.writeByte(':').writeByte(' ');
            ByteBufUtil.writeAscii(out, field.getValue());
            Http1Writer.writeCrlf(out);
        }
        return true;
    }

    /** A three-digit status 100..599 (RFC 9110 §15), or -1. */
    private static int status(CharSequence text) {
        if (text == null || text.length() != 3) {
            return -1;
        }
        int code = 0;
        for (int i = 0; i < 3; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            code = code * 10 + c - '0';
        }
        return code >= 100 && code <= 599 ? code : -1;
    }

    /** RFC 9113 §8.1.1: a malformed response is a stream error of type PROTOCOL_ERROR. */
    private void malformed(ChannelHandlerContext ctx, String what) {
        connection.streamFailed("malformed HTTP/2 response from " + connection.endpoint() + ": " + what);
        ctx.channel().close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2ResetFrame reset) {
            // RFC 9113 §8.7: REFUSED_STREAM means the request was not processed and may be retried.
            boolean refused = reset.errorCode() == Http2Error.REFUSED_STREAM.code();
            Http2Error error = Http2Error.valueOf(reset.errorCode());
            connection.streamReset(refused, "provider " + connection.endpoint() + " reset the stream ("
                    + (error == null ? "error " + reset.errorCode() : error.name()) + ")");
        } else if (evt instanceof Http2GoAwayFrame goAway) {
            // Fired only to streams above the last stream id: unprocessed, safe to retry (RFC 9113 §6.8).
            connection.streamReset(true, "provider " + connection.endpoint() + " sent GOAWAY before this stream");
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (heldData != null) {
            heldData.release();
            heldData = null;
        }
    }
}
