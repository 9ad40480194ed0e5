package io.gozargah.engine.auth;

import io.gozargah.engine.route.Consumer;
import io.gozargah.engine.route.RoutingSnapshot;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/**
 * The client certificate of one connection as a credential: the SHA-256 fingerprint of its DER encoding
 * (what config lists per consumer), taken once when the handshake completes. A certificate that did not
 * verify (an optional-auth listener lets such a handshake through) is kept only as "rejected", so the
 * problem detail can say why it did not count; it never identifies anyone.
 */
public final class ClientCertificate {
    /** No certificate (cleartext, a listener that asks for none, or a client that sent none). */
    public static final ClientCertificate NONE = new ClientCertificate(null, false);

    private final byte[] fingerprint;
    private final boolean rejected;
    private RoutingSnapshot lastSnapshot;
    private Consumer lastConsumer;

    private ClientCertificate(byte[] fingerprint, boolean rejected) {
        this.fingerprint = fingerprint;
        this.rejected = rejected;
    }

    /** A verified certificate. */
    public static ClientCertificate verified(X509Certificate leaf) {
        return new ClientCertificate(fingerprint(leaf), false);
    }

    /** A certificate that was presented but did not verify: treated as absent. */
    public static ClientCertificate rejected() {
        return new ClientCertificate(null, true);
    }

    /** SHA-256 of the certificate's DER encoding (as {@code openssl x509 -fingerprint -sha256} prints it). */
    public static byte[] fingerprint(X509Certificate certificate) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint a certificate we just verified", e);
        }
    }

    /** Whether a verified certificate was presented. */
    public boolean present() {
        return fingerprint != null;
    }

    /** Whether a certificate was presented and ignored because it did not verify. */
    public boolean wasRejected() {
        return rejected;
    }

    /** {@code sha256:<hex>} as config writes it; null when no verified certificate. */
    public String fingerprintText() {
        return fingerprint == null ? null : ApiKeys.HASH_PREFIX + HexFormat.of().formatHex(fingerprint);
    }

    /**
     * The consumer {@code snapshot} maps this certificate to, or null. Looked up once per snapshot: every
     * request of the connection asks, and the answer only changes with a reload. Called on the connection's
     * event loop only.
     */
    public Consumer consumer(RoutingSnapshot snapshot) {
        if (fingerprint == null) {
            return null;
        }
        if (snapshot != lastSnapshot) {
            lastConsumer = snapshot.consumerByCertificate(fingerprint);
            lastSnapshot = snapshot;
        }
        return lastConsumer;
    }
}
