package io.gozargah.engine.retry;

/** Why a request was sent again: the {@code reason} label of {@code gozargah_upstream_retries_total}. */
public enum RetryReason {
    /** Its reused keep-alive connection turned out closed before any response byte: resent on a fresh one. */
    STALE_CONNECTION("stale-connection"),
    CONNECT_FAILURE("connect-failure"),
    REFUSED_STREAM("refused-stream"),
    RESET("reset"),
    TIMEOUT("timeout"),
    GATEWAY_ERROR("5xx");

    private final String label;

    RetryReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
