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
 * @param admission billing calendar and counters file
 * @param journal   the transaction journal ({@link JournalConfig#disabled()} when the file has no section)
 * @param admin     the admin listener, or null when the config has none
 * @param metrics   what per-request metrics are kept
 * @param http2     HTTP/2 limits of the consumer side
 * @param portal    the services marketplace portal, or null when the config has none
 */
public record GatewayConfig(Path source, ServerConfig server, LimitsConfig limits,
                            Map<String, ProviderConfig> providers, Map<String, ConsumerConfig> consumers,
                            AdmissionConfig admission, JournalConfig journal, AdminConfig admin, MetricsConfig metrics,
                            Http2Config http2, PortalConfig portal) {

    /**
     * A config with the default admission section, no journal, no admin listener, default metrics and HTTP/2
     * limits (tests).
     */
    public GatewayConfig(Path source, ServerConfig server, LimitsConfig limits, Map<String, ProviderConfig> providers,
                         Map<String, ConsumerConfig> consumers) {
        this(source, server, limits, providers, consumers, AdmissionConfig.defaults(source), JournalConfig.disabled(),
                null, MetricsConfig.defaults(), Http2Config.defaults(), null);
    }

    /** A config without a portal. */
    public GatewayConfig(Path source, ServerConfig server, LimitsConfig limits, Map<String, ProviderConfig> providers,
                         Map<String, ConsumerConfig> consumers, AdmissionConfig admission, JournalConfig journal,
                         AdminConfig admin, MetricsConfig metrics, Http2Config http2) {
        this(source, server, limits, providers, consumers, admission, journal, admin, metrics, http2, null);
    }
}
