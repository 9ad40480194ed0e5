package io.gozargah.engine.http2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2EventAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;

/**
 * Hands the frames of a consumer's streams to their exchanges. Netty's decoder calls it only for frames that the
 * stream's state allows (RFC 9113 §5.1), with the content-length checked against the DATA (§8.1.1), trailers
 * checked for pseudo-header fields and a second HEADERS that does not end the stream refused (§8.1): those are
 * stream or connection errors before they get here. Connection-level frames (SETTINGS, PING, WINDOW_UPDATE,
 * GOAWAY) are Netty's alone.
 */
final class StreamFrameListener extends Http2EventAdapter {
    private final Http2Connection connection;

    StreamFrameListener(Http2Connection connection) {
        this.connection = connection;
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                              short weight, boolean exclusive, int padding, boolean endOfStream) {
        onHeadersRead(ctx, streamId, headers, padding, endOfStream);
    }

    /** The request's head opens the exchange; a later HEADERS can only be its trailers, which end the stream. */
    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                              boolean endOfStream) {
        Http2Stream stream = connection.connection().stream(streamId);
        Http2ClientStream exchange = connection.exchange(stream);
        if (exchange == null) {
            connection.newExchange(stream).onHead(headers, endOfStream);
        } else {
            exchange.onTrailers(headers);
        }
    }

    /**
     * The bytes returned are those given back to the client's windows now: the exchange keeps the rest until the
     * provider's connection has taken them (request-body backpressure). Padding is never kept.
     */
    @Override
    public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
        Http2ClientStream exchange = connection.exchange(connection.connection().stream(streamId));
        if (exchange == null) {
            return data.readableBytes() + padding;
        }
        return exchange.onData(data, endOfStream) + padding;
    }

    @Override
    public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
        connection.resetReceived(streamId);
        Http2Stream stream = connection.connection().stream(streamId);
        Http2ClientStream exchange = stream == null ? null : connection.exchange(stream);
        if (exchange != null) {
            exchange.onReset();
        }
    }
}
