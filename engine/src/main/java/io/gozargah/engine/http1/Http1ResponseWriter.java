package io.gozargah.engine.http1;

import io.gozargah.codec.http1.BodyFraming;
import io.gozargah.codec.http1.HeaderBlock;
import io.gozargah.codec.http1.Http1Writer;
import io.gozargah.codec.http1.KnownHeaders;
import io.gozargah.codec.http1.ResponseHead;
import io.gozargah.engine.exchange.HeaderSink;
import io.gozargah.engine.exchange.ProxyExchange;
import io.gozargah.engine.exchange.ResponseFields;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.AsciiString;

import java.nio.charset.StandardCharsets;

/**
 * Renders one HTTP/1.1 connection's answers: heads, content and trailers into one gathering buffer per read
 * batch (small writes become one), with the framing the gateway chooses for the client (its own
 * {@code Content-Length}, chunked, or the close for an HTTP/1.0 client) and the {@code Connection} field.
 */
final class Http1ResponseWriter {
    private static final AsciiString CHUNKED = AsciiString.cached("chunked");
    private static final AsciiString CLOSE = AsciiString.cached("close");
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final byte[] CONTINUE_100 = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** Initial size of the gathering buffer: a typical response head plus a small JSON answer. */
    private static final int CLIENT_OUT_BYTES = 4096;
    /** Content up to this size is copied into the gathering buffer rather than sliced. */
    private static final int COPY_CONTENT_BYTES = 8192;

    private static final Http1Writer.HeaderFilter RESPONSE_FILTER = ResponseFields::passed;
    /** {@link #RESPONSE_FILTER} for a response whose Content-Length the gateway writes itself. */
    private static final Http1Writer.HeaderFilter RESPONSE_FILTER_OWN_LENGTH =
            (h, i) -> h.id(i) != KnownHeaders.CONTENT_LENGTH && RESPONSE_FILTER.keep(h, i);

    private final ChannelHandlerContext ctx;
    private final ProxyExchange driver;
    private final FieldLines stageFields = new FieldLines();
    private ByteBuf out;
    private boolean http10;
    private boolean closeAfter;
    private boolean chunked;

    Http1ResponseWriter(ChannelHandlerContext ctx, ProxyExchange driver) {
        this.ctx = ctx;
        this.driver = driver;
    }

    /** A new exchange from a client speaking HTTP/1.{@code http10 ? 0 : 1}, closing after it when asked. */
    void startExchange(boolean http10, boolean closeAfter) {
        this.http10 = http10;
        this.closeAfter = closeAfter;
        this.chunked = false;
    }

    boolean http10() {
        return http10;
    }

    /** Whether the connection closes once the exchange's answer is out. */
    boolean closeAfter() {
        return closeAfter;
    }

    /** The connection closes after this exchange (said in the answer's head if it is not written yet). */
    void markClose() {
        closeAfter = true;
    }

    void responseHead(ResponseHead head, boolean draining) {
        BodyFraming framing = head.framing();
        if (framing == BodyFraming.CHUNKED || framing == BodyFraming.UNTIL_CLOSE) {
            if (http10) {
                closeAfter = true; // HTTP/1.0 has no chunked coding: the close delimits the body
            } else {
                chunked = true;
            }
        }
        ByteBuf buf = room(head.headLength() + 128);
        Http1Writer.writeStatusLine(buf, head);
        if (framing == BodyFraming.CONTENT_LENGTH) {
            // As upstream: the length the gateway parsed is the length the client is told, even where the
            // provider's Connection header named Content-Length (which would make its field hop-by-hop).
            Http1Writer.copyHeaders(buf, head.headers(), RESPONSE_FILTER_OWN_LENGTH);
            Http1Writer.writeHeader(buf, KnownHeaders.NAME_CONTENT_LENGTH, head.contentLength());
        } else {
            Http1Writer.copyHeaders(buf, head.headers(), RESPONSE_FILTER);
        }
        stageFields.out = buf;
        driver.writeResponseFields(stageFields);
        stageFields.out = null;
        if (chunked) {
            Http1Writer.writeHeader(buf, KnownHeaders.NAME_TRANSFER_ENCODING, CHUNKED);
        }
        writeConnection(buf, draining);
        Http1Writer.writeCrlf(buf);
    }

