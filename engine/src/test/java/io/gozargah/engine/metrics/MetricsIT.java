package io.gozargah.engine.metrics;

import io.gozargah.engine.testing.AdminFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.PrometheusTextParser;
import io.gozargah.engine.testing.PrometheusTextParser.Exposition;
import io.gozargah.engine.testing.PrometheusTextParser.Sample;
import io.gozargah.engine.testing.Promtool;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static io.gozargah.engine.testing.GatewayFixture.BOB_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /metrics} after a known set of requests: parsed back strictly, every request series checked
 * against what was sent, and {@code promtool check metrics} run where Prometheus is installed.
 */
class MetricsIT {
    private static final String BODY = "{\"ok\":true}";
    private static final String FAIL_BODY = "oops";

    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private AdminFixture fixture;

    private void start(String metricsYaml) throws Exception {
        upstream = setup.provider((ctx, req) -> {
            boolean fail = req.uri().contains("fail");
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    fail ? HttpResponseStatus.INTERNAL_SERVER_ERROR : HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(fail ? FAIL_BODY : BODY, StandardCharsets.UTF_8));
            resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
            ctx.writeAndFlush(resp);
        });
        fixture = setup.closeAfter(AdminFixture.start(setup.standardYaml(null, null) + metricsYaml,
                Duration.ofSeconds(2)));
    }

    private int send(RawHttpClient c, String method, String path, String key, String body) throws Exception {
        return exchange(c, method, path, key, body).status();
    }

    private RawHttpClient.Response exchange(RawHttpClient c, String method, String path, String key, String body)
            throws Exception {
        c.send(method + " " + path + " HTTP/1.1\r\nHost: gw\r\n" + (key == null ? "" : "X-Api-Key: " + key + "\r\n")
                + (body == null ? "" : "Content-Length: " + body.length() + "\r\n") + "\r\n"
                + (body == null ? "" : body));
        return c.read();
    }

    private Exposition scrape() throws Exception {
        RawHttpClient.Response r = fixture.call("GET", "/metrics");
        assertEquals(200, r.status(), r.bodyText());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.header("Content-Type"));
        String text = r.bodyText();
        Path promtool = Promtool.find();
        if (promtool != null) {
            Promtool.checkMetrics(promtool, text);
        } else {
            System.err.println("MetricsIT: promtool not installed (Debian package prometheus); strict parse only");
        }
        return PrometheusTextParser.parse(text);
    }

    @Test
    void shouldCountEveryRequestUnderItsSeriesStatusClassAndOutcome() throws Exception {
        start("");
        int problemBytes;
        try (RawHttpClient c = new RawHttpClient(fixture.gateway().port())) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, send(c, "GET", "/prov/svc", ALICE_KEY, null));
            }
            assertEquals(200, send(c, "POST", "/prov/svc", ALICE_KEY, "hello"));
            assertEquals(500, send(c, "GET", "/prov/svc/fail", ALICE_KEY, null));
            assertEquals(500, send(c, "GET", "/prov/svc/fail", ALICE_KEY, null));
            assertEquals(403, send(c, "GET", "/prov/svc", BOB_KEY, null));
            assertEquals(401, send(c, "GET", "/prov/svc", null, null));
            assertEquals(404, send(c, "GET", "/prov/nope", ALICE_KEY, null));
            problemBytes = exchange(c, "DELETE", "/prov/svc", ALICE_KEY, null).body().length;
        }

        Exposition e = scrape();

        Map<String, Double> expected = new TreeMap<>();
        expected.put("prov/svc/alice/2xx/ok", 4.0);
        expected.put("prov/svc/alice/5xx/ok", 2.0);
        expected.put("prov/svc/bob/4xx/forbidden", 1.0);
        expected.put("prov/svc/_none/4xx/unauthenticated", 1.0);
        expected.put("_none/_none/alice/4xx/unknown-service", 1.0);
        expected.put("prov/svc/alice/4xx/method-not-allowed", 1.0);
        Map<String, Double> actual = new TreeMap<>();
        for (Sample s : e.find("gozargah_requests_total")) {
            actual.put(s.label("provider") + "/" + s.label("service") + "/" + s.label("consumer") + "/"
                    + s.label("status_class") + "/" + s.label("outcome"), s.value());
        }
        assertEquals(expected, actual);
        assertEquals("counter", e.types().get("gozargah_requests_total"));

        String[] alice = {"provider", "prov", "service", "svc", "consumer", "alice"};
        assertEquals(5, e.value("gozargah_request_body_bytes_total", alice));
        assertTrue(problemBytes > 0);
        assertEquals(4 * BODY.length() + 2 * FAIL_BODY.length() + problemBytes,
                e.value("gozargah_response_body_bytes_total", alice));
        // every exchange is timed; only those the provider answered have an upstream time
        assertEquals(7, e.value("gozargah_request_duration_seconds_count", alice));
        assertEquals(6, e.value("gozargah_upstream_duration_seconds_count", alice));
        assertEquals(6, e.value("gozargah_upstream_duration_seconds_bucket", merge(alice, "le", "+Inf")));
        assertEquals(1, e.value("gozargah_request_duration_seconds_count", "provider", "prov", "service", "svc",
                "consumer", "bob"));
        assertEquals(0, e.value("gozargah_upstream_duration_seconds_count", "consumer", "bob"));
        assertTrue(e.value("gozargah_request_duration_seconds_sum", alice) > 0);

        assertEquals("summary", e.types().get("gozargah_request_latency_seconds"));
        double p50 = e.value("gozargah_request_latency_seconds", merge(alice, "quantile", "0.5"));
        double p999 = e.value("gozargah_request_latency_seconds", merge(alice, "quantile", "0.999"));
        double max = e.value("gozargah_request_latency_max_seconds", alice);
        assertTrue(p50 > 0 && p50 <= p999 && p999 <= max, p50 + " " + p999 + " " + max);
        assertEquals(7, e.value("gozargah_request_latency_seconds_count", alice));
        assertEquals(9, e.value("gozargah_service_request_latency_seconds_count", "provider", "prov", "service",
                "svc"));
        assertEquals(6, e.value("gozargah_service_upstream_latency_seconds_count", "provider", "prov", "service",
                "svc"));
        assertEquals(10, e.value("gozargah_gateway_request_latency_seconds_count"));
        assertFalse(Double.isNaN(e.value("gozargah_gateway_upstream_latency_seconds", "quantile", "0.99")));
        // bob was never answered by the provider: no upstream quantiles in the window
        assertTrue(Double.isNaN(e.value("gozargah_upstream_latency_seconds", "consumer", "bob", "quantile", "0.5")));

        String endpoint = "http://127.0.0.1:" + upstream.port() + "/base";
        assertEquals(1, e.value("gozargah_upstream_connections_created_total", "endpoint", endpoint));
        assertEquals(1, e.value("gozargah_upstream_connections", "endpoint", endpoint, "state", "open"));
        assertEquals(1, e.value("gozargah_upstream_connections", "endpoint", endpoint, "state", "idle"));
        assertEquals("gauge", e.types().get("gozargah_upstream_endpoint_healthy"));
        assertEquals(1, e.value("gozargah_upstream_endpoint_healthy", "provider", "prov", "endpoint", endpoint));
        assertEquals("counter", e.types().get("gozargah_upstream_ejections_total"));
        assertEquals(0, e.value("gozargah_upstream_ejections_total", "provider", "prov", "endpoint", endpoint),
                "the only endpoint of a provider is never ejected");
        assertEquals(0, e.value("gozargah_draining"));
        assertEquals(4, e.value("gozargah_metrics_series"));
        assertTrue(e.find("gozargah_admission_rejections_total").isEmpty());
    }

    @Test
    void shouldFoldSeriesPastTheCapIntoOther() throws Exception {
        start("metrics:\n  maxSeries: 1\n");
        try (RawHttpClient c = new RawHttpClient(fixture.gateway().port())) {
            assertEquals(200, send(c, "GET", "/prov/svc", ALICE_KEY, null));
            assertEquals(403, send(c, "GET", "/prov/svc", BOB_KEY, null));
            assertEquals(403, send(c, "GET", "/prov/svc", BOB_KEY, null));
        }
        Exposition e = scrape();
        assertEquals(1, e.value("gozargah_requests_total", "consumer", "alice"));
        assertEquals(2, e.value("gozargah_requests_total", "consumer", "_other", "outcome", "forbidden"));
        assertTrue(e.find("gozargah_requests_total", "consumer", "bob").isEmpty());
        assertEquals(1, e.value("gozargah_metrics_series_folded_total"));
    }

    @Test
    void shouldRecordNothingPerRequestWhenDisabled() throws Exception {
        start("metrics:\n  enabled: false\n");
        try (RawHttpClient c = new RawHttpClient(fixture.gateway().port())) {
            assertEquals(200, send(c, "GET", "/prov/svc", ALICE_KEY, null));
        }
        Exposition e = scrape();
        assertTrue(e.find("gozargah_requests_total").isEmpty());
        assertEquals(0, e.value("gozargah_draining"));
        assertEquals(1, e.find("gozargah_upstream_connections_created_total").size());
    }

    @Test
    void shouldServeProcessAndJvmMetricsAndTheBuildBesideOurs() throws Exception {
        start("");
        Exposition e = scrape();
        assertEquals("counter", e.types().get("process_cpu_seconds_total"));
        assertTrue(e.value("process_cpu_seconds_total") > 0);
        assertTrue(e.value("process_resident_memory_bytes") > 0);
        assertTrue(e.value("process_start_time_seconds") > 0);
        assertTrue(e.value("jvm_memory_used_bytes", "area", "heap") > 0);
        assertTrue(e.value("jvm_threads_current") > 0);
        assertEquals("summary", e.types().get("jvm_gc_collection_seconds"), "GC pauses, by collector");
        assertFalse(e.find("jvm_gc_collection_seconds_count").isEmpty());
        assertEquals(1, e.find("process_open_fds").size(), "ours only: " + e.find("process_open_fds"));
        assertEquals(1, e.find("process_max_fds").size());

        List<Sample> build = e.find("gozargah_build_info");
        assertEquals(1, build.size());
        assertEquals(1, build.get(0).value());
        assertTrue(build.get(0).label("version").matches("\\d+\\.\\d+\\.\\d+.*"), build.toString());
        assertTrue(build.get(0).label("commit").matches("[0-9a-f]{12}|unknown"), build.toString());
    }

    @Test
    void shouldShowEachQuotaUsedAndItsLimit() throws Exception {
        upstream = setup.provider(TestUpstream.answering(BODY));
        fixture = setup.closeAfter(AdminFixture.start(setup.standardYaml(null, null)
                .replace("      - service: prov/svc\n",
                        "      - { service: prov/svc, quotaDay: 3, quotaMonth: 100 }\n"),
                Duration.ofSeconds(2)));
        try (RawHttpClient c = new RawHttpClient(fixture.gateway().port())) {
            assertEquals(200, send(c, "GET", "/prov/svc", ALICE_KEY, null));
            assertEquals(200, send(c, "GET", "/prov/svc", ALICE_KEY, null));
            assertEquals(200, send(c, "GET", "/prov/slow", ALICE_KEY, null));
        }
        Exposition e = scrape();
        String[] svc = {"consumer", "alice", "provider", "prov", "service", "svc"};
        assertEquals(2, e.value("gozargah_quota_used", merge(svc, "period", "day")));
        assertEquals(3, e.value("gozargah_quota_limit", merge(svc, "period", "day")));
        assertEquals(2, e.value("gozargah_quota_used", merge(svc, "period", "month")));
        assertEquals(100, e.value("gozargah_quota_limit", merge(svc, "period", "month")));
        assertEquals(2, e.find("gozargah_quota_used").size(), "grants without a quota have no series");
    }

    private static String[] merge(String[] labels, String name, String value) {
        String[] all = java.util.Arrays.copyOf(labels, labels.length + 2);
        all[labels.length] = name;
        all[labels.length + 1] = value;
        return all;
    }
}
