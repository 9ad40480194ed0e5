package io.gozargah.engine.config;

import java.time.Duration;

/**
 * The operator's admin listener: metrics, health, readiness, reload and drain. Separate from the consumer
 * listeners and bound to loopback unless configured otherwise.
 *
 * @param host               address to bind (default 127.0.0.1)
 * @param port               port to bind (default 9090; 0 picks a free port, for tests)
 * @param token              the bearer token every endpoint but /health and /ready requires (from {@code token}
 *                           or {@code tokenFile})
 * @param maxConnections     most admin connections open at once; past it a new one is closed at once
 * @param idleTimeout        a connection waiting this long for its client (for a request's first byte, or to
 *                           take the answer) is closed
 * @param requestHeadTimeout a request must arrive in full within this long of its first byte
 * @param subjectResults     most transactions one {@code GET /admin/subjects/{kind}/{value}} lists; past it the
 *                           answer says {@code truncated} (a narrower {@code from}/{@code to} lists the rest)
 */
public record AdminConfig(String host, int port, String token, int maxConnections, Duration idleTimeout,
                          Duration requestHeadTimeout, int subjectResults) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9090;
    /** Shorter tokens are guessable; {@code gozargah keygen} style tokens are 40+ characters. */
    public static final int MIN_TOKEN_LENGTH = 16;
    /** Scrapers, probes and an operator's tools need a handful; the rest bounds what the listener holds. */
    public static final int DEFAULT_MAX_CONNECTIONS = 64;
    /** A scraper or curl sends its request at once and reads the answer as it comes. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(10);
    /** An admin request is a line, a token and a few fields. */
    public static final Duration DEFAULT_REQUEST_HEAD_TIMEOUT = Duration.ofSeconds(5);
    /** A citizen's year of inquiries is far fewer; the cap bounds the answer a scan builds in memory. */
    public static final int DEFAULT_SUBJECT_RESULTS = 10_000;
    public static final int MAX_SUBJECT_RESULTS = 1_000_000;

    /** A listener with the default connection cap and timeouts. */
    public AdminConfig(String host, int port, String token) {
        this(host, port, token, DEFAULT_MAX_CONNECTIONS, DEFAULT_IDLE_TIMEOUT, DEFAULT_REQUEST_HEAD_TIMEOUT);
    }

    /** A listener with the default cap on subject results. */
    public AdminConfig(String host, int port, String token, int maxConnections, Duration idleTimeout,
                       Duration requestHeadTimeout) {
        this(host, port, token, maxConnections, idleTimeout, requestHeadTimeout, DEFAULT_SUBJECT_RESULTS);
    }

    @Override
    public String toString() {
        return "AdminConfig[" + host + ":" + port + ", token=<hidden>, maxConnections=" + maxConnections
                + ", idleTimeout=" + idleTimeout + ", requestHeadTimeout=" + requestHeadTimeout + ", subjectResults="
                + subjectResults + "]";
    }
}
