package io.gozargah.engine.upstream;

import io.gozargah.codec.http1.BodyFraming;
import io.gozargah.codec.http1.HeaderBlock;
import io.gozargah.codec.http1.Http1Limits;
import io.gozargah.codec.http1.Http1Writer;
import io.gozargah.codec.http1.HttpRequestParser;
import io.gozargah.codec.http1.KnownHeaders;
import io.gozargah.codec.http1.ParseResult;
import io.gozargah.codec.http1.RequestHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
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
 * Makes one HTTP/2 stream look like an HTTP/1.1 upstream connection to the {@link UpstreamConnection} behind
 * it, so the front ends write the same forward head and body bytes and get the same {@link UpstreamListener}
 * callbacks whatever the provider speaks.
 *
 * <p>Outbound, the HTTP/1.1 request the front end wrote is parsed with our own {@link HttpRequestParser}
 * (the head once; body bytes pass as slices, no copy) and sent as HEADERS with the pseudo-header fields of
 * RFC 9113 §8.3.1, DATA frames, and END_STREAM (on the last DATA, or on trailers). Connection-specific
 * fields are not sent (RFC 9113 §8.2.2): the front end has already dropped hop-by-hop fields and
 * {@code Host} becomes {@code :authority}.
 *
 * <p>Inbound, the response HEADERS are rendered once as an HTTP/1.1 head and fed to the connection's own
 * response parser, so the response reaches the listener as a {@code ResponseHead} exactly as on the
 * HTTP/1.1 path. A response with {@code content-length} passes its DATA through untouched; one without is
 * framed chunked, which also carries its trailers. The cost is one render and one parse of the head
 * (a few hundred bytes, linear, no per-field objects beyond what Netty's HPACK decoder already made);
 * HTTP/2 upstreams are not the benchmarked path, and in exchange the HTTP/1.1 path and the front ends carry
 * no protocol branch at all.
 *
 * <p>Field values are checked for CR, LF and NUL before rendering (RFC 9113 §8.2.1: such a message is
 * malformed); without that a value could smuggle a field line into the rendered head.
 */
final class Http2StreamTranslator extends ChannelDuplexHandler {
    /**
     * The forward head is our own output, already bounded by the front end's limits plus the few lines the
     * gateway adds: these limits only have to be generous enough never to refuse it.
     */
    private static final Http1Limits FORWARD_LIMITS = new Http1Limits(64 * 1024, 10_000, 1024 * 1024, 1024);
    private static final AsciiString CONTENT_LENGTH_ZERO = AsciiString.cached("content-length: 0\r\n");
    private static final AsciiString TRANSFER_ENCODING_CHUNKED = AsciiString.cached("transfer-encoding: chunked\r\n");
    private static final AsciiString LAST_CHUNK = AsciiString.cached("0\r\n");
    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");

    private final UpstreamConnection connection;
    private final AsciiString scheme;
    private final HttpRequestParser requestParser = new HttpRequestParser(FORWARD_LIMITS);
    /** Request bytes written by the front end and not yet translated. */
    private ByteBuf requestBytes;
    /** The last DATA slice, held within one translation so END_STREAM can ride on it. */
    private ByteBuf heldData;
    private boolean headersEndedStream;
    private boolean requestEnded;

    private boolean finalHeadSeen;
    private boolean chunked;
    /** A chunk's data has gone to the parser and its closing CRLF not yet. */
    private boolean chunkOpen;

    Http2StreamTranslator(UpstreamConnection connection, boolean tls) {
        this.connection = connection;
        this.scheme = tls ? AsciiString.cached("https") : AsciiString.cached("http");
    }

    // ---------------------------------------------------------------------------------------------
    // Request: HTTP/1.1 bytes from the front end -> HEADERS, DATA, trailers
    // ---------------------------------------------------------------------------------------------

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf data)) {
            ctx.write(msg, promise);
            return;
        }
        if (requestEnded) {
            // Nothing follows a request on a stream; the front end never writes past it.
            data.release();
            promise.trySuccess();
            return;
        }
        if (requestBytes == null) {
            requestBytes = data;
        } else {
            requestBytes = ctx.alloc().compositeBuffer().addComponents(true, requestBytes, data);
        }
        translateRequest(ctx);
        promise.trySuccess();
    }

    private void translateRequest(ChannelHandlerContext ctx) {
        translate:
        while (!requestEnded) {
            ParseResult r = requestParser.parse(requestBytes);
            switch (r) {
                case HEAD:
                    writeHeaders(ctx, requestParser.head());
                    break;
                case BODY:
                    int n = requestParser.bodyBytes();
                    if (n > 0) {
                        writeHeldData(ctx, false);
                        heldData = requestBytes.readRetainedSlice(n);
                    }
                    break;
                case MESSAGE_COMPLETE:
                    requestEnded = true;
                    HeaderBlock trailers = requestParser.trailers();
                    if (trailers.size() > 0) {
                        writeHeldData(ctx, false);
                        Http2Headers fields = new DefaultHttp2Headers(false, trailers.size());
                        copyFields(trailers, fields);
                        ctx.write(new DefaultHttp2HeadersFrame(fields, true), ctx.voidPromise());
                    } else if (heldData != null) {
                        writeHeldData(ctx, true);
                    } else if (!headersEndedStream) {
                        ctx.write(new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true), ctx.voidPromise());
                    }
                    break translate;
                case NEED_MORE:
                    break translate;
                case ERROR:
                default:
                    // Only our own front end writes here: an error is a gateway bug, never forwarded.
                    requestEnded = true;
                    writeHeldData(ctx, false);
                    connection.streamFailed("the gateway could not translate its own request for HTTP/2: "
                            + requestParser.error().detail());
                    ctx.close();
                    break translate;
            }
        }
        writeHeldData(ctx, false);
        if (requestBytes != null && (!requestBytes.isReadable() || requestEnded)) {
            requestBytes.release();
            requestBytes = null;
        }
    }

    private void writeHeldData(ChannelHandlerContext ctx, boolean endStream) {
        if (heldData != null) {
            ByteBuf data = heldData;
            heldData = null;
            ctx.write(new DefaultHttp2DataFrame(data, endStream), ctx.voidPromise());
        }
    }

    private void writeHeaders(ChannelHandlerContext ctx, RequestHead head) {
        HeaderBlock fields = head.headers();
        Http2Headers headers = new DefaultHttp2Headers(false, fields.size() + 4);
        ByteBuf buf = head.buffer();
        headers.method(slice(buf, head.methodStart(), head.methodLength()));
        headers.scheme(scheme);
        int host = fields.indexOf(KnownHeaders.HOST);
        if (host >= 0) {
            headers.authority(slice(buf, fields.valueStart(host), fields.valueLength(host)));
        }
        headers.path(slice(buf, head.targetStart(), head.targetLength()));
        copyFields(fields, headers);
        headersEndedStream = head.framing() == BodyFraming.NONE;
        ctx.write(new DefaultHttp2HeadersFrame(headers, headersEndedStream), ctx.voidPromise());
    }

    /** Every end-to-end field, its name lower-cased (RFC 9113 §8.2.1); Host and hop-by-hop fields stay behind. */
    private static void copyFields(HeaderBlock fields, Http2Headers out) {
        ByteBuf buf = fields.buffer();
        for (int i = 0; i < fields.size(); i++) {
            if (fields.hopByHop(i) || fields.id(i) == KnownHeaders.HOST) {
                continue;
            }
            AsciiString name = slice(buf, fields.nameStart(i), fields.nameLength(i)).toLowerCase();
            out.add(name, slice(buf, fields.valueStart(i), fields.valueLength(i)));
        }
    }

    private static AsciiString slice(ByteBuf buf, int start, int length) {
        byte[] bytes = new byte[length];
        buf.getBytes(start, bytes);
        return new AsciiString(bytes, false);
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
            if (!fieldSafe(name) || !fieldSafe(field.getValue())) {
                return false;
            }
            ByteBufUtil.writeAscii(out, name);
            out.writeByte(':').writeByte(' ');
            ByteBufUtil.writeAscii(out, field.getValue());
            Http1Writer.writeCrlf(out);
        }
        return true;
    }

    private static boolean fieldSafe(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                return false;
            }
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
        if (requestBytes != null) {
            requestBytes.release();
            requestBytes = null;
        }
    }
}
