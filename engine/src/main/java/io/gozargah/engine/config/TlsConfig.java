package io.gozargah.engine.config;

import java.nio.file.Path;

/**
 * TLS on one listener. Paths are resolved against the config file's directory; the files are read when the
 * config is loaded, so a reload picks up new certificate files.
 *
 * @param certificate PEM certificate chain, the server's certificate first
 * @param key         PEM private key (PKCS#8) of that certificate
 * @param clientAuth  whether clients are asked for a certificate, and whether they must present one
 * @param trustedCas  PEM certificates of the CAs whose client certificates are trusted (null with NONE)
 */
public record TlsConfig(Path certificate, Path key, ClientAuth clientAuth, Path trustedCas) {

    /** Client certificate policy of a TLS listener. */
    public enum ClientAuth {
        /** No certificate is asked for. */
        NONE,
        /**
         * A certificate is asked for; one that does not verify (unknown issuer, expired, not yet valid) is
         * treated as absent, so the request must identify itself by API key.
         */
        OPTIONAL,
        /** A certificate that verifies against {@code trustedCas} is required: anything else fails the handshake. */
        REQUIRE
    }
}
