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
 * @param admin     the admin listener, or null when the config has none
 * @param metrics   what per-request metrics are kept
 */
public record GatewayConfig(Path source, ServerConfig server, LimitsConfig limits,
                            Map<String, ProviderConfig> providers, Map<String, ConsumerConfig> consumers,
                            AdminConfig admin, MetricsConfig metrics) {

    /** A config without an admin listener and with default metrics (tests, embedding). */
    public GatewayConfig(Path source, ServerConfig server, LimitsConfig limits,
                         Map<String, ProviderConfig> providers, Map<String, ConsumerConfig> consumers) {
        this(source, server, limits, providers, consumers, null, MetricsConfig.defaults());
    }
}
