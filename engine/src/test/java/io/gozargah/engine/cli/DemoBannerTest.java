package io.gozargah.engine.cli;

import io.gozargah.engine.auth.ApiKeys;
import io.gozargah.engine.config.AdminConfig;
import io.gozargah.engine.config.ConsumerConfig;
import io.gozargah.engine.config.MetricsConfig;
import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.config.GrantConfig;
import io.gozargah.engine.demo.DemoConsumers;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoBannerTest {

    private static final Map<String, InetSocketAddress> AGENCIES = Map.of(
            "nocr", new InetSocketAddress(InetAddress.getLoopbackAddress(), 9201));

    @Test
    void shouldListGrantsFromTheConfigAndCurlLinesForTheListener() throws Exception {
        Map<String, ConsumerConfig> consumers = new LinkedHashMap<>();
        consumers.put("snapp", new ConsumerConfig("snapp", List.of(ApiKeys.sha256(DemoConsumers.SNAPP_KEY)),
                List.of(new GrantConfig("nocr", "identity"), new GrantConfig("post", "address"))));
        consumers.put("tapsi", new ConsumerConfig("tapsi", List.of(ApiKeys.sha256(DemoConsumers.TAPSI_KEY)),
                List.of()));
        GatewayConfig config = new GatewayConfig(Path.of("config/demo.yaml"), null, null, Map.of(), consumers, null, null, null,
                null, null);
        InetSocketAddress wildcard = new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 8080);

        String banner = DemoBanner.render(wildcard, config, AGENCIES);

        assertTrue(banner.contains("gateway on http://127.0.0.1:8080"), banner);
        assertTrue(banner.contains("agencies: nocr 127.0.0.1:9201"), banner);
        assertTrue(banner.contains("snapp  " + DemoConsumers.SNAPP_KEY + "  may call nocr/identity, post/address"),
                banner);
        assertTrue(banner.contains("tapsi  " + DemoConsumers.TAPSI_KEY + "  may call nothing"), banner);
        assertTrue(banner.contains("medu   " + DemoConsumers.MEDU_KEY + "  key not in config/demo.yaml"), banner);
        assertTrue(banner.contains("curl -i -H 'X-Api-Key: " + DemoConsumers.SNAPP_KEY
                + "' http://127.0.0.1:8080/nocr/identity/0012345679\n"), banner);
        assertTrue(banner.contains("-d '{\"to\":\"09121234567\",\"text\":\"کد ورود شما: 4821\"}' "
                + "http://127.0.0.1:8080/sms/send\n"), banner);
    }

    @Test
    void shouldPrintTheAdminTokenAndACurlLineForMetrics() {
        GatewayConfig config = new GatewayConfig(Path.of("config/demo.yaml"), null, null, Map.of(), Map.of(), null, null,
                new AdminConfig("127.0.0.1", 9090, "gza_demo_admin_token_0123"), MetricsConfig.defaults(), null);

        String banner = DemoBanner.render(new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080), config,
                AGENCIES);

        assertTrue(banner.contains("Admin API on http://127.0.0.1:9090 (demo admin token gza_demo_admin_token_0123)"),
                banner);
        assertTrue(banner.contains("curl -H 'Authorization: Bearer gza_demo_admin_token_0123' "
                + "http://127.0.0.1:9090/metrics\n"), banner);
    }

    @Test
    void shouldPrintThePortalsAddressWhenTheConfigHasOne() {
        GatewayConfig config = new GatewayConfig(Path.of("config/demo.yaml"), null, null, Map.of(), Map.of(), null, null,
                null, MetricsConfig.defaults(), null, new io.gozargah.engine.config.PortalConfig("127.0.0.1", 8088));
        InetSocketAddress gateway = new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080);

        String banner = DemoBanner.render(gateway, config, AGENCIES);

        assertTrue(banner.contains("Services portal on http://127.0.0.1:8088/ (catalogue), http://127.0.0.1:8088"
                + "/statistics, http://127.0.0.1:8088/me (sign in with a demo key above)\n"), banner);
        assertTrue(!DemoBanner.render(gateway, new GatewayConfig(Path.of("config/demo.yaml"), null, null, Map.of(),
                Map.of()), AGENCIES).contains("portal"), "no portal, no line");
    }

    @Test
    void shouldShowAnHttpsCurlLineWithAClientCertificateWhenHttpsIsOn() {
        GatewayConfig config = new GatewayConfig(Path.of("config/demo.yaml"), null, null, Map.of(), Map.of());
        InetSocketAddress http = new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080);
        InetSocketAddress https = new InetSocketAddress(InetAddress.getLoopbackAddress(), 8443);

        String banner = DemoBanner.render(http, config, AGENCIES, https, Path.of("data/certs"));
        String plain = DemoBanner.render(http, config, AGENCIES);

        assertTrue(banner.contains("curl -i --http2 --cacert data/certs/ca.crt --cert data/certs/snapp.crt --key"
                + " data/certs/snapp.key https://localhost:8443/nocr/identity/0012345679\n"), banner);
        assertTrue(!plain.contains("https://"), plain);
    }

    @Test
    void shouldShowWhoLookedUpTheNationalCodeWhenTheJournalKeepsSubjects() throws Exception {
        GatewayConfig config = io.gozargah.engine.config.ConfigLoader.load(
                io.gozargah.engine.testing.DemoConfig.file());
        String banner = DemoBanner.render(new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080), config,
                AGENCIES);
        assertTrue(banner.contains("  scripts/gozargah journal subject --config " + config.source()
                + " --kind national-code 0012345679\n"), banner);
        assertTrue(banner.contains("curl -H 'Authorization: Bearer gza_demo_admin_5e1f0c7b9a2d4863' "
                + "http://127.0.0.1:9090/admin/subjects/national-code/0012345679\n"), banner);
        GatewayConfig plain = new GatewayConfig(Path.of("config/demo.yaml"), null, null, Map.of(), Map.of());
        assertTrue(!DemoBanner.render(new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080), plain, AGENCIES)
                .contains("journal subject"), "no subject key, no such line");
    }
}
