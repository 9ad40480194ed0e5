package io.gozargah.engine.config;

import java.net.InetSocketAddress;

/** Reads the {@code portal:} section (schema in config/gozargah.yaml). */
final class PortalConfigReader {
    private PortalConfigReader() {
    }

    static PortalConfig read(ConfigNode node) throws ConfigException {
        ConfigMap m = node.asMap("listen", "sessionLifetime", "maxSessions", "signInRate", "signInBurst",
                "statisticsInterval", "lastTransactions", "maxConnections");
        String host = PortalConfig.DEFAULT_HOST;
        int port = PortalConfig.DEFAULT_PORT;
        ConfigNode listen = m.optional("listen");
        if (listen != null) {
            InetSocketAddress address = AdminConfigReader.listen(listen);
            host = address.getHostString();
            port = address.getPort();
        }
        ConfigNode rateNode = m.optional("signInRate");
        double rate = rateNode == null ? PortalConfig.DEFAULT_SIGN_IN_RATE
                : ConfigLoader.ratePerSecond(rateNode, "every sign-in would be refused");
        return new PortalConfig(host, port,
                m.duration("sessionLifetime", PortalConfig.DEFAULT_SESSION_LIFETIME),
                m.integer("maxSessions", PortalConfig.DEFAULT_MAX_SESSIONS, 1, 10_000_000),
                rate,
                m.integer("signInBurst", PortalConfig.DEFAULT_SIGN_IN_BURST, 1, 1_000),
                m.duration("statisticsInterval", PortalConfig.DEFAULT_STATISTICS_INTERVAL),
                m.integer("lastTransactions", PortalConfig.DEFAULT_LAST_TRANSACTIONS, 1,
                        PortalConfig.MAX_LAST_TRANSACTIONS),
                m.integer("maxConnections", PortalConfig.DEFAULT_MAX_CONNECTIONS, 1, 65_535));
    }
}
