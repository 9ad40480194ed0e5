package io.gozargah.engine.metrics;

import io.gozargah.engine.testing.AdminFixture;
import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.PrometheusTextParser;
import io.gozargah.engine.testing.Promtool;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * config/grafana-dashboard.json and config/prometheus-rules.yaml: the dashboard loads (JSON, every panel with a
 * query), every metric either names is one a running gateway serves, and promtool accepts the rules and each
 * panel's expression (as a recording rule, with the dashboard's variables filled in) where it is installed.
 */
class MonitoringConfigIT {
    private static final Path DASHBOARD = Path.of("..", "config", "grafana-dashboard.json");
    private static final Path RULES = Path.of("..", "config", "prometheus-rules.yaml");
    private static final Pattern METRIC = Pattern.compile("\\b(?:gozargah|process|jvm)_[a-z0-9_]+");
    private static final List<String> SUFFIXES = List.of("_bucket", "_sum", "_count");

    @TempDir
    Path dir;

    /** Every panel's query, by panel title (rows have none). */
    @SuppressWarnings("unchecked")
    private static Map<String, List<String>> dashboardQueries() throws Exception {
        Map<String, Object> dashboard = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(DASHBOARD, StandardCharsets.UTF_8));
        assertEquals("gozargah", dashboard.get("uid"));
        Map<String, List<String>> queries = new LinkedHashMap<>();
        Set<Object> ids = new HashSet<>();
        for (Map<String, Object> panel : (List<Map<String, Object>>) dashboard.get("panels")) {
            assertTrue(ids.add(panel.get("id")), "panel ids are unique: " + panel.get("id"));
            if (panel.get("type").equals("row")) {
                continue;
            }
            List<String> exprs = new ArrayList<>();
            for (Map<String, Object> target : (List<Map<String, Object>>) panel.get("targets")) {
                exprs.add((String) target.get("expr"));
            }
            assertFalse(exprs.isEmpty(), panel.get("title") + " has no query");
            queries.put((String) panel.get("title"), exprs);
        }
        return queries;
    }

    @SuppressWarnings("unchecked")
    private static List<String> ruleExpressions() throws Exception {
        Map<String, Object> rules = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(RULES, StandardCharsets.UTF_8));
        List<String> exprs = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                exprs.add((String) rule.get("expr"));
            }
        }
        return exprs;
    }

    /** What a gateway with a journal, a quota, a cached service and traffic serves on /metrics: the families by name. */
    private Set<String> servedFamilies() throws Exception {
        TestUpstream upstream = TestUpstream.http((ctx, req) -> ctx.writeAndFlush(new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER)));
        try (AdminFixture fixture = AdminFixture.start(GatewayFixture.standardYaml(upstream.port(), null, null)
                .replace("      - service: prov/svc\n", "      - { service: prov/svc, quotaDay: 5 }\n")
                .replaceFirst("        methods: \\[ GET, HEAD, POST, PUT \\]\n",
                        "        methods: [ GET, HEAD, POST, PUT ]\n        cache: { ttl: 60s }\n")
                + "journal:\n  dir: " + dir.resolve("journal") + "\n", Duration.ofSeconds(2))) {
            PrometheusTextParser.Exposition e = PrometheusTextParser.parse(fixture.call("GET", "/metrics").bodyText());
            return e.types().keySet();
        } finally {
            upstream.close();
        }
    }

    private static Set<String> unknownMetrics(List<String> exprs, Set<String> served) {
        Set<String> unknown = new TreeSet<>();
        for (String expr : exprs) {
            Matcher m = METRIC.matcher(expr);
            while (m.find()) {
                String name = m.group();
                boolean known = served.contains(name) || SUFFIXES.stream().anyMatch(s -> name.endsWith(s)
                        && served.contains(name.substring(0, name.length() - s.length())));
                if (!known) {
                    unknown.add(name);
                }
            }
        }
        return unknown;
    }

    @Test
    void shouldQueryOnlyMetricsTheGatewayServes() throws Exception {
        Map<String, List<String>> panels = dashboardQueries();
        assertTrue(panels.size() >= 10, panels.keySet().toString());
        List<String> dashboard = panels.values().stream().flatMap(List::stream).toList();
        List<String> rules = ruleExpressions();
        assertFalse(rules.isEmpty());

        Set<String> served = servedFamilies();
        assertEquals(Set.of(), unknownMetrics(dashboard, served), "dashboard");
        assertEquals(Set.of(), unknownMetrics(rules, served), "rules");
    }

    @Test
    void shouldPassPromtoolWhereInstalled() throws Exception {
        Path promtool = Promtool.find();
        if (promtool == null) {
            System.err.println("MonitoringConfigIT: promtool not installed (Debian package prometheus); checked by"
                    + " parsing only");
            return;
        }
        promtool(promtool, RULES);

        StringBuilder asRules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int n = 0;
        for (Map.Entry<String, List<String>> panel : dashboardQueries().entrySet()) {
            for (String expr : panel.getValue()) {
                String filled = expr.replace("$__rate_interval", "5m").replace("$instance", ".*");
                asRules.append("      - record: dashboard:panel").append(n++).append('\n')
                        .append("        expr: '").append(filled.replace("'", "''")).append("'\n");
            }
        }
        promtool(promtool, Files.writeString(dir.resolve("dashboard-rules.yaml"), asRules));
    }

    private static void promtool(Path promtool, Path rules) throws Exception {
        Process p = new ProcessBuilder(promtool.toString(), "check", "rules", rules.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
        assertEquals(0, p.exitValue(), "promtool check rules " + rules + ":\n" + out);
    }
}
