package io.gozargah.engine.portal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gozargah.engine.auth.ApiKeys;
import io.gozargah.engine.config.ConfigLoader;
import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.config.PortalConfig;
import io.gozargah.engine.route.RoutingSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The catalogue at the national bus's size: 346 services from 46 agencies. The render time asserted is the
 * server's own ({@code Server-Timing}), the median of several renders after a warm-up, so that a loaded test machine
 * does not make it flaky; the budget is 200 ms.
 */
class PortalScaleIT {
    static final int AGENCIES = 46;
    static final int SERVICES = 346;
    private static final Pattern TIMING = Pattern.compile("render;dur=([0-9.]+)");
    private static final Pattern SHOWN = Pattern.compile("<span id=\"shown\">(\\d+)</span> / (\\d+)");

    @TempDir
    Path dir;

    private PortalServer portal;

    /** The generated config: agency-NN with 7 or 8 services each, titled in both languages, tagged in ten groups. */
    static String yaml() {
        StringBuilder y = new StringBuilder("server:\n  listeners:\n    - port: 8080\nproviders:\n");
        int service = 0;
        for (int a = 0; a < AGENCIES; a++) {
            y.append(String.format("  agency-%02d:%n", a))
                    .append(String.format("    title: { fa: \"دستگاه شماره %d\", en: \"Agency number %d\" }%n", a, a))
                    .append(String.format("    owner: { name: \"Agency %d\", contact: \"api@agency%d.example\" }%n",
                            a, a))
                    .append(String.format("    endpoints: [ \"http://10.0.%d.1:8080\" ]%n", a))
                    .append("    services:\n");
            int count = SERVICES / AGENCIES + (a < SERVICES % AGENCIES ? 1 : 0);
            for (int s = 0; s < count; s++, service++) {
                y.append(String.format("      service-%d:%n", service))
                        .append(String.format("        path: /api/s%d%n", service))
                        .append(String.format("        title: { fa: \"استعلام شماره %d <b>\","
                                + " en: \"Inquiry number %d\" }%n", service, service))
                        .append(String.format("        description: \"Answers inquiry %d for agency %d, with 'quotes'"
                                + " & <markup>.\"%n", service, a))
                        .append(String.format("        tags: [ group-%d, inquiry ]%n", service % 10));
            }
        }
        y.append("consumers:\n  c:\n    apiKeys: [ \"").append(ApiKeys.configHash("gzk_scale_test"))
                .append("\" ]\n    grants:\n      - service: agency-00/service-0\n");
        return y.toString();
    }

    @AfterEach
    void close() {
        if (portal != null) {
            portal.close();
        }
    }

    @Test
    void shouldRenderTheNationalCatalogueWithinBudgetAndNarrowItBySearch() throws Exception {
        GatewayConfig config = ConfigLoader.load(Files.writeString(dir.resolve("scale.yaml"), yaml()));
        assertEquals(AGENCIES, config.providers().size());
        assertEquals(SERVICES, config.providers().values().stream().mapToInt(p -> p.services().size()).sum());
        RoutingSnapshot snapshot = RoutingSnapshot.build(config);
        portal = PortalServer.start(new PortalConfig("127.0.0.1", 0), () -> snapshot, System::nanoTime,
                System::currentTimeMillis);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI uri = URI.create("http://127.0.0.1:" + portal.address().getPort() + "/");

        for (int i = 0; i < 5; i++) { // warm-up: the first renders run interpreted
            http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        }
        double[] millis = new double[9];
        String page = null;
        for (int i = 0; i < millis.length; i++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher m = TIMING.matcher(r.headers().firstValue("Server-Timing").orElse(""));
            assertTrue(m.matches(), "Server-Timing: render;dur=<ms>");
            millis[i] = Double.parseDouble(m.group(1));
            page = r.body();
        }
        Arrays.sort(millis);
        double median = millis[millis.length / 2];
        assertTrue(median < 200, "median render " + median + " ms of " + Arrays.toString(millis));
        System.out.printf("catalogue of %d services from %d agencies: %d bytes, median render %.2f ms%n", SERVICES,
                AGENCIES, page.length(), median);

        assertShown(page, SERVICES);
        assertTrue(page.contains("استعلام شماره 345 &lt;b&gt;") && !page.contains("<markup>"));
        assertShown(body(http, uri.resolve("/?q=Inquiry+NUMBER+345")), 1);
        assertShown(body(http, uri.resolve("/?tag=group-3")), 35);
        assertShown(body(http, uri.resolve("/?agency=agency-45")), 7);
        assertShown(body(http, uri.resolve("/?agency=agency-45&q="
                + java.net.URLEncoder.encode("استعلام 339", java.nio.charset.StandardCharsets.UTF_8))), 1);
    }

    private static String body(HttpClient http, URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void assertShown(String page, int shown) {
        Matcher m = SHOWN.matcher(page);
        assertTrue(m.find(), "the count of services shown");
        assertEquals(shown, Integer.parseInt(m.group(1)), "shown");
        assertEquals(SERVICES, Integer.parseInt(m.group(2)), "of all");
    }
}
