package io.gozargah.engine.config;

/**
 * The operator's admin listener: metrics, health, readiness, reload and drain. Separate from the consumer
 * listeners and bound to loopback unless configured otherwise.
 *
 * @param host  address to bind (default 127.0.0.1)
 * @param port  port to bind (default 9090; 0 picks a free port, for tests)
 * @param token the bearer token every endpoint but /health and /ready requires (from {@code token} or
 *              {@code tokenFile})
 */
public record AdminConfig(String host, int port, String token) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9090;
    /** Shorter tokens are guessable; {@code gozargah keygen} style tokens are 40+ characters. */
    public static final int MIN_TOKEN_LENGTH = 16;

    @Override
    public String toString() {
        return "AdminConfig[" + host + ":" + port + ", token=<hidden>]";
    }
}
