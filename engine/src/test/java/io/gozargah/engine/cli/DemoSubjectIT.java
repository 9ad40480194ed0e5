package io.gozargah.engine.cli;

import io.gozargah.engine.admin.AdminServer;
import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.demo.DemoConsumers;
import io.gozargah.engine.demo.DemoProviders;
import io.gozargah.engine.testing.Await;
import io.gozargah.engine.testing.DemoConfig;
import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.RawHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The acceptance in the demo: the demo agencies and a gateway from config/demo.yaml (its subject rules for
 * nocr/identity and post/address, its journal keys; only ports and data folders moved), ten inquiries about one
 * national code by two consumers among others, and {@code journal subject} lists exactly those ten, as the admin
 * API's {@code GET /admin/subjects/national-code/{code}} does.
 */
class DemoSubjectIT {
    private static final String CODE = DemoConsumers.VALID_NATIONAL_ID;

    @TempDir
    Path dir;

    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private static void get(RawHttpClient c, String key, String path, int status) throws Exception {
        c.send("GET " + path + " HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + key + "\r\n\r\n");
        RawHttpClient.Response r = c.read();
        assertEquals(status, r.status(), path);
    }

    private static String adminGet(int port, String path, String authorization) {
        try (RawHttpClient c = new RawHttpClient(port)) {
            c.send("GET " + path + " HTTP/1.1\r\nHost: admin\r\nAuthorization: " + authorization + "\r\n\r\n");
            return c.read().bodyText();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void shouldListExactlyTheTenInquiriesAboutOneNationalCodeWithTheirConsumers() throws Exception {
        DemoProviders agencies = setup.closeAfter(DemoProviders.start(0, 0, 0));
        Path config = DemoConfig.isolated(dir, agencies.nocrAddress().getPort(), agencies.postAddress().getPort(),
                agencies.smsAddress().getPort());
        GatewayFixture gateway = setup.start(config);
        GatewayConfig loaded = gateway.gateway().snapshot().config();
        AdminServer admin = setup.closeAfter(AdminServer.start(loaded.admin(), gateway.gateway(), null,
                Duration.ofSeconds(1)));
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            for (int i = 0; i < 5; i++) {
                get(c, DemoConsumers.SNAPP_KEY, "/nocr/identity/" + CODE, 200);
                get(c, DemoConsumers.MEDU_KEY, "/nocr/identity/" + CODE, 200);
                // Not about this national code: another code, the same digits as a postal code, no subject.
                get(c, DemoConsumers.MEDU_KEY, "/nocr/identity/" + DemoConsumers.INVALID_NATIONAL_ID, 422);
                get(c, DemoConsumers.TAPSI_KEY, "/post/address/" + CODE, 200);
            }
            get(c, DemoConsumers.SNAPP_KEY, "/nocr/identity", 404); // no code at all: not the registry's path
        }
        String bearer = "Bearer " + loaded.admin().token();
        String[] answer = new String[1];
        Await.until(() -> {
            answer[0] = adminGet(admin.address().getPort(), "/admin/subjects/national-code/" + CODE, bearer);
            return answer[0].contains("\"count\":10,");
        }, "the journal writer has written the ten: " + answer[0]);
        gateway.close();

        CommandRun run = CommandRun.of("journal", "subject", "--config", config.toString(), "--kind",
                "national-code", CODE);
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.out().lines().filter(l -> l.contains("nocr/identity")).toList();
        assertEquals(10, lines.size(), run.out());
        Map<String, Long> byConsumer = lines.stream().map(l -> l.split(" {2}")[1])
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertEquals(Map.of("snapp", 5L, "medu", 5L), byConsumer, run.out());
        assertTrue(lines.stream().allMatch(l -> l.contains("  200  ok  ")), run.out());
        assertTrue(run.out().contains("10 transactions about this national-code"), run.out());

        CommandRun json = CommandRun.of("journal", "subject", "--config", config.toString(), "--kind",
                "national-code", CODE, "--json");
        List<String> documents = json.out().lines().toList();
        assertEquals(10, documents.size(), json.out());
        assertTrue(answer[0].endsWith("\"transactions\":[" + String.join(",", documents) + "]}"),
                "the admin API answers what journal subject --json lists: " + answer[0]);

        CommandRun postal = CommandRun.of("journal", "subject", "--config", config.toString(), "--kind",
                "postal-code", CODE, "--json");
        assertEquals(5, postal.out().lines().filter(l -> l.contains("\"consumer\":\"tapsi\"")).count(), postal.out());
    }
}
