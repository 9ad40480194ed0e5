package io.gozargah.engine.tls;

import io.gozargah.engine.auth.ClientCertificate;
import io.gozargah.engine.config.TlsConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionStats;
import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;

/**
 * TLS of one listener: the server context built from the listener's PEM files, behind a volatile reference so
 * a reload swaps in new certificate files for new handshakes while connections already open keep theirs.
 *
 * <p>BoringSSL (netty-tcnative) when its native library loads, else the JDK's provider, said once in the log.
 * The BoringSSL context and its engines are reference-counted ({@link SslProvider#OPENSSL_REFCNT}): an engine
 * is freed when its connection's {@link SslHandler} goes, not by a finalizer after a GC, and a context when the
 * last engine made from it is gone after a reload swapped it out. TLS 1.2 and 1.3 only; cipher suites are the
 * ECDHE AEAD ones RFC 9113 §9.2.2 allows for HTTP/2 (Netty's {@link Http2SecurityUtil#CIPHERS}, Mozilla's
 * "intermediate" list, AES-GCM first, which AES-NI makes the cheapest), in the server's order, so no CBC, RSA
 * key exchange or SHA-1 MAC. ALPN offers {@code h2} then {@code http/1.1}.
 *
 * <p>Sessions resume from the listener's session cache (TLS 1.2) or from tickets sealed with keys this class
 * holds and rotates ({@link #rotateTicketKeys}, on the schedule the gateway keeps): one set of keys for the
 * whole listener, so whichever loop a client reconnects to opens its ticket, and a reload's new context gets
 * the same keys. Session settings are read at start; a reload re-reads the files only.
 */
