package io.gozargah.engine.cli;

import io.gozargah.engine.admission.Admission;
import io.gozargah.engine.admission.AdmissionPlan;
import io.gozargah.engine.admission.AdmissionTicket;
import io.gozargah.engine.admission.NanoClock;
import io.gozargah.engine.auth.ApiKeys;
import io.gozargah.engine.calendar.BillingCalendar;
import io.gozargah.engine.calendar.BillingPeriod;
import io.gozargah.engine.cluster.ClusterKeys;
import io.gozargah.engine.config.ConfigLoader;
import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code stat --config} of a gateway in a cluster: the cluster's counts from Redis beside the node's own. */
class ClusterStatTest {
    private static final String GRANT = "alice prov/svc";

    @TempDir
    Path dir;
    private RedisServer redis;
    private Path config;

    @BeforeEach
    void setUp() throws Exception {
        redis = RedisServer.start();
        config = Files.writeString(dir.resolve("gateway.yaml"), """
                server:
                  listeners:
                    - port: 8080
                providers:
                  prov:
                    endpoints: [ "http://127.0.0.1:9201" ]
                    services:
                      svc:
                        path: /svc
                consumers:
                  alice:
                    apiKeys: [ "%s" ]
                    grants:
                      - service: prov/svc
                        quotaDay: 100
                        quotaMonth: 1000
                admission:
                  calendar: gregorian
                  zone: UTC
                  cluster:
                    redis: [ "%s" ]
                    node: n1
                """.formatted(ApiKeys.configHash("gzk_test_alice"), redis.uri()));
        // This node admits 3 on a lease and gives the rest back at close.
        GatewayConfig gateway = ConfigLoader.load(config);
        try (Admission admission = Admission.open(gateway.admission(), NanoClock.SYSTEM)) {
            AdmissionPlan plan = admission.plan(gateway, Map.of("prov/svc", 0), Map.of("alice", 0), System.nanoTime());
            assertTrue(admission.cluster().syncOnce(RedisServer.patience()));
            AdmissionTicket t = new AdmissionTicket();
            for (int i = 0; i < 3; i++) {
                assertNull(admission.admit(plan.grant(0, 0), t, System.nanoTime(), System.currentTimeMillis()));
                admission.release(t);
            }
        }
    }

    @AfterEach
    void stop() throws Exception {
        redis.close();
    }

    @Test
    void shouldShowTheClustersCountsBesideTheNodesOwn() throws Exception {
        BillingPeriod p = BillingCalendar.named("gregorian", ZoneOffset.UTC).periodAt(System.currentTimeMillis());
        String tag = ClusterKeys.grantTag("gozargah", GRANT);
        assertEquals("3", redis.call("GET", ClusterKeys.day(tag, p.dayIndex())), "the unspent lease came back");
        // Two other nodes' use, and their fresh demand reports.
        redis.call("SET", ClusterKeys.day(tag, p.dayIndex()), "40");
        redis.call("SET", ClusterKeys.month(tag, p.monthIndex()), "640");
        String[] time = redis.call("TIME").split("\n");
        long nowMs = Long.parseLong(time[0]) * 1000 + Long.parseLong(time[1]) / 1000;
        redis.call("HSET", ClusterKeys.demand(tag), "n2", "5.0:" + nowMs, "n3", "1.0:" + nowMs, "old", "1.0:1");

        CommandRun run = CommandRun.of("stat", "--config", config.toString(), "--interval-ms", "0");

        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("cluster   Redis " + redis.uri() + ", this node n1"), run.out());
        String row = run.out().lines().filter(l -> l.startsWith("alice") && l.contains("prov/svc")
                && l.trim().split("\\s+").length == 9).findFirst().orElseThrow(() -> new AssertionError(run.out()));
        assertEquals("alice prov/svc 40 3 100 640 3 1000 2", String.join(" ", row.trim().split("\\s+")), run.out());
    }

    @Test
    void shouldSayWhenRedisCannotBeRead() throws Exception {
        redis.close();
        CommandRun run = CommandRun.of("stat", "--config", config.toString(), "--interval-ms", "0");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("Redis cannot be read"), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith("alice") && l.contains(" 3 ")), run.out());
    }
}
