package io.gozargah.engine.testing;

import io.gozargah.engine.config.ConfigLoader;
import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.exchange.ExchangeStage;
import io.gozargah.engine.server.Gateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A gateway on 127.0.0.1 (ephemeral port) configured from YAML text, with one provider {@code prov}
 * pointing at a test upstream and consumers {@code alice} (granted {@code prov/svc}) and {@code bob}
 * (no grants).
 */
public final class GatewayFixture implements AutoCloseable {
    public static final String ALICE_KEY = "gzk_test_alice_0123456789abcdef";
    public static final String BOB_KEY = "gzk_test_bob_fedcba9876543210";

    private final Gateway gateway;
    private final Path configFile;
    private boolean closed;

    private GatewayFixture(Gateway gateway, Path configFile) {
        this.gateway = gateway;
        this.configFile = configFile;
    }

    /** The standard test config; {@code extraServiceYaml} adds lines under {@code services:} of prov (4-space indent level 6). */
    public static String standardYaml(int upstreamPort, String providerExtra, String limitsYaml) {
        return ""
                + "server:\n"
                + "  listeners:\n"
                + "    - { name: test, host: 127.0.0.1, port: 0 }\n"
                + "  eventLoops: 2\n"
                + "  transport: " + System.getProperty("gozargah.test.transport", "auto") + "\n"
                + "  idleTimeout: 30s\n"
                + "  requestHeadTimeout: 5s\n"
                + "  shutdownGrace: 2s\n"
                + (limitsYaml == null ? "" : "limits:\n" + limitsYaml)
                + "providers:\n"
                + "  prov:\n"
                + "    endpoints: [ \"http://127.0.0.1:" + upstreamPort + "/base\" ]\n"
                + "    connectTimeout: 1s\n"
                + "    responseTimeout: 2s\n"
                + (providerExtra == null ? "" : providerExtra)
                + "    services:\n"
                + "      svc:\n"
                + "        path: /api/svc\n"
                + "        methods: [ GET, HEAD, POST, PUT ]\n"
                + "      slow:\n"
                + "        path: /slow\n"
                + "        methods: [ GET ]\n"
                + "        responseTimeout: 300ms\n"
                + "      root:\n"
                + "        path: /\n"
                + "        methods: [ GET ]\n"
                + "consumers:\n"
                + "  alice:\n"
                + "    apiKeys: [ \"" + io.gozargah.engine.auth.ApiKeys.configHash(ALICE_KEY) + "\" ]\n"
                + "    grants:\n"
                + "      - service: prov/svc\n"
                + "      - service: prov/slow\n"
                + "      - service: prov/root\n"
                + "  bob:\n"
                + "    apiKeys: [ \"" + io.gozargah.engine.auth.ApiKeys.configHash(BOB_KEY) + "\" ]\n"
                + "    grants: []\n";
    }

    public static GatewayFixture start(String yaml) throws Exception {
        return start(yaml, List.of());
    }

    /** A gateway from {@code yaml} with {@code stages} after its built-in exchange stages. */
    public static GatewayFixture start(String yaml, List<? extends ExchangeStage> stages) throws Exception {
        Path dir = Files.createTempDirectory("gozargah-test");
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, yaml);
        GatewayConfig config = ConfigLoader.load(file);
        return new GatewayFixture(Gateway.start(config, stages), file);
    }

    /** A gateway from a config file already written (its relative paths resolve against its directory). */
    public static GatewayFixture start(Path file) throws Exception {
        return new GatewayFixture(Gateway.start(ConfigLoader.load(file), List.of()), file);
    }

    public static GatewayFixture start(int upstreamPort) throws Exception {
        return start(standardYaml(upstreamPort, null, null));
    }

    public int port() {
        return gateway.boundAddresses().get(0).getPort();
    }

    /** The config file the gateway was started from (in its own temporary directory, with its counters file). */
    public Path configFile() {
        return configFile;
    }

    public Gateway gateway() {
        return gateway;
    }

    /** Stops the gateway; once only (a test may close it early to read its journal, and its set-up again). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        gateway.close();
    }
}