public final class ServerTls implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServerTls.class);
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final SslProvider PROVIDER = chooseProvider();

    private final String listener;
    private final TlsConfig.Sessions sessions;
    /** Null when tickets are off, or on the JDK provider (which keeps its own keys). */
    private final TicketKeyRing ticketKeys;
    private volatile Built current;
    private boolean closed;

    /** A built context and the strict verifier of an optional-auth listener (null otherwise). */
    private record Built(SslContext context, X509TrustManager optionalVerifier) {
    }

    private ServerTls(String listener, TlsConfig.Sessions sessions, TicketKeyRing ticketKeys, Built built) {
        this.listener = listener;
        this.sessions = sessions;
        this.ticketKeys = ticketKeys;
        this.current = built;
    }

    /** Builds the listener's context; fails with a message naming the file when a file cannot be used. */
    public static ServerTls create(String listener, TlsConfig config) throws IOException, GeneralSecurityException {
        TicketKeyRing keys = config.sessions().tickets() && PROVIDER != SslProvider.JDK
                ? new TicketKeyRing(new SecureRandom(), config.sessions().timeout().toNanos()) : null;
        return new ServerTls(listener, config.sessions(), keys, build(config, config.sessions(), keys));
    }

    /** Checks that {@code config}'s files make a working context (config load: an error is the operator's). */
    public static void validate(TlsConfig config) throws IOException, GeneralSecurityException {
        ReferenceCountUtil.release(build(config, config.sessions(), null).context());
    }

    /** The provider in use: OPENSSL_REFCNT (BoringSSL) or JDK. */
    public static SslProvider provider() {
        return PROVIDER;
    }

    /** The context new handshakes use (the caller must not hold on to it: a reload may free it). */
    public SslContext context() {
        return current.context();
    }

    /** How often {@link #rotateTicketKeys} should run, or 0 when this listener has no ticket keys of its own. */
    public long ticketKeyRotationNanos() {
        return ticketKeys == null ? 0 : sessions.ticketKeyRotation().toNanos();
    }

    /**
     * The TLS handler of a new connection, from the context in force. A reload may swap and release that context
     * between reading it and making the engine: the context is retained across the call, and when the retain
     * fails (the context was just freed) the new one is read again. No lock: this runs on an event loop.
     */
    public SslHandler newHandler(ByteBufAllocator alloc) {
        for (;;) {
            SslContext context = current.context();
            if (!(context instanceof ReferenceCounted counted)) {
                return context.newHandler(alloc);
            }
            try {
                counted.retain();
            } catch (IllegalReferenceCountException swappedAndFreed) {
                continue;
            }
            try {
                return context.newHandler(alloc);
            } finally {
                counted.release();
            }
        }
    }

    /**
     * Re-reads the certificate, key and CA files and swaps the context in for new handshakes. Open connections
     * are untouched. On failure the running context stays and the exception says why.
     */
    public synchronized void reload(TlsConfig config) throws IOException, GeneralSecurityException {
        if (closed) {
            return;
        }
        if (!config.sessions().equals(sessions)) {
            log.warn("listener {}: TLS session settings changed; they apply at the next start (running with {})",
                    listener, sessions);
        }
        Built old = current;
        current = build(config, sessions, ticketKeys);
        // Connections open on the old context hold their own references to it (their engines).
        ReferenceCountUtil.release(old.context());
        log.info("listener {}: TLS certificate files reloaded", listener);
    }

    /** A new ticket key seals tickets from now on; keys replaced longer than the session lifetime ago go. */
    public synchronized void rotateTicketKeys(long nowNanos) {
        if (ticketKeys == null || closed) {
            return;
        }
        ticketKeys.rotate(nowNanos);
        applyTicketKeys(current.context(), ticketKeys);
        log.debug("listener {}: TLS session ticket key rotated", listener);
    }

    /**
     * Resumption counters of the context in force (null on the JDK provider); a reload's new context starts
     * from zero.
     */
    public OpenSslSessionStats sessionStats() {
        SslContext context = current.context();
        return context instanceof ReferenceCountedOpenSslContext openSsl ? openSsl.sessionContext().stats() : null;
    }

    /** Releases the context in force; connections still open keep theirs until they close. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            ReferenceCountUtil.release(current.context());
        }
    }

    /**
     * The client certificate of a completed handshake as a credential. On an optional-auth listener the
     * handshake let an unverifiable certificate through; it is verified here and, if it fails, counts as
     * rejected (absent), never as an identity.
     */
    public ClientCertificate clientCertificate(SSLSession session) {
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return ClientCertificate.NONE;
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate)) {
            return ClientCertificate.NONE;
        }
        X509Certificate[] x509 = new X509Certificate[chain.length];
        for (int i = 0; i < chain.length; i++) {
            if (!(chain[i] instanceof X509Certificate)) {
                return ClientCertificate.rejected();
            }
            x509[i] = (X509Certificate) chain[i];
        }
        X509TrustManager verifier = current.optionalVerifier();
        if (verifier != null) {
            try {
                verifier.checkClientTrusted(x509, x509[0].getPublicKey().getAlgorithm());
            } catch (CertificateException e) {
                log.debug("listener {}: client certificate ignored: {}", listener, e.getMessage());
                return ClientCertificate.rejected();
            }
        }
        return ClientCertificate.verified(x509[0]);
    }

    private static Built build(TlsConfig config, TlsConfig.Sessions sessions, TicketKeyRing ticketKeys)
            throws IOException, GeneralSecurityException {
        // BoringSSL would take a key that does not belong to the certificate and fail every handshake later:
        // a reload must refuse such a pair instead of swapping it in.
        KeyPairCheck.requireMatching(config.certificate(), config.key());
        SslContextBuilder builder;
        try (InputStream chain = Files.newInputStream(config.certificate());
             InputStream key = Files.newInputStream(config.key())) {
            builder = SslContextBuilder.forServer(chain, key);
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("cannot read the certificate chain or key (PEM expected): "
                    + e.getMessage(), e);
        }
        builder.sslProvider(PROVIDER)
                .protocols(PROTOCOLS)
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .sessionCacheSize(sessions.cacheSize())
                .sessionTimeout(sessions.timeout().toSeconds())
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1));
        X509TrustManager optionalVerifier = null;
        switch (config.clientAuth()) {
            case REQUIRE: {
                X509TrustManager strict = trustManager(config);
                builder.clientAuth(ClientAuth.REQUIRE).trustManager(strict);
                break;
            }
            case OPTIONAL: {
                X509TrustManager strict = trustManager(config);
                // The handshake must not fail on a certificate we would ignore anyway: accept it there and
                // verify it once the handshake is done (clientCertificate), where failing means "absent".
                builder.clientAuth(ClientAuth.OPTIONAL).trustManager(new LenientClientTrust(strict));
                optionalVerifier = strict;
                break;
            }
            case NONE:
            default:
                builder.clientAuth(ClientAuth.NONE);
                break;
        }
        SslContext context;
        try {
            context = builder.build();
        } catch (javax.net.ssl.SSLException e) {
            throw new GeneralSecurityException("the certificate and key do not make a TLS context: " + e.getMessage(),
                    e);
        }
        if (ticketKeys != null) {
            applyTicketKeys(context, ticketKeys);
        }
        return new Built(context, optionalVerifier);
    }

    /**
     * Hands the keys to BoringSSL: the first seals, all open. Netty's contexts start with tickets off
     * (SSL_OP_NO_TICKET) unless a system property says otherwise; setting keys turns them on.
     */
    private static void applyTicketKeys(SslContext context, TicketKeyRing ticketKeys) {
        if (context instanceof ReferenceCountedOpenSslContext openSsl) {
            openSsl.sessionContext().setTicketKeys(ticketKeys.keys());
        }
    }

    /** PKIX trust in exactly the CAs of the listener's {@code trustedCas} file. */
    private static X509TrustManager trustManager(TlsConfig config) throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> cas;
        try (InputStream in = Files.newInputStream(config.trustedCas())) {
            cas = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (cas.isEmpty()) {
            throw new CertificateException("no certificate in " + config.trustedCas());
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int i = 0;
        for (Certificate ca : cas) {
            store.setCertificateEntry("ca-" + i++, ca);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (javax.net.ssl.TrustManager tm : factory.getTrustManagers()) {
            if (tm instanceof X509TrustManager) {
                return (X509TrustManager) tm;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager available");
    }

    private static SslProvider chooseProvider() {
        if (OpenSsl.isAvailable() && SslProvider.isAlpnSupported(SslProvider.OPENSSL_REFCNT)) {
            log.info("TLS through {} (netty-tcnative)", OpenSsl.versionString());
            return SslProvider.OPENSSL_REFCNT;
        }
        Throwable cause = OpenSsl.unavailabilityCause();
        log.warn("TLS falls back to the JDK provider (slower handshakes and records): the native BoringSSL"
                + " library could not load: {}", cause == null ? "ALPN unsupported" : cause.toString());
        return SslProvider.JDK;
    }
}
