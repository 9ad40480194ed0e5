package io.gozargah.engine.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * A whole, validated configuration: what one YAML file says. Immutable; the engine builds its routing
 * snapshot from it. Maps keep the file's order.
 *
 * @param source    the file it was read from (null when built in code, e.g. by tests)
 * @param server    listeners, event loops, timeouts of the consumer side
 * @param limits    HTTP/1.1 parsing and body limits
 * @param providers by provider name
 * @param consumers by consumer name
 * @param http2     HTTP/2 limits of the consumer side
 */
public record GatewayConfig(Path source, ServerConfig server, LimitsConfig limits,
                            Map<String, ProviderConfig> providers, Map<String, ConsumerConfig> consumers,
                            Http2Config http2) {

    /** A configuration with the default HTTP/2 limits. */
    public GatewayConfig(Path source, ServerConfig server, LimitsConfig limits, Map<String, ProviderConfig> providers,
                         Map<String, ConsumerConfig> consumers) {
        this(source, server, limits, providers, consumers, Http2Config.defaults());
    }
}
