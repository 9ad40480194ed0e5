package io.gozargah.engine.server;

import io.gozargah.engine.auth.ClientCertificate;
import io.gozargah.engine.http1.Http1Connection;
import io.gozargah.engine.http2.Http2Connection;
import io.gozargah.engine.tls.ServerTls;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds a consumer connection's pipeline in named steps, as Zuul does: {@link #addTlsHandlers} on a TLS
 * listener, then ALPN picks {@link #addHttp2Handlers} ({@code h2}) or {@link #addHttp1Handlers}
 * ({@code http/1.1}, or no ALPN); on a cleartext listener the first bytes pick h2c (the HTTP/2 connection
 * preface, "prior knowledge", RFC 9113 §3.3) or HTTP/1.1.
 */
final class ConnectionPipeline extends ChannelInitializer<SocketChannel> {
    private static final Logger log = LoggerFactory.getLogger(ConnectionPipeline.class);

    /**
     * Flushes held back at most before one goes through anyway, inside a long read: Netty's default, which keeps
     * a busy connection's answers moving while a read batch goes on.
     */
    private static final int MAX_FLUSHES_HELD = FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES;

    private final ServerContext context;
    private final ChannelGroup connections;
    /** Null on a cleartext listener. */
    private final ServerTls tls;
    private final CloseAfterWritten closeAfterWritten;

    ConnectionPipeline(ServerContext context, ChannelGroup connections, ServerTls tls) {
        this.context = context;
        this.closeAfterWritten = new CloseAfterWritten(context.timerTickNanos());
        this.connections = connections;
        this.tls = tls;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        connections.add(ch);
        ch.pipeline().addLast("close", closeAfterWritten);
        if (tls != null) {
            addTlsHandlers(ch.pipeline());
        } else {
            ch.pipeline().addLast("detect", new CleartextProtocolDetector());
        }
    }

    /** TLS with the listener's current context (a reload swaps it for later handshakes), then ALPN. */
    private void addTlsHandlers(ChannelPipeline pipeline) {
        pipeline.addLast("tls", tls.newHandler(pipeline.channel().alloc()));
        pipeline.addLast("alpn", new AlpnSwitch());
    }

    /**
     * Between TLS and HTTP/2: the streams of one connection are answered from their own upstream connections'
     * reads, each ending in a flush, and every flush that reaches TLS seals a record and costs a write. Held
     * here, the flushes of one pass of the event loop become one: the frames written meanwhile go out in as few
     * records as they fill and one write. Inside a read of this connection the flush waits for the read's end
     * (Netty's FlushConsolidationHandler); outside one, for a task queued on the loop, which runs after the I/O
     * the loop is handling now. A close flushes what is held first, as the codec's own flushes would have.
     */
    private static void addHttp2FlushConsolidation(ChannelPipeline pipeline) {
        pipeline.addAfter("tls", "flush", new FlushConsolidationHandler(MAX_FLUSHES_HELD, true));
    }

    private void addHttp1Handlers(ChannelPipeline pipeline, boolean secure, ClientCertificate certificate) {
        pipeline.addLast("http1", new Http1Connection(context, secure, certificate));
    }

    private void addHttp2Handlers(ChannelPipeline pipeline, boolean secure, ClientCertificate certificate) {
        Http2Connection.addHandlers(pipeline, context, secure, certificate);
    }

    /** After the handshake: the protocol ALPN agreed, with the client certificate as the connection's credential. */
    private final class AlpnSwitch extends ApplicationProtocolNegotiationHandler {
        AlpnSwitch() {
            super(ApplicationProtocolNames.HTTP_1_1);
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            ClientCertificate certificate = tls.clientCertificate(ssl.engine().getSession());
            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                addHttp2FlushConsolidation(ctx.pipeline());
                addHttp2Handlers(ctx.pipeline(), true, certificate);
            } else if (ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
                addHttp1Handlers(ctx.pipeline(), true, certificate);
            } else {
                ctx.close();
            }
        }

        @Override
        protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    /**
     * Reads just enough of a cleartext connection to tell the h2c preface from an HTTP/1.1 request, and passes
     * the bytes read on to the handlers it chose. The PRI method exists only to open the HTTP/2 connection
     * preface (RFC 9113 §11.6; no HTTP/1.1 client sends it), so a connection that starts with "PRI " speaks
     * HTTP/2, and the HTTP/2 codec checks the rest of the 24-byte preface: a corrupt one is a connection error
     * PROTOCOL_ERROR, answered with GOAWAY and the close (§3.4), never with an HTTP/1.1 400. Any other first
     * bytes are HTTP/1.1.
     */
    private final class CleartextProtocolDetector extends ByteToMessageDecoder {
        /** "PRI ": the preface's method and the space after it. */
        private static final int PRI_LENGTH = 4;

        private final ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
        /** A connection that never says anything is idle like a keep-alive one: closed after the idle timeout. */
        private ScheduledFuture<?> silence;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            silence = ctx.executor().schedule((Runnable) ctx::close, context.idleTimeoutNanos(), TimeUnit.NANOSECONDS);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            int n = Math.min(in.readableBytes(), PRI_LENGTH);
            boolean pri = ByteBufUtil.equals(in, in.readerIndex(), preface, preface.readerIndex(), n);
            if (pri && n < PRI_LENGTH) {
                return; // all so far matches "PRI ": wait for the rest
            }
            if (pri) {
                addHttp2Handlers(ctx.pipeline(), false, ClientCertificate.NONE);
            } else {
                addHttp1Handlers(ctx.pipeline(), false, ClientCertificate.NONE);
            }
            ctx.pipeline().remove(this);
        }

        @Override
        protected void handlerRemoved0(ChannelHandlerContext ctx) {
            silence.cancel(false);
            preface.release();
        }
    }
}
