package io.gozargah.engine.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static io.gozargah.engine.config.ConfigLoaderTest.MINIMAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code admission.cluster}: off when absent, its defaults, every option read, and each bad value refused at its
 * line and field. The section starts at line 15, after {@link ConfigLoaderTest#MINIMAL}'s 14 lines:
 * <pre>
 * 15 admission:
 * 16   cluster:
 * 17     redis: [ ... ]
 * 18     (the case's line)
 * </pre>
 */
class ClusterConfigTest {
    @TempDir
    Path dir;

    private GatewayConfig load(String yaml) throws Exception {
        return ConfigLoader.load(Files.writeString(dir.resolve("gateway.yaml"), yaml));
    }

    private static String cluster(String redis, String line) {
        return MINIMAL + "admission:\n  cluster:\n    redis: " + redis + "\n"
                + (line == null ? "" : "    " + line + "\n");
    }

    @Test
    void shouldBeOffWithoutTheSection() throws Exception {
        assertNull(load(MINIMAL).admission().cluster());
        assertNull(load(MINIMAL + "admission:\n  calendar: gregorian\n").admission().cluster());
        assertNull(load(cluster("[ \"redis://r:6379\" ]", "enabled: false")).admission().cluster());
    }

    @Test
    void shouldReadTheDefaults() throws Exception {
        ClusterConfig c = load(cluster("[ \"redis://redis-1.bus.internal:6379\" ]", null)).admission().cluster();
        assertEquals(List.of("redis://redis-1.bus.internal:6379"), c.redis());
        assertTrue(c.autoLease());
        assertEquals(Duration.ofMillis(100), c.syncInterval());
        assertEquals(ClusterConfig.OnRedisDown.LOCAL_SHARE, c.onRedisDown());
        assertEquals(1000, c.maxUnspentLease());
        assertEquals(Duration.ofSeconds(3), c.nodeTimeout());
        assertEquals("gozargah", c.keyPrefix());
        assertTrue(c.nodeId().endsWith("-" + ProcessHandle.current().pid()), c.nodeId());
    }

    @Test
    void shouldReadEveryOption() throws Exception {
        String yaml = MINIMAL + """
                admission:
                  cluster:
                    redis: [ "redis://10.0.0.1:6379", "redis://10.0.0.2:6379", "redis://10.0.0.3:6379" ]
                    leaseSize: 250
                    syncInterval: 50ms
                    onRedisDown: refuse
                    maxUnspentLease: 400
                    nodeTimeout: 2s
                    node: gw-1
                    keyPrefix: bus:prod
                """;
        ClusterConfig c = load(yaml).admission().cluster();
        assertEquals(3, c.redis().size());
        assertEquals(250, c.leaseSize());
        assertEquals(Duration.ofMillis(50), c.syncInterval());
        assertEquals(ClusterConfig.OnRedisDown.REFUSE, c.onRedisDown());
        assertEquals(400, c.maxUnspentLease());
        assertEquals(Duration.ofSeconds(2), c.nodeTimeout());
        assertEquals("gw-1", c.nodeId());
        assertEquals("bus:prod", c.keyPrefix());
    }

    @Test
    void shouldAcceptOneSentinelUri() throws Exception {
        ClusterConfig c = load(cluster("[ \"redis-sentinel://s1:26379,s2:26379#bus\" ]", null)).admission().cluster();
        assertEquals(List.of("redis-sentinel://s1:26379,s2:26379#bus"), c.redis());
    }

    @Test
    void shouldRaiseADefaultNodeTimeoutToThreeSyncIntervals() throws Exception {
        ClusterConfig c = load(cluster("[ \"redis://r:6379\" ]", "syncInterval: 2s")).admission().cluster();
        assertEquals(Duration.ofSeconds(6), c.nodeTimeout());
    }

    record Case(String name, String yaml, int line, String field, String reason) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> badClusters() {
        String ok = "[ \"redis://r:6379\" ]";
        return Stream.of(
                new Case("unknown key", cluster(ok, "leases: 5"), 18, "admission.cluster.leases",
                        "unknown key 'leases'; allowed: enabled, redis, leaseSize, syncInterval, onRedisDown,"
                                + " maxUnspentLease, nodeTimeout, node, keyPrefix"),
                new Case("no redis", MINIMAL + "admission:\n  cluster:\n    node: a\n", 16, "admission.cluster",
                        "missing required key 'redis'"),
                new Case("empty redis list", cluster("[ ]", null), 17, "admission.cluster.redis",
                        "expected at least one Redis URI"),
                new Case("redis not a list", cluster("redis://r:6379", null), 17, "admission.cluster.redis",
                        "expected a list"),
                new Case("wrong scheme", cluster("[ \"http://r:6379\" ]", null), 17, "admission.cluster.redis[0]",
                        "Redis URI"),
                new Case("sentinel without master", cluster("[ \"redis-sentinel://s1:26379\" ]", null), 17,
                        "admission.cluster.redis[0]", "names its master after '#'"),
                new Case("sentinel beside another URI",
                        cluster("[ \"redis-sentinel://s1:26379#m\", \"redis://r:6379\" ]", null), 17,
                        "admission.cluster.redis", "a redis-sentinel URI stands alone"),
                new Case("lease size word", cluster(ok, "leaseSize: big"), 18, "admission.cluster.leaseSize",
                        "expected auto or a number of requests, got 'big'"),
                new Case("lease size zero", cluster(ok, "leaseSize: 0"), 18, "admission.cluster.leaseSize",
                        "0 is out of range 1..1000000000"),
                new Case("lease size over maxUnspentLease", cluster(ok, "leaseSize: 5000"), 18,
                        "admission.cluster.leaseSize", "5000 is more than maxUnspentLease (1000)"),
                new Case("sync interval too short", cluster(ok, "syncInterval: 5ms"), 18,
                        "admission.cluster.syncInterval", "expected 10ms to 10s, got 5ms"),
                new Case("sync interval not a duration", cluster(ok, "syncInterval: fast"), 18,
                        "admission.cluster.syncInterval", "expected a duration"),
                new Case("onRedisDown unknown", cluster(ok, "onRedisDown: admit-all"), 18,
                        "admission.cluster.onRedisDown", "expected local-share or refuse, got 'admit-all'"),
                new Case("maxUnspentLease zero", cluster(ok, "maxUnspentLease: 0"), 18,
                        "admission.cluster.maxUnspentLease", "0 is out of range 1..1000000000"),
                new Case("node timeout below three syncs", cluster(ok, "nodeTimeout: 200ms"), 18,
                        "admission.cluster.nodeTimeout", "must be at least three sync intervals (300ms)"),
                new Case("node id with a space", cluster(ok, "node: \"gw 1\""), 18, "admission.cluster.node",
                        "expected 1 to 64 letters, digits"),
                new Case("key prefix with braces", cluster(ok, "keyPrefix: \"{x}\""), 18,
                        "admission.cluster.keyPrefix", "expected 1 to 64 letters"),
                new Case("enabled not a boolean", cluster(ok, "enabled: yes"), 18, "admission.cluster.enabled",
                        "expected true or false, got 'yes'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badClusters")
    void shouldLocateTheProblem(Case c) throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"), c.yaml());
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file), c.yaml());
        assertEquals(c.line(), e.line(), e.getMessage());
        assertEquals(c.field(), e.field(), e.getMessage());
        assertTrue(e.getMessage().startsWith(file + ":" + c.line() + ": " + c.field() + ": "), e.getMessage());
        assertTrue(e.reason().contains(c.reason()), e.getMessage());
    }
}