    /** 100 is the gateway's to send (Expect is not forwarded); 103 Early Hints passes to HTTP/1.1 clients. */
    void informational(ResponseHead head) {
        if (head.status() == 103 && !http10) {
            ByteBuf buf = room(head.headLength() + 64);
            Http1Writer.writeStatusLine(buf, head);
            Http1Writer.copyHeaders(buf, head.headers(), RESPONSE_FILTER);
            Http1Writer.writeCrlf(buf);
        }
    }

    void content(ByteBuf in, int length) {
        if (length <= COPY_CONTENT_BYTES) {
            // Small content is copied next to its head: one buffer, one write, no slice object.
            ByteBuf buf = room(length + 16);
            if (chunked) {
                Http1Writer.writeChunkHeader(buf, length);
                buf.writeBytes(in, length);
                Http1Writer.writeCrlf(buf);
            } else {
                buf.writeBytes(in, length);
            }
            return;
        }
        if (chunked) {
            Http1Writer.writeChunkHeader(room(12), length);
        }
        writeOut();
        ctx.write(in.readRetainedSlice(length), ctx.voidPromise());
        if (chunked) {
            Http1Writer.writeCrlf(room(2));
        }
    }

    void end(HeaderBlock trailers) {
        if (chunked) {
            ByteBuf buf = room(64 + (trailers.size() == 0 ? 0
                    : trailers.lineEnd(trailers.size() - 1) - trailers.lineStart(0)));
            Http1Writer.writeLastChunk(buf);
            Http1Writer.copyHeaders(buf, trailers, RESPONSE_FILTER);
            Http1Writer.writeCrlf(buf);
        }
    }

    /** A gateway answer; {@code body} is released here. */
    void answer(int status, ByteBuf body, boolean withBody, boolean draining) {
        ByteBuf buf = room(384 + body.readableBytes());
        Http1Writer.writeStatusLine(buf, status);
        stageFields.out = buf;
        driver.writeAnswerFields(stageFields, body.readableBytes());
        stageFields.out = null;
        writeConnection(buf, draining);
        Http1Writer.writeCrlf(buf);
        if (withBody) {
            buf.writeBytes(body);
        }
        body.release();
    }

    void continue100() {
        if (!http10) {
            room(CONTINUE_100.length).writeBytes(CONTINUE_100);
        }
    }

    private void writeConnection(ByteBuf buf, boolean draining) {
        if (draining) {
            // The drain flag is set before the listeners close; the drain event may reach this loop later.
            closeAfter = true;
        }
        if (closeAfter) {
            Http1Writer.writeHeader(buf, KnownHeaders.NAME_CONNECTION, CLOSE);
        } else if (http10) {
            Http1Writer.writeHeader(buf, KnownHeaders.NAME_CONNECTION, KEEP_ALIVE);
        }
    }

    /** The gathering buffer with room for {@code bytes} more, written out first if it is too full. */
    private ByteBuf room(int bytes) {
        if (out != null && out.maxFastWritableBytes() < bytes) {
            writeOut();
        }
        if (out == null) {
            out = ctx.alloc().ioBuffer(Math.max(bytes, CLIENT_OUT_BYTES));
        }
        return out;
    }

    /** Passes the gathered bytes down the pipeline (not flushed). */
    void writeOut() {
        if (out != null) {
            ByteBuf buf = out;
            out = null;
            ctx.write(buf, ctx.voidPromise());
        }
    }

    void flush() {
        writeOut();
        ctx.flush();
    }

    /** Drops what is gathered and not written (a withheld answer, a closed connection). */
    void drop() {
        if (out != null) {
            out.release();
            out = null;
        }
    }

    /** Renders the gateway's and the stages' response header fields as HTTP/1.1 field lines into the head. */
    private static final class FieldLines implements HeaderSink {
        ByteBuf out;

        @Override
        public void header(AsciiString name, long value) {
            Http1Writer.writeHeader(out, name, value);
        }

        @Override
        public void header(AsciiString name, byte[] value, int offset, int length) {
            out.writeBytes(name.array(), name.arrayOffset(), name.length());
            out.writeByte(':').writeByte(' ');
            out.writeBytes(value, offset, length);
            Http1Writer.writeCrlf(out);
        }

        @Override
        public void header(AsciiString name, CharSequence value) {
            Http1Writer.writeHeader(out, name, value);
        }
    }
}
