package io.gozargah.engine.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.gozargah.engine.auth.ApiKeys;
import io.gozargah.engine.testing.DemoConfig;
import io.gozargah.engine.testing.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    /** The smallest useful config; {@link ConfigErrorTest} edits it line by line. */
    static final String MINIMAL = """
            server:
              listeners:
                - port: 8080
            providers:
              nocr:
                endpoints: [ "http://127.0.0.1:9201" ]
                services:
                  identity:
                    path: /api/v1/identity
            consumers:
              snapp:
                apiKeys: [ "%s" ]
                grants:
                  - service: nocr/identity
            """.formatted(ApiKeys.configHash("gzk_test_snapp"));

    @TempDir
    Path dir;

    @Test
    void shouldApplyDefaultsToMinimalConfig() throws Exception {
        GatewayConfig config = ConfigLoader.load(write(MINIMAL));

        ServerConfig server = config.server();
        assertEquals(List.of(new ListenerConfig("listener-1", "0.0.0.0", 8080)), server.listeners());
        assertEquals(0, server.eventLoops());
        assertEquals(ServerConfig.Transport.AUTO, server.transport());
        assertEquals(Duration.ofSeconds(60), server.idleTimeout());
        assertEquals(Duration.ofSeconds(10), server.requestHeadTimeout());
        assertEquals(Duration.ofSeconds(30), server.shutdownGrace());
        assertEquals(0, server.maxConnections(), "derived at start");
        assertEquals(0, server.maxConnectionsPerAddress(), "derived at start");
        assertEquals(new AuthFailuresConfig(true, 10, 50, 65_536), server.authFailures());
        assertEquals(LimitsConfig.defaults(), config.limits());
        assertEquals(new LimitsConfig(8192, 100, 32768, 1024, 10_485_760L, 65536,
                LimitsConfig.UnderscoreFields.DROP, 65536), config.limits());

        ProviderConfig nocr = config.providers().get("nocr");
        assertEquals(List.of(new EndpointConfig("http", "127.0.0.1", 9201, "")), nocr.endpoints());
        assertEquals(UpstreamProtocol.HTTP1, nocr.protocol());
        assertEquals(UpstreamTlsConfig.defaults(), nocr.tls());
        assertEquals(Duration.ofSeconds(2), nocr.connectTimeout());
        assertEquals(Duration.ofSeconds(10), nocr.responseTimeout());
        assertEquals(64, nocr.maxConnectionsPerLoop());
        assertEquals(256, nocr.maxPendingAcquisitionsPerLoop());
        assertEquals(Duration.ofSeconds(60), nocr.idleTimeout());
        ServiceConfig identity = nocr.services().get("identity");
        assertEquals(List.of("GET", "HEAD"), List.copyOf(identity.methods()));
        assertNull(identity.responseTimeout());
        assertEquals(Long.MAX_VALUE, nocr.maxResponseBytes(), "no response limit unless configured");
        assertNull(identity.maxResponseBytes());

        ConsumerConfig snapp = config.consumers().get("snapp");
        assertArrayEquals(ApiKeys.sha256("gzk_test_snapp"), snapp.apiKeyHashes().get(0));
        assertEquals(List.of(new GrantConfig("nocr", "identity")), snapp.grants());
        assertNull(snapp.rate());
        assertEquals(0, nocr.maxInFlight());
        assertEquals(0, identity.maxInFlight());
        assertEquals(new AdmissionConfig("persian", ZoneId.of("Asia/Tehran"), dir.resolve("data/counters.dat"), 16384),
                config.admission(), "the counters file is found beside the config file");
    }

    @Test
    void shouldReadRatesQuotasCapsAndTheAdmissionSection() throws Exception {
        GatewayConfig config = ConfigLoader.load(write("""
                server:
                  listeners: [ { port: 8080 } ]
                admission:
                  calendar: gregorian
                  zone: UTC
                  countersFile: /var/lib/gozargah/counters.dat
                  counterSlots: 1024
                providers:
                  nocr:
                    endpoints: [ "http://127.0.0.1:9201" ]
                    maxInFlight: 300
                    services:
                      identity: { path: /id, maxInFlight: 100 }
                      photo: { path: /photo }
                      card: { path: /card }
                      health: { path: /health }
                consumers:
                  snapp:
                    apiKeys: [ "%s" ]
                    rate: 600/m
                    burst: 20
                    grants:
                      - { service: nocr/identity, rate: 100, burst: 200, quotaDay: 10000, quotaMonth: 200000 }
                      - { service: nocr/photo, rate: 25/s }
                      - { service: nocr/card, rate: 36/h }
                      - { service: nocr/health, rate: 5/s, quotaMonth: 7 }
                """.formatted(ApiKeys.configHash("gzk_test_snapp"))));

        assertEquals(new AdmissionConfig("gregorian", ZoneId.of("UTC"), Path.of("/var/lib/gozargah/counters.dat"), 1024),
                config.admission());
        ProviderConfig nocr = config.providers().get("nocr");
        assertEquals(300, nocr.maxInFlight());
        assertEquals(100, nocr.services().get("identity").maxInFlight());
        assertEquals(0, nocr.services().get("photo").maxInFlight());
        ConsumerConfig snapp = config.consumers().get("snapp");
        assertEquals(new RateLimitConfig(10, 20), snapp.rate());
        assertEquals(List.of(
                new GrantConfig("nocr", "identity", new RateLimitConfig(100, 200), 10_000, 200_000),
                new GrantConfig("nocr", "photo", new RateLimitConfig(25, 25), 0, 0),
                new GrantConfig("nocr", "card", new RateLimitConfig(0.01, 1), 0, 0),
                new GrantConfig("nocr", "health", new RateLimitConfig(5, 5), 0, 7)), snapp.grants(),
                "the burst defaults to one second of the rate, at least 1");
    }

    @Test
    void shouldReadResponseLimitsPerProviderAndService() throws Exception {
        GatewayConfig config = ConfigLoader.load(write(MINIMAL.replace("    endpoints:", "    maxResponseBytes: 16MiB\n    endpoints:")
                .replace("path: /api/v1/identity", "path: /api/v1/identity\n        maxResponseBytes: 4096")));
        ProviderConfig nocr = config.providers().get("nocr");
        assertEquals(16L << 20, nocr.maxResponseBytes());
        assertEquals(4096L, nocr.services().get("identity").maxResponseBytes());

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(write(
                MINIMAL.replace("path: /api/v1/identity", "path: /api/v1/identity\n        maxResponseBytes: 10MB"))));
        assertTrue(e.getMessage().contains("gateway.yaml:") && e.getMessage().contains("maxResponseBytes"),
                e.getMessage());
    }

    @Test
    void shouldReadRetrySettingsAndDefaultThemToIdempotentMethodsAndProvenFailures() throws Exception {
        GatewayConfig defaults = ConfigLoader.load(write(MINIMAL));
        RetryConfig d = defaults.providers().get("nocr").services().get("identity").retry();
        assertEquals(RetryConfig.DEFAULT, d);
        assertEquals(Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE"), d.methods());
        assertEquals(Set.of(RetryConfig.On.CONNECT_FAILURE, RetryConfig.On.REFUSED_STREAM, RetryConfig.On.RESET),
                d.on());
        assertEquals(2, d.maxAttempts());
        assertNull(d.perTryTimeout());
        assertEquals(64 * 1024, d.maxBodyBytes());

        GatewayConfig config = ConfigLoader.load(write(MINIMAL.replace("path: /api/v1/identity",
                "path: /api/v1/identity\n        methods: [ GET, POST ]\n        retry: { on: [ reset, 5xx, timeout ],"
                        + " methods: [ POST ], maxAttempts: 3, perTryTimeout: 300ms, backoff: 10ms,"
                        + " maxBodyBytes: 8KiB }")));
        RetryConfig r = config.providers().get("nocr").services().get("identity").retry();
        assertEquals(Set.of(RetryConfig.On.RESET, RetryConfig.On.GATEWAY_ERROR, RetryConfig.On.TIMEOUT), r.on());
        assertEquals(Set.of("POST"), r.methods());
        assertEquals(3, r.maxAttempts());
        assertEquals(Duration.ofMillis(300), r.perTryTimeout());
        assertEquals(Duration.ofMillis(10), r.backoff());
        assertEquals(8192, r.maxBodyBytes());

        GatewayConfig none = ConfigLoader.load(write(MINIMAL.replace("path: /api/v1/identity",
                "path: /api/v1/identity\n        retry: { on: [], methods: [] }")));
        RetryConfig n = none.providers().get("nocr").services().get("identity").retry();
        assertTrue(n.on().isEmpty());
        assertTrue(n.methods().isEmpty());
    }

    @Test
    void shouldHaveNoCacheUnlessAServiceAsksForOne() throws Exception {
        GatewayConfig config = ConfigLoader.load(write(MINIMAL));
        assertNull(config.providers().get("nocr").services().get("identity").cache());
    }

    @Test
    void shouldReadAnEmptyCacheBlockAsAllDefaults() throws Exception {
        GatewayConfig config = ConfigLoader.load(write(MINIMAL.replace("path: /api/v1/identity",
                "path: /api/v1/identity\n        cache: {}")));
        CacheConfig c = config.providers().get("nocr").services().get("identity").cache();
        assertEquals(new CacheConfig(Duration.ofMinutes(10), 256L << 20, 1L << 20, true, true, List.of(),
                CacheConfig.Scope.SHARED, Set.of(200, 404), Duration.ZERO, false), c);

        GatewayConfig small = ConfigLoader.load(write(MINIMAL.replace("path: /api/v1/identity",
                "path: /api/v1/identity\n        cache: { maxBytes: 64KiB }")));
        assertEquals(64 * 1024, small.providers().get("nocr").services().get("identity").cache().maxEntryBytes(),
                "an entry's default is the whole cache when that is smaller than 1MiB");
    }

    @Test
    void shouldReadEveryCacheSetting() throws Exception {
        GatewayConfig config = ConfigLoader.load(write(MINIMAL.replace("path: /api/v1/identity", """
                path: /api/v1/identity
                        methods: [ GET ]
                        passFields: [ X-Real-IP ]
                        cache:
                          ttl: 90s
                          maxBytes: 2GiB
                          maxEntryBytes: 64KiB
                          key: [ query ]
                          varyHeaders: [ Accept-Language, accept, X-Real-IP ]
                          scope: consumer
                          statuses: [ 200, 203, 410 ]
                          staleIfError: 1h
                          allowConsumerBypass: true""")));
        CacheConfig c = config.providers().get("nocr").services().get("identity").cache();
        assertEquals(Duration.ofSeconds(90), c.ttl());
        assertEquals(2L << 30, c.maxBytes());
        assertEquals(64 * 1024, c.maxEntryBytes());
        assertFalse(c.keyPath());
        assertTrue(c.keyQuery());
        assertEquals(List.of("accept-language", "accept", "x-real-ip"), c.varyHeaders());
        assertEquals(CacheConfig.Scope.CONSUMER, c.scope());
        assertEquals(Set.of(200, 203, 410), c.statuses());
        assertTrue(c.keepsStatus(410));
        assertFalse(c.keepsStatus(404));
        assertEquals(Duration.ofHours(1), c.staleIfError());
        assertTrue(c.allowConsumerBypass());
    }

    @Test
    void shouldTakeZeroInAnyUnitAsNeverServingStale() throws Exception {
        for (String zero : List.of("0", "0s", "0ms", "0m")) {
            GatewayConfig config = ConfigLoader.load(write(MINIMAL.replace("path: /api/v1/identity",
                    "path: /api/v1/identity\n        cache: { staleIfError: " + zero + " }")));
            assertEquals(Duration.ZERO, config.providers().get("nocr").services().get("identity").cache()
                    .staleIfError(), zero);
        }
    }

    @Test
    void shouldHaveNoAdminListenerAndDefaultMetricsUnlessConfigured() throws Exception {
        GatewayConfig config = ConfigLoader.load(write(MINIMAL));
        assertNull(config.admin());
        assertEquals(new MetricsConfig(true, 4096), config.metrics());
    }

    @Test
    void shouldReadTheAdminTokenFromAFileBesideTheConfig() throws Exception {
        Files.writeString(dir.resolve("admin-token"), "  from-a-file-0123456789\n");
        GatewayConfig config = ConfigLoader.load(write(MINIMAL + "admin:\n  listen: '[::1]:0'\n"
                + "  tokenFile: admin-token\nmetrics:\n  enabled: false\n  maxSeries: 10\n"));
        assertEquals(new AdminConfig("::1", 0, "from-a-file-0123456789"), config.admin());
        assertEquals(new MetricsConfig(false, 10), config.metrics());
        assertFalse(config.admin().toString().contains("from-a-file"), "the token stays out of logs");
    }

    @Test
    void shouldReadTheAdminConnectionCapAndTimeouts() throws Exception {
        GatewayConfig config = ConfigLoader.load(write(MINIMAL + "admin:\n  token: admin-token-0123456789\n"
                + "  maxConnections: 8\n  idleTimeout: 2s\n  requestHeadTimeout: 500ms\n  subjectResults: 500\n"));
        assertEquals(new AdminConfig("127.0.0.1", 9090, "admin-token-0123456789", 8, Duration.ofSeconds(2),
                Duration.ofMillis(500), 500), config.admin());
    }

    @Test
    void shouldLoadReferenceConfig() throws Exception {
        GatewayConfig config = ConfigLoader.load(repoFile("config/gozargah.yaml"));

        assertEquals(List.of(new ListenerConfig("public", "0.0.0.0", 8080)), config.server().listeners());
        assertEquals(LimitsConfig.defaults(), config.limits(), "the reference shows the defaults");
        ProviderConfig nocr = config.providers().get("nocr");
        assertEquals(List.of(new EndpointConfig("http", "127.0.0.1", 9201, ""),
                new EndpointConfig("http", "::1", 9201, "/registry")), nocr.endpoints());
        assertEquals(List.of("identity", "health-status"), List.copyOf(nocr.services().keySet()));
        assertEquals(Duration.ofSeconds(5), nocr.services().get("identity").responseTimeout());
        assertEquals(List.of(new GrantConfig("nocr", "identity", new RateLimitConfig(100, 200), 50_000, 1_000_000),
                new GrantConfig("nocr", "health-status")), config.consumers().get("snapp").grants());
        assertEquals(new RateLimitConfig(200, 400), config.consumers().get("snapp").rate());
        assertEquals(400, nocr.maxInFlight());
        assertEquals(200, nocr.services().get("identity").maxInFlight());
        assertEquals(new AdmissionConfig("persian", ZoneId.of("Asia/Tehran"), Path.of("/var/lib/gozargah/counters.dat"),
                16384), config.admission(), "in the systemd unit's state directory");
        JournalConfig journal = config.journal();
        assertTrue(journal.enabled());
        assertEquals(Path.of("/var/lib/gozargah/journal"), journal.dir());
        assertEquals(JournalConfig.DEFAULT_ROLL_CYCLE, journal.rollCycle());
        assertEquals(JournalConfig.DEFAULT_RING_BYTES, journal.ringBytes());
        assertEquals(0, journal.retainDays());
        assertNull(journal.archiveDir());
        assertEquals(JournalConfig.DEFAULT_SUMMARY_INTERVAL, journal.summaryInterval());
        assertEquals(JournalConfig.DEFAULT_SUMMARY_KEYS, journal.summaryKeys());
        assertEquals(JournalConfig.DEFAULT_MIN_FREE_BYTES, journal.minFreeBytes());
        assertEquals(ServiceConfig.JournalBodies.HASH, nocr.services().get("identity").journalBodies());
        assertEquals(ServiceConfig.JournalBodies.NONE, nocr.services().get("health-status").journalBodies());
        assertEquals(new AdminConfig("127.0.0.1", 9090, "change-me-to-a-long-random-token"), config.admin(),
                "the reference shows the defaults");
        assertEquals(MetricsConfig.defaults(), config.metrics(), "the reference shows the defaults");
        assertEquals(Http2Config.defaults(), config.http2(), "the reference shows the defaults");
    }

    @Test
    void shouldReadTheHttp2ResetLimits() throws Exception {
        Http2Config http2 = ConfigLoader.parse(null, MINIMAL + "http2:\n  maxRstFramesPerWindow: 50\n"
                + "  maxProvokedRstFramesPerWindow: 7\n  rstFramesWindow: 10s\n  maxDrainedResponseBytes: 0\n").http2();
        assertEquals(50, http2.maxRstFramesPerWindow());
        assertEquals(7, http2.maxProvokedRstFramesPerWindow());
        assertEquals(Duration.ofSeconds(10), http2.rstFramesWindow());
        assertEquals(0, http2.maxDrainedResponseBytes(), "0 closes a reset stream's upstream connection at once");
        assertEquals(Http2Config.defaults().maxConcurrentStreams(), http2.maxConcurrentStreams());
    }

    @Test
    void shouldLeaveTheJournalOffWithoutASectionAndReadEveryJournalOption() throws Exception {
        assertFalse(ConfigLoader.parse(null, MINIMAL).journal().enabled());
        Path file = dir.resolve("gw.yaml");
        GatewayConfig config = ConfigLoader.parse(file, MINIMAL + "journal:\n  dir: /var/lib/gozargah/journal\n"
                + "  rollCycle: FAST_HOURLY\n  ringBytes: 64MiB\n  retainDays: 400\n  archiveDir: archive\n"
                + "  summaryInterval: 250ms\n  summaryKeys: 64\n  minFreeBytes: 1GiB\n");
        assertEquals(new JournalConfig(true, Path.of("/var/lib/gozargah/journal"), "FAST_HOURLY", 64L << 20, 400,
                dir.resolve("archive").toAbsolutePath().normalize(), Duration.ofMillis(250), 64, 1L << 30),
                config.journal());
        assertFalse(ConfigLoader.parse(null, MINIMAL + "journal:\n  enabled: false\n").journal().enabled(),
                "a disabled journal needs no dir");
    }

    @Test
    void shouldLoadDemoConfig() throws Exception {
        GatewayConfig config = ConfigLoader.load(DemoConfig.file());

        assertEquals(List.of(new ListenerConfig("public", "127.0.0.1", 8080),
                new ListenerConfig("https", "127.0.0.1", 8443)), config.server().listeners(),
                "the demo gives the one named https its TLS");
        assertEquals(List.of("nocr", "post", "sms"), List.copyOf(config.providers().keySet()));
        assertService(config, "nocr", 9201, "identity", "/api/v1/identity", List.of("GET", "HEAD"));
        assertService(config, "post", 9202, "address", "/v2/address", List.of("GET"));
        assertService(config, "sms", 9203, "send", "/gateway/send", List.of("POST"));
        for (ProviderConfig provider : config.providers().values()) {
            assertEquals(Duration.ofSeconds(1), provider.connectTimeout());
            assertEquals(Duration.ofSeconds(5), provider.responseTimeout());
        }
        assertEquals(List.of("snapp", "tapsi", "medu"), List.copyOf(config.consumers().keySet()));
        assertEquals(new AdminConfig("127.0.0.1", 9090, "gza_demo_admin_5e1f0c7b9a2d4863"), config.admin());
        assertGrants(config, "snapp", "nocr/identity", "post/address");
        assertGrants(config, "tapsi", "post/address", "sms/send");
        assertGrants(config, "medu", "nocr/identity", "sms/send");
        assertEquals(DemoConfig.file().getParent().resolve("../data/journal").toAbsolutePath().normalize(),
                config.journal().dir(), "a relative dir is resolved against the config file's folder");
        assertEquals("national-code", config.providers().get("nocr").services().get("identity").subject().kind());
        assertEquals("postal-code", config.providers().get("post").services().get("address").subject().kind());
        assertEquals(DemoConfig.file().getParent().resolve("../data/keys/subject.key").toAbsolutePath().normalize(),
                config.journal().subjectKeyFile(), "the demo's own keys, made on its first start");
        assertEquals(DemoConfig.file().getParent().resolve("../data/keys/signing.key").toAbsolutePath().normalize(),
                config.journal().signingKeyFile());
    }

    @Test
    void shouldReadTheDemoCatalogueAndPortal() throws Exception {
        GatewayConfig config = ConfigLoader.load(DemoConfig.file());

        assertEquals(new PortalConfig("127.0.0.1", 8088).host(), config.portal().host());
        assertEquals(8088, config.portal().port());
        for (ProviderConfig provider : config.providers().values()) {
            assertTrue(provider.listing().titleFa() != null && provider.listing().titleEn() != null, provider.name());
            for (ServiceConfig service : provider.services().values()) {
                assertTrue(service.listing().titleFa() != null && service.listing().titleEn() != null,
                        service.name());
            }
        }
        ListingConfig identity = config.providers().get("nocr").services().get("identity").listing();
        assertEquals("استعلام هویت", identity.titleFa());
        assertEquals("Identity inquiry", identity.title("en"));
        assertEquals(DemoConfig.file().toAbsolutePath().getParent().resolve("openapi/nocr-identity.yaml"),
                identity.docs());
        assertEquals(List.of("identity", "citizens"), identity.tags());
    }

    @Test
    void shouldReadEveryCatalogueKeyAndThePortalSection() throws Exception {
        Files.createDirectories(dir.resolve("openapi"));
        Files.writeString(dir.resolve("openapi/id.json"), "{}");
        String yaml = MINIMAL.replace("  nocr:\n", """
                  nocr:
                    title: { en: Civil registry }
                    description: "  Keeps <births> & deaths.  "
                    owner: { name: NOCR, contact: api@nocr.example }
                    tags: [ identity, ثبت ]
                """).replace("        path: /api/v1/identity\n", """
                        path: /api/v1/identity
                        docs: openapi/id.json
                """) + """
                portal:
                  listen: "[::1]:0"
                  sessionLifetime: 30m
                  maxSessions: 5
                  signInRate: 3/m
                  signInBurst: 2
                  statisticsInterval: 1m
                  lastTransactions: 7
                  maxConnections: 9
                """;
        GatewayConfig config = ConfigLoader.parse(dir.resolve("gozargah.yaml"), yaml);

        ListingConfig nocr = config.providers().get("nocr").listing();
        assertEquals(new ListingConfig(null, "Civil registry", "Keeps <births> & deaths.", "NOCR",
                "api@nocr.example", null, List.of("identity", "ثبت")), nocr);
        assertEquals("Civil registry", nocr.title("fa"), "the other language when one is missing");
        assertEquals(dir.resolve("openapi/id.json").toAbsolutePath(),
                config.providers().get("nocr").services().get("identity").listing().docs());
        assertEquals(new PortalConfig("::1", 0, Duration.ofMinutes(30), 5, 3.0 / 60, 2, Duration.ofMinutes(1), 7, 9),
                config.portal());
        assertNull(ConfigLoader.parse(null, MINIMAL).portal(), "off without a section");
        assertEquals(ListingConfig.NONE, ConfigLoader.parse(null, MINIMAL).providers().get("nocr").listing());
    }

    @Test
    void shouldHoldTheHashesOfTheDocumentedDemoKeys() throws Exception {
        Map<String, String> demoKeys = Map.of(
                "snapp", "gzk_demo_snapp_7f3a9c2e5b1d4068",
                "tapsi", "gzk_demo_tapsi_2c8e6a0f4b9d1357",
                "medu", "gzk_demo_medu_9b4f1e7a3c6d2085");
        Path demo = DemoConfig.file();
        String text = Files.readString(demo);
        GatewayConfig config = ConfigLoader.load(demo);
        for (Map.Entry<String, String> entry : demoKeys.entrySet()) {
            String key = entry.getValue();
            assertTrue(text.contains(ApiKeys.configHash(key)), "demo.yaml holds the hash of " + key);
            assertTrue(text.contains(key), "demo.yaml documents " + key + " in its comments");
            List<byte[]> hashes = config.consumers().get(entry.getKey()).apiKeyHashes();
            assertEquals(1, hashes.size());
            assertArrayEquals(ApiKeys.sha256(key), hashes.get(0), entry.getKey());
        }
    }

    @Test
    void shouldKeepFileOrderAndBeImmutable() throws Exception {
        GatewayConfig config = ConfigLoader.load(DemoConfig.file());

        assertThrows(UnsupportedOperationException.class, () -> config.providers().remove("nocr"));
        assertThrows(UnsupportedOperationException.class, () -> config.consumers().clear());
        assertThrows(UnsupportedOperationException.class, () -> config.server().listeners().clear());
        ProviderConfig nocr = config.providers().get("nocr");
        assertThrows(UnsupportedOperationException.class, () -> nocr.endpoints().clear());
        assertThrows(UnsupportedOperationException.class, () -> nocr.services().clear());
        assertThrows(UnsupportedOperationException.class, () -> nocr.services().get("identity").methods().clear());
        assertThrows(UnsupportedOperationException.class, () -> config.consumers().get("snapp").grants().clear());
    }

    @Test
    void shouldAcceptEveryOptionAndAlternativeForms() throws Exception {
        String hash = ApiKeys.configHash("gzk_test_tapsi").substring(ApiKeys.HASH_PREFIX.length()).toUpperCase();
        GatewayConfig config = ConfigLoader.load(write("""
                server:
                  listeners:
                    - { name: v4, host: 127.0.0.1, port: 0, maxConnections: 100 }
                    - { name: v6, host: "[::1]", port: 0 }
                    - { host: gw.example.ir, port: 443 }
                  eventLoops: 4
                  transport: epoll
                  idleTimeout: 2m
                  requestHeadTimeout: 1500ms
                  shutdownGrace: 1h
                  maxConnections: 50000
                  maxConnectionsPerAddress: 200
                  authFailures: { enabled: false, rate: 30/m, burst: 5, addresses: 1000 }
                limits:
                  maxStartLineBytes: 4KiB
                  maxHeaderCount: 50
                  maxHeaderBytes: 16384
                  maxChunkLineBytes: 256
                  maxRequestBodyBytes: 2GiB
                  maxResponseHeaderBytes: 1MiB
                  underscoreFields: refuse
                  maxDiscardBytes: 1KiB
                providers:
                  moi:
                    endpoints: [ "http://10.0.0.5/", "HTTP://Registry.Example.IR:8081/v1/x", "http://[FE80::1]:81" ]
                    maxConnectionsPerLoop: 8
                    maxPendingAcquisitionsPerLoop: 0
                    services:
                      root: { path: /, methods: [ OPTIONS, DELETE, PATCH, PUT ] }
                consumers:
                  tapsi:
                    apiKeys: [ %s ]
                """.formatted(hash)));

        assertEquals(List.of(new ListenerConfig("v4", "127.0.0.1", 0, null, 100), new ListenerConfig("v6", "::1", 0),
                new ListenerConfig("listener-3", "gw.example.ir", 443)), config.server().listeners());
        assertEquals(50_000, config.server().maxConnections());
        assertEquals(200, config.server().maxConnectionsPerAddress());
        assertEquals(new AuthFailuresConfig(false, 0.5, 5, 1000), config.server().authFailures());
        assertEquals(4, config.server().eventLoops());
        assertEquals(ServerConfig.Transport.EPOLL, config.server().transport());
        assertEquals(Duration.ofMinutes(2), config.server().idleTimeout());
        assertEquals(Duration.ofMillis(1500), config.server().requestHeadTimeout());
        assertEquals(Duration.ofHours(1), config.server().shutdownGrace());
        assertEquals(new LimitsConfig(4096, 50, 16384, 256, 2L << 30, 1 << 20, LimitsConfig.UnderscoreFields.REFUSE,
                1024), config.limits());
        ProviderConfig moi = config.providers().get("moi");
        assertEquals(List.of(new EndpointConfig("http", "10.0.0.5", 80, ""),
                new EndpointConfig("http", "registry.example.ir", 8081, "/v1/x"),
                new EndpointConfig("http", "fe80::1", 81, "")), moi.endpoints());
        assertEquals("http://[fe80::1]:81", moi.endpoints().get(2).toString());
        assertEquals(8, moi.maxConnectionsPerLoop());
        assertEquals(0, moi.maxPendingAcquisitionsPerLoop(), "0: no request waits for a busy pool");
        assertEquals(List.of("OPTIONS", "DELETE", "PATCH", "PUT"), List.copyOf(moi.services().get("root").methods()));
        assertArrayEquals(ApiKeys.sha256("gzk_test_tapsi"), config.consumers().get("tapsi").apiKeyHashes().get(0));
        assertEquals(List.of(), config.consumers().get("tapsi").grants());
    }

    @Test
    void shouldReadListenerTlsSessionSettingsWithDefaults() throws Exception {
        TestCertificates certs = TestCertificates.create();
        String tls = "    - port: 8443\n      tls: { certificate: " + certs.server.certificatePem() + ", key: "
                + certs.server.keyPem();
        GatewayConfig defaults = ConfigLoader.load(write(MINIMAL.replace("    - port: 8080", tls + " }")));
        assertEquals(TlsConfig.Sessions.defaults(), defaults.server().listeners().get(0).tls().sessions());

        GatewayConfig set = ConfigLoader.load(write(MINIMAL.replace("    - port: 8080", tls
                + ", sessionCacheSize: 4096, sessionTimeout: 10m, ticketKeyRotation: 5m }")));
        assertEquals(new TlsConfig.Sessions(4096, Duration.ofMinutes(10), true, Duration.ofMinutes(5)),
                set.server().listeners().get(0).tls().sessions());

        GatewayConfig off = ConfigLoader.load(write(MINIMAL.replace("    - port: 8080", tls
                + ", sessionTickets: false }")));
        assertFalse(off.server().listeners().get(0).tls().sessions().tickets());
    }

    @Test
    void shouldReadWeightedAndBackupEndpointsOutlierDetectionAndHealthChecks() throws Exception {
        GatewayConfig config = ConfigLoader.load(write(MINIMAL
                .replace("    endpoints: [ \"http://127.0.0.1:9201\" ]",
                        "    endpoints:\n"
                                + "      - http://10.0.0.1\n"
                                + "      - { url: \"http://10.0.0.2:8080/v1\", weight: 3 }\n"
                                + "      - { url: \"http://10.0.0.3\", backup: true }\n"
                                + "    outlierDetection: { consecutiveFailures: 3, on: [ 5xx, connect ],"
                                + " baseEjectionTime: 10s, maxEjectionTime: 1m, maxEjectedPercent: 50,"
                                + " panicThreshold: 25 }\n"
                                + "    healthCheck: { path: /health?deep=1, interval: 3s, timeout: 1s, healthy: 1,"
                                + " unhealthy: 2, expectStatus: [ 200, 204-299 ] }")));
        ProviderConfig nocr = config.providers().get("nocr");
        assertEquals(List.of(new EndpointConfig("http", "10.0.0.1", 80, ""),
                new EndpointConfig("http", "10.0.0.2", 8080, "/v1"), new EndpointConfig("http", "10.0.0.3", 80, "")),
                nocr.endpoints());
        assertEquals(List.of(EndpointRole.PRIMARY, new EndpointRole(3, false), new EndpointRole(1, true)),
                nocr.roles());
        assertEquals(new OutlierConfig(3, Set.of(FailureKind.SERVER_ERROR, FailureKind.CONNECT),
                Duration.ofSeconds(10), Duration.ofMinutes(1), 50, 25), nocr.outlier());
        HealthCheckConfig hc = nocr.healthCheck();
        assertEquals("/health?deep=1", hc.path());
        assertEquals(Duration.ofSeconds(3), hc.interval());
        assertEquals(Duration.ofSeconds(1), hc.timeout());
        assertEquals(1, hc.healthy());
        assertEquals(2, hc.unhealthy());
        assertTrue(hc.expected(200));
        assertFalse(hc.expected(201));
        assertTrue(hc.expected(204));
        assertTrue(hc.expected(299));
        assertFalse(hc.expected(300));

        ProviderConfig defaults = ConfigLoader.load(write(MINIMAL)).providers().get("nocr");
        assertEquals(List.of(EndpointRole.PRIMARY), defaults.roles());
        assertEquals(OutlierConfig.DEFAULT, defaults.outlier(), "on by default, with Envoy's defaults");
        assertNull(defaults.healthCheck(), "no active checks unless configured");
        HealthCheckConfig minimal = ConfigLoader.load(write(MINIMAL.replace("    services:\n",
                "    healthCheck: { path: /ping }\n    services:\n"))).providers().get("nocr").healthCheck();
        assertEquals(Duration.ofSeconds(5), minimal.interval());
        assertEquals(Duration.ofSeconds(2), minimal.timeout());
        assertEquals(2, minimal.healthy());
        assertEquals(3, minimal.unhealthy());
        assertTrue(minimal.expected(399));
        assertFalse(minimal.expected(400));
        assertFalse(minimal.expected(199));
    }

    @Test
    void shouldReadUpstreamProtocolAndTrust() throws Exception {
        TestCertificates.Issued ca = TestCertificates.ca("Config Test CA");
        TestCertificates.writePem(dir, "provider-ca.pem", ca.certificate());
        GatewayConfig config = ConfigLoader.load(write(MINIMAL
                .replace("    endpoints: [ \"http://127.0.0.1:9201\" ]",
                        "    endpoints: [ \"https://registry.example.ir\", \"https://10.0.0.7:8443/v2\" ]\n"
                                + "    protocol: h2\n"
                                + "    trustedCas: provider-ca.pem\n"
                                + "    verifyHostname: false")));
        ProviderConfig nocr = config.providers().get("nocr");
        assertEquals(List.of(new EndpointConfig("https", "registry.example.ir", 443, ""),
                new EndpointConfig("https", "10.0.0.7", 8443, "/v2")), nocr.endpoints());
        assertEquals("registry.example.ir", nocr.endpoints().get(0).authority(), "443 is https's default port");
        assertEquals("10.0.0.7:8443", nocr.endpoints().get(1).authority());
        assertEquals(UpstreamProtocol.H2, nocr.protocol());
        assertEquals(dir.resolve("provider-ca.pem"), nocr.tls().trustedCas(), "relative to the config file");
        assertEquals(List.of(ca.certificate()), nocr.tls().certificates());
        assertEquals(64, nocr.tls().fingerprint().length());
        assertEquals(false, nocr.tls().verifyHostname());

        GatewayConfig h2c = ConfigLoader.load(write(MINIMAL.replace("    services:\n",
                "    protocol: h2c\n    services:\n")));
        assertEquals(UpstreamProtocol.H2C, h2c.providers().get("nocr").protocol());
        GatewayConfig httpsDefaults = ConfigLoader.load(write(MINIMAL.replace("http://127.0.0.1:9201",
                "https://127.0.0.1:9201")));
        assertEquals(UpstreamProtocol.HTTP1, httpsDefaults.providers().get("nocr").protocol());
        assertEquals(UpstreamTlsConfig.defaults(), httpsDefaults.providers().get("nocr").tls(),
                "JDK trust store and hostname verification unless configured otherwise");
    }

    @Test
    void shouldReportAMissingFile() {
        Path missing = dir.resolve("nowhere.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing));
        assertTrue(e.getMessage().startsWith(missing + ": cannot read"), e.getMessage());
    }

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("gateway.yaml"), yaml);
    }

    private static void assertService(GatewayConfig config, String provider, int port, String service, String path,
                                      List<String> methods) {
        ProviderConfig p = config.providers().get(provider);
        assertEquals(List.of(new EndpointConfig("http", "127.0.0.1", port, "")), p.endpoints());
        assertEquals(List.of(service), List.copyOf(p.services().keySet()));
        assertEquals(path, p.services().get(service).path());
        assertEquals(methods, List.copyOf(p.services().get(service).methods()));
    }

    private static void assertGrants(GatewayConfig config, String consumer, String... services) {
        List<String> granted = config.consumers().get(consumer).grants().stream()
                .map(g -> g.provider() + "/" + g.service()).toList();
        assertEquals(List.of(services), granted);
    }

    /** Tests run in the module directory; the config files live at the repository root. */
    static Path repoFile(String relative) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve(relative))) {
                return d.resolve(relative);
            }
        }
        throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
    }
}
