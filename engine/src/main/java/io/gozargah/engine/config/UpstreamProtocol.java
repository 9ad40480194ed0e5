package io.gozargah.engine.config;

/** What a provider's endpoints speak (key {@code protocol} of a provider). */
public enum UpstreamProtocol {
    /** HTTP/1.1 over pooled keep-alive connections; over TLS for {@code https://} endpoints. */
    HTTP1("http1"),
    /** HTTP/2 over TLS, negotiated with ALPN (RFC 9113 §3.2): {@code https://} endpoints only. */
    H2("h2"),
    /** HTTP/2 over cleartext TCP with prior knowledge (RFC 9113 §3.3): {@code http://} endpoints only. */
    H2C("h2c");

    private final String configName;

    UpstreamProtocol(String configName) {
        this.configName = configName;
    }

    /** The name used in configuration. */
    public String configName() {
        return configName;
    }

    public boolean multiplexed() {
        return this != HTTP1;
    }
}
