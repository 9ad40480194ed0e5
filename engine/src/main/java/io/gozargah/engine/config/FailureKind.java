package io.gozargah.engine.config;

/** An endpoint outcome that counts towards its outlier ejection (key {@code outlierDetection.on}). */
public enum FailureKind {
    /** The TCP connect (or TLS handshake) failed or timed out. */
    CONNECT("connect"),
    /** The connection failed or was reset before a complete response. */
    RESET("reset"),
    /** No response head within the service's responseTimeout. */
    TIMEOUT("timeout"),
    /** A 502, 503 or 504 answer: the provider's own gateway failed (Envoy's "gateway errors"). */
    GATEWAY("gateway"),
    /** Any 5xx answer. */
    SERVER_ERROR("5xx");

    private final String configName;

    FailureKind(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }
}
