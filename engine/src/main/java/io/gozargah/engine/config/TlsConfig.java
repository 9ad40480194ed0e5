package io.gozargah.engine.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * TLS on one listener. Paths are resolved against the config file's directory; the files are read when the
 * config is loaded, so a reload picks up new certificate files.
 *
 * @param certificate PEM certificate chain, the server's certificate first
 * @param key         PEM private key (PKCS#8) of that certificate
 * @param clientAuth  whether clients are asked for a certificate, and whether they must present one
 * @param trustedCas  PEM certificates of the CAs whose client certificates are trusted (null with NONE)
 * @param sessions    how a client resumes a session instead of a full handshake
 */
public record TlsConfig(Path certificate, Path key, ClientAuth clientAuth, Path trustedCas, Sessions sessions) {

    /** A listener with the default session settings. */
    public TlsConfig(Path certificate, Path key, ClientAuth clientAuth, Path trustedCas) {
        this(certificate, key, clientAuth, trustedCas, Sessions.defaults());
    }

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

    /**
     * Session resumption (RFC 8446 §2.2, RFC 5077): a client that comes back within {@code timeout} skips the
     * certificate and key exchange of a full handshake. TLS 1.3 resumes only from tickets; TLS 1.2 from a
     * ticket or from the server's cache of session ids.
     *
     * @param cacheSize         sessions the server keeps for TLS 1.2 resumption by session id
     * @param timeout           a session's lifetime, in the cache and in a ticket (its lifetime hint)
     * @param tickets           whether tickets are issued (encrypted with the listener's own rotating keys)
     * @param ticketKeyRotation how long a ticket key encrypts new tickets before a new one takes over; a replaced
     *                          key still decrypts for {@code timeout}, as long as a ticket it sealed can be valid
     */
    public record Sessions(int cacheSize, Duration timeout, boolean tickets, Duration ticketKeyRotation) {
        public static final int MAX_CACHE_SIZE = 10_000_000;
        /** RFC 8446 §4.6.1: a ticket lives at most 7 days. */
        public static final Duration MAX_TIMEOUT = Duration.ofDays(7);
        /** Rotating more often than this buys nothing and leaves more keys to try. */
        public static final Duration MIN_TICKET_KEY_ROTATION = Duration.ofMinutes(1);

        public static Sessions defaults() {
            return new Sessions(20_480, Duration.ofHours(1), true, Duration.ofHours(1));
        }
    }
}
