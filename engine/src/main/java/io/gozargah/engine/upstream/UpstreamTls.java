package io.gozargah.engine.upstream;

import io.gozargah.engine.config.UpstreamProtocol;
import io.gozargah.engine.config.UpstreamTlsConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;

/**
 * Client TLS contexts for {@code https://} endpoints: BoringSSL through netty-tcnative when its native library
 * loads (several times the JDK's record speed), the JDK provider otherwise, said once in the log. TLS 1.2 and
 * 1.3 only; trust is the provider's {@code trustedCas} or the JDK's trust store; the peer's certificate must
 * name the endpoint's host unless the provider turns that off explicitly (RFC 9110 §4.3.4). ALPN offers
 * exactly the protocol the provider is configured for, so an h2 provider that does not select {@code h2}
 * is detected and refused instead of being spoken to in the wrong protocol.
 */
public final class UpstreamTls {
    private static final Logger log = LoggerFactory.getLogger(UpstreamTls.class);
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private UpstreamTls() {
    }

    private static final class Provider {
        static final SslProvider CHOSEN = choose();

        private static SslProvider choose() {
            if (OpenSsl.isAvailable()) {
                log.info("TLS to upstreams through {} (netty-tcnative)", OpenSsl.versionString());
                return SslProvider.OPENSSL;
            }
            log.warn("TLS to upstreams through the JDK provider: the native BoringSSL library did not load ({})",
                    String.valueOf(OpenSsl.unavailabilityCause()));
            return SslProvider.JDK;
        }
    }

    /** The provider client contexts use: OPENSSL when netty-tcnative loaded, else JDK. */
    public static SslProvider provider() {
        return Provider.CHOSEN;
    }

    /** A client context for a provider's https:// endpoints. */
    public static SslContext clientContext(UpstreamProtocol protocol, UpstreamTlsConfig config) {
        String alpn = protocol == UpstreamProtocol.H2 ? ApplicationProtocolNames.HTTP_2 : ApplicationProtocolNames.HTTP_1_1;
        SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(provider())
                .protocols(PROTOCOLS)
                // Null turns the check off; "HTTPS" is the RFC 2818 / RFC 6125 host name match.
                .endpointIdentificationAlgorithm(config.verifyHostname() ? "HTTPS" : null)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
        if (!config.certificates().isEmpty()) {
            builder.trustManager(config.certificates());
        }
        try {
            return builder.build();
        } catch (SSLException e) {
            // The certificates were parsed when the config was loaded; what is left is the provider refusing them.
            throw new IllegalStateException("cannot build the TLS client context (" + config + "): " + e.getMessage(), e);
        }
    }

    /**
     * The TLS handler of a new connection to {@code endpoint}: SNI and the host name checked are the configured
     * host (SNI is not sent for address literals, RFC 6066 §3), and the handshake must finish within the
     * connect timeout.
     */
    static SslHandler newHandler(UpstreamEndpoint endpoint, ByteBufAllocator alloc) {
        SslHandler handler = endpoint.sslContext().newHandler(alloc, endpoint.host(), endpoint.address().getPort());
        handler.setHandshakeTimeoutMillis(endpoint.connectTimeoutMillis());
        return handler;
    }

    /**
     * Logs a failed handshake (a wrong trust store or a certificate for another name is an operator's problem to
     * see at once, not a debug line) and returns the detail for the exchange's log.
     */
    static String handshakeFailed(UpstreamEndpoint endpoint, Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String detail = "TLS handshake with " + endpoint + " failed: " + cause.getClass().getSimpleName() + ": "
                + cause.getMessage() + (root != cause ? " (" + root.getMessage() + ")" : "");
        log.warn("{}", detail);
        return detail;
    }
}
