package io.gozargah.engine.config;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A service's {@code retry}: which failures send a request again, for which methods, how often, how soon and with
 * how much of its body kept for the purpose. The defaults are a production gateway's: the methods RFC 9110 §9.2.2
 * calls idempotent, and only the failures that prove the provider never answered (it could not be reached, or the
 * connection closed or was reset before a response byte came, or an HTTP/2 provider refused the stream).
 *
 * @param on            the failures that send a request again
 * @param methods       the methods that may be sent again, upper case; a request with a body is replayed only when
 *                      its method is here and the body was at most {@code maxBodyBytes}
 * @param maxAttempts   sends of one request in all, the first included (1: no retry other than the resend on a fresh
 *                      connection after a reused one turned out closed, which is not counted)
 * @param perTryTimeout how long one attempt waits for its response head, or null for the service's responseTimeout
 *                      (the service's responseTimeout stays the limit over all attempts)
 * @param backoff       the base delay before a retry; each is jittered between half of it and the whole, doubling
 *                      with each further retry
 * @param maxBodyBytes  the largest request body kept for a replay; a longer one is never sent again
 */
public record RetryConfig(Set<On> on, Set<String> methods, int maxAttempts, Duration perTryTimeout,
                          Duration backoff, long maxBodyBytes) {

    /** The idempotent methods of RFC 9110 §9.2.2 that services use. */
    public static final Set<String> DEFAULT_METHODS = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");
    public static final Set<On> DEFAULT_ON = Set.of(On.CONNECT_FAILURE, On.REFUSED_STREAM, On.RESET);
    public static final int DEFAULT_MAX_ATTEMPTS = 2;
    public static final Duration DEFAULT_BACKOFF = Duration.ofMillis(25);
    public static final long DEFAULT_MAX_BODY_BYTES = 64 * 1024;

    /** The retry settings of a service that says nothing of them. */
    public static final RetryConfig DEFAULT = new RetryConfig(DEFAULT_ON, DEFAULT_METHODS, DEFAULT_MAX_ATTEMPTS, null,
            DEFAULT_BACKOFF, DEFAULT_MAX_BODY_BYTES);

    /** A failure that may send a request again. */
    public enum On {
        /** The provider could not be reached (connect refused or timed out, TLS handshake failed). */
        CONNECT_FAILURE("connect-failure"),
        /** An HTTP/2 provider refused the stream (REFUSED_STREAM, or past its GOAWAY): it did not process it. */
        REFUSED_STREAM("refused-stream"),
        /** The connection closed or was reset before any byte of the response. */
        RESET("reset"),
        /** No response head within the per-try timeout. */
        TIMEOUT("timeout"),
        /** The provider answered 502, 503 or 504. */
        GATEWAY_ERROR("5xx");

        private final String configName;

        On(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        /** The failure named {@code name} in config, or null. */
        public static On of(String name) {
            for (On o : values()) {
                if (o.configName.equals(name)) {
                    return o;
                }
            }
            return null;
        }

        /** The names config accepts, for errors. */
        public static List<String> names() {
            return List.of("connect-failure", "refused-stream", "reset", "timeout", "5xx");
        }
    }
}
