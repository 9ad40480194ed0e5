package io.gozargah.engine.config;

import java.time.Duration;

/**
 * The services marketplace portal: a listener of its own serving the catalogue, a consumer's own view and the
 * monthly statistics. Off unless the config has a {@code portal:} section.
 *
 * @param host               address to bind
 * @param port               port to bind (0 picks a free port, for tests)
 * @param sessionLifetime    a signed-in session ends this long after sign-in
 * @param maxSessions        most sessions held at once; past it the oldest is dropped
 * @param signInRate         sign-in attempts per second one client address may keep up
 * @param signInBurst        sign-in attempts one client address may make at once
 * @param statisticsInterval how often the monthly statistics are recomputed from the journal
 * @param lastTransactions   most of its own transactions a consumer's page lists
 * @param maxConnections     most portal connections open at once; past it a new one is closed at once
 */
public record PortalConfig(String host, int port, Duration sessionLifetime, int maxSessions, double signInRate,
                           int signInBurst, Duration statisticsInterval, int lastTransactions, int maxConnections) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8088;
    /** A working session of a developer; the key is asked for again after it. */
    public static final Duration DEFAULT_SESSION_LIFETIME = Duration.ofHours(1);
    /** Each session is a few hundred bytes: the cap bounds memory whatever a client does. */
    public static final int DEFAULT_MAX_SESSIONS = 10_000;
    /** An honest developer mistypes a key a few times; guessing a 256-bit key needs far more. */
    public static final double DEFAULT_SIGN_IN_RATE = 1.0 / 6;
    public static final int DEFAULT_SIGN_IN_BURST = 10;
    public static final Duration DEFAULT_STATISTICS_INTERVAL = Duration.ofMinutes(10);
    public static final int DEFAULT_LAST_TRANSACTIONS = 20;
    public static final int MAX_LAST_TRANSACTIONS = 1_000;
    public static final int DEFAULT_MAX_CONNECTIONS = 256;

    /** A portal on {@code host:port} with every other setting at its default. */
    public PortalConfig(String host, int port) {
        this(host, port, DEFAULT_SESSION_LIFETIME, DEFAULT_MAX_SESSIONS, DEFAULT_SIGN_IN_RATE, DEFAULT_SIGN_IN_BURST,
                DEFAULT_STATISTICS_INTERVAL, DEFAULT_LAST_TRANSACTIONS, DEFAULT_MAX_CONNECTIONS);
    }
}
