package io.gozargah.engine.tls;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import java.net.Socket;
import java.security.cert.X509Certificate;

/**
 * The trust manager of an optional-auth listener's handshake: it lets any client certificate through, so a
 * client with an expired or foreign certificate still gets a connection and may identify by API key.
 * {@link ServerTls#clientCertificate} verifies the certificate afterwards with the strict manager; one that
 * fails there is ignored, never trusted. The CAs are still advertised in the CertificateRequest. Trust is
 * all this skips: the TLS stack still checks the client's CertificateVerify signature, so a client cannot
 * present a certificate whose private key it does not hold (RFC 8446 §4.4.3, RFC 5246 §7.4.8).
 */
final class LenientClientTrust extends X509ExtendedTrustManager {
    private final X509TrustManager strict;

    LenientClientTrust(X509TrustManager strict) {
        this.strict = strict;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
        // verified after the handshake
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        // verified after the handshake
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        // verified after the handshake
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
        throw new java.security.cert.CertificateException("a server-side trust manager verifies no servers");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws java.security.cert.CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws java.security.cert.CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return strict.getAcceptedIssuers();
    }
}
