package io.gozargah.engine.http2;

import io.gozargah.engine.admission.NanoClock;
import io.gozargah.engine.auth.ClientCertificate;
import io.gozargah.engine.config.Http2Config;
import io.gozargah.engine.server.ServerContext;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * Netty's builder of an {@link Http2Connection}, with our limits. Netty's defaults advertise no stream limit and
 * allow an 8 KiB header list only on the decode side; DESIGN.md asks for both to be set explicitly. Netty's encoder
 * reset limit is off: {@link ProvokedResetLimit} counts the resets the gateway sends, telling the client's faults
 * from the provider's, and fails the connection when it ends it; {@link ClosingConnectionDecoder} reads nothing more
 * of a connection once it has failed.
 */
final class Http2ConnectionBuilder
        extends AbstractHttp2ConnectionHandlerBuilder<Http2Connection, Http2ConnectionBuilder> {
    private final ServerContext server;
    private final boolean secure;
    private final ClientCertificate certificate;
    /** Set once built: the limits' callbacks reach the connection through it. */
    private Http2Connection built;

    Http2ConnectionBuilder(ServerContext server, boolean secure, ClientCertificate certificate) {
        this.server = server;
        this.secure = secure;
        this.certificate = certificate;
        Http2Config c = server.http2();
        int rstWindowSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, c.rstFramesWindow().toSeconds()));
        server(true);
        initialSettings(Http2Settings.defaultSettings()
                .maxConcurrentStreams(c.maxConcurrentStreams())
                .maxHeaderListSize(c.maxHeaderListSize())
                .maxFrameSize(c.maxFrameSize())
                .initialWindowSize(c.initialWindowSize()));
        validateHeaders(true);
        decoderEnforceMaxRstFramesPerWindow(c.maxRstFramesPerWindow(), rstWindowSeconds);
        encoderEnforceMaxRstFramesPerWindow(0, rstWindowSeconds);
        decoderEnforceMaxSmallContinuationFrames(c.maxSmallContinuationFrames());
        decoderEnforceMaxConsecutiveEmptyDataFrames(c.maxConsecutiveEmptyDataFrames());
        encoderEnforceMaxQueuedControlFrames(c.maxQueuedControlFrames());
        gracefulShutdownTimeoutMillis(server.shutdownGraceMillis());
        headerSensitivityDetector(PerResponseFields.INSTANCE);
    }

    /** Netty's build(), made callable from this package. */
    @Override
    protected Http2Connection build() {
        return super.build();
    }

    @Override
    protected Http2Connection build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                                    Http2Settings initialSettings) {
        Http2Config c = server.http2();
        ProvokedResetLimit limit = new ProvokedResetLimit(encoder, c.maxProvokedRstFramesPerWindow(),
                c.rstFramesWindow().toNanos(), NanoClock.SYSTEM, () -> built.fail());
        built = new Http2Connection(new ClosingConnectionDecoder(decoder, () -> built.failed()), limit,
                initialSettings, server, secure, certificate);
        return built;
    }
}
