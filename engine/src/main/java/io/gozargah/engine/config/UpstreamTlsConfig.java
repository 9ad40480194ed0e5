package io.gozargah.engine.config;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * How a provider's {@code https://} endpoints are trusted.
 *
 * @param trustedCas     the PEM file of CA certificates to trust, or null for the JDK's trust store
 * @param certificates   the certificates read from {@code trustedCas} at load time (empty when it is null)
 * @param fingerprint    SHA-256 of the file's bytes (hex), so a reload that changes the file makes new pools
 * @param verifyHostname whether the certificate must name the endpoint's host (RFC 9110 §4.3.4); on unless
 *                       the configuration turns it off explicitly
 */
public record UpstreamTlsConfig(Path trustedCas, List<X509Certificate> certificates, String fingerprint,
                                boolean verifyHostname) {

    /** JDK trust store, host names verified. */
    public static UpstreamTlsConfig defaults() {
        return new UpstreamTlsConfig(null, List.of(), "", true);
    }

    @Override
    public String toString() {
        return (trustedCas == null ? "jdk-trust" : trustedCas + "#" + fingerprint)
                + (verifyHostname ? "" : "|no-hostname-check");
    }
}
