package io.gozargah.engine.cluster;

import io.gozargah.engine.admission.Admission;
import io.gozargah.engine.admission.AdmissionTicket;
import io.gozargah.engine.admission.GrantPolicy;
import io.gozargah.engine.auth.ApiKeys;
import io.gozargah.engine.config.ConfigLoader;
import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A grant's rate held across two nodes sharing a real Redis, under uneven load, on an injected clock: both nodes'
 * admissions ({@link Admission#admit}) and sync rounds ({@link ClusterAgent#syncOnce}, every 100 ms of that clock)
 * are driven step by step, so the count does not depend on how busy the machine is. Over the last 15 of 20
 * simulated seconds, the two nodes together admit the configured rate within ±5%.
 */
class ClusterRateTest {
    private static final double RATE = 100;
    private static final long MS = 1_000_000L;

    private RedisServer redis;
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final List<Admission> nodes = new ArrayList<>();

    @BeforeEach
    void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (Admission a : nodes) {
            a.close();
        }
        redis.close();
    }

    private GrantPolicy node(String name) throws Exception {
        Path dir = Files.createTempDirectory("gozargah-rate-" + name);
        String yaml = """
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
                        rate: %d
                        burst: 10
                admission:
                  calendar: gregorian
                  zone: UTC
                  cluster:
                    redis: [ "%s" ]
                    node: %s
                """.formatted(ApiKeys.configHash("gzk_test_alice"), (long) RATE, redis.uri(), name);
        GatewayConfig config = ConfigLoader.load(Files.writeString(dir.resolve("gateway.yaml"), yaml));
        Admission admission = Admission.open(config.admission(), nanos::get, System::currentTimeMillis);
        nodes.add(admission);
        return admission.plan(config, Map.of("prov/svc", 0), Map.of("alice", 0), nanos.get()).grant(0, 0);
    }

    @ParameterizedTest(name = "offered {0}/s and {1}/s")
    @CsvSource({"300, 60", "150, 150", "400, 10", "40, 30"})
    void shouldHoldTheRateAcrossTwoNodesUnderUnevenLoad(int offeredA, int offeredB) throws Exception {
        GrantPolicy a = node("a");
        GrantPolicy b = node("b");
        AdmissionTicket ticket = new AdmissionTicket();
        long[] admitted = new long[2];
        long start = nanos.get();
        double dueA = 0;
        double dueB = 0;
        for (int ms = 0; ms < 20_000; ms++) {
            long now = start + ms * MS;
            nanos.set(now);
            if (ms % 100 == 0) {
                assertTrue(nodes.get(0).cluster().syncOnce(RedisServer.patience()), "node a's round");
                assertTrue(nodes.get(1).cluster().syncOnce(RedisServer.patience()), "node b's round");
            }
            dueA += offeredA / 1000.0;
            dueB += offeredB / 1000.0;
            boolean counted = ms >= 5_000;
            for (; dueA >= 1; dueA--) {
                if (nodes.get(0).admit(a, ticket, now, System.currentTimeMillis()) == null) {
                    nodes.get(0).release(ticket);
                    admitted[0] += counted ? 1 : 0;
                }
            }
            for (; dueB >= 1; dueB--) {
                if (nodes.get(1).admit(b, ticket, now, System.currentTimeMillis()) == null) {
                    nodes.get(1).release(ticket);
                    admitted[1] += counted ? 1 : 0;
                }
            }
        }
        double rate = (admitted[0] + admitted[1]) / 15.0;
        double expected = Math.min(RATE, offeredA + offeredB);
        System.out.printf("rate %s/s across two nodes offered %d/s and %d/s: %.1f + %.1f = %.1f/s (shares %.3f,"
                        + " %.3f)%n", (long) RATE, offeredA, offeredB, admitted[0] / 15.0, admitted[1] / 15.0, rate,
                nodes.get(0).cluster().lease("alice prov/svc").terms().share(),
                nodes.get(1).cluster().lease("alice prov/svc").terms().share());
        assertEquals(expected, rate, expected * 0.05, "within ±5% of " + expected + "/s");
    }
}
