package io.gozargah.engine.cluster;

import io.gozargah.engine.admission.CountersReader;
import io.gozargah.engine.calendar.BillingCalendar;
import io.gozargah.engine.testing.Await;
import io.gozargah.engine.testing.ChildGateway;
import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.RedisServer;
import io.gozargah.engine.testing.TestUpstream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;
import java.util.function.LongPredicate;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several gateways sharing one real Redis ({@code admission.cluster}): a day quota spread over three nodes admits
 * exactly the quota; a node killed mid-run costs the cluster at most its unspent lease; Redis stopped and started
 * again mid-run blocks no request, and the counts reconcile afterwards.
 */
class ClusterAdmissionIT {
    private static final BillingCalendar CALENDAR = BillingCalendar.named("gregorian", ZoneOffset.UTC);
    private static final String GRANT = "alice prov/svc";
    private static final int QUOTA = 10_000;
    private static final String REQUEST = "GET /prov/svc/x HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY
            + "\r\n\r\n";

    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();
    private RedisServer redis;

    @BeforeEach
    void start() throws Exception {
        redis = setup.closeAfter(RedisServer.start());
        setup.provider(TestUpstream.answering("ok"));
    }

    private String yaml(String node, long quotaDay, String clusterExtra) {
        return setup.standardYaml(null, null)
                .replace("      - service: prov/svc\n",
                        "      - service: prov/svc\n        quotaDay: " + quotaDay + "\n")
                + "admission:\n"
                + "  calendar: gregorian\n"
                + "  zone: UTC\n"
                + "  cluster:\n"
                + "    redis: [ \"" + redis.uri() + "\" ]\n"
                + "    node: " + node + "\n"
                + clusterExtra;
    }

    private String dayKey() throws IOException {
        return ClusterKeys.day(ClusterKeys.grantTag("gozargah", GRANT), CALENDAR.dayIndex(System.currentTimeMillis()));
    }

    private long redisDayCount() throws IOException {
        String v = redis.call("GET", dayKey());
        return v == null ? 0 : Long.parseLong(v);
    }

    private static long tokens(GatewayFixture g) {
        GrantLease lease = g.gateway().admission().cluster().lease(GRANT);
        return lease == null ? 0 : lease.tokens(CALENDAR.dayIndex(System.currentTimeMillis()));
    }

    /** The grant's admitted count today in a node's own counters file. */
    private static long nodeToday(Path configFile) throws IOException {
        CountersReader r = CountersReader.open(configFile.getParent().resolve("data/counters.dat"));
        long day = CALENDAR.dayIndex(System.currentTimeMillis());
        return r.read().stream().filter(c -> c.name().equals(GRANT)).mapToLong(c -> c.usedOnDay(day)).sum();
    }

    /**
     * Load over {@code ports}, each thread sending to them in turn by {@code weights} (uneven on purpose), until
     * {@code done} holds (checked every 50 requests) or every port is gone; the admitted (200) count per port. A
     * port that stops answering (a killed node) is dropped by the thread that found it so.
     */
    private static long[] load(int[] ports, int[] weights, int threads, BooleanSupplier done, AtomicLong maxNanos)
            throws InterruptedException {
        return load(ports, weights, threads, answers -> done.getAsBoolean(), maxNanos);
    }

    /** As above, {@code done} given the number of answers so far. */
    private static long[] load(int[] ports, int[] weights, int threads, LongPredicate done, AtomicLong maxNanos)
            throws InterruptedException {
        AtomicLongArray admitted = new AtomicLongArray(ports.length);
        AtomicLong answers = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int offset = t;
            Thread w = new Thread(() -> {
                RawHttpClient[] clients = new RawHttpClient[ports.length];
                boolean[] gone = new boolean[ports.length];
                List<Integer> turns = new ArrayList<>();
                for (int i = 0; i < ports.length; i++) {
                    for (int k = 0; k < weights[i]; k++) {
                        turns.add(i);
                    }
                }
                try {
                    for (long n = offset; !stop.get(); n++) {
                        if (n % 50 == 0 && done.test(answers.get())) {
                            stop.set(true);
                            break;
                        }
                        int i = turns.get((int) (n % turns.size()));
                        if (gone[i]) {
                            if (allGone(gone)) {
                                break;
                            }
                            continue;
                        }
                        try {
                            if (clients[i] == null) {
                                clients[i] = new RawHttpClient(ports[i]);
                            }
                            long start = System.nanoTime();
                            RawHttpClient.Response r = clients[i].send(REQUEST).read();
                            maxNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
                            answers.incrementAndGet();
                            if (r.status() == 200) {
                                admitted.incrementAndGet(i);
                            } else if (r.status() != 429 && r.status() != 503) {
                                throw new AssertionError("unexpected " + r.statusLine() + ": " + r.bodyText());
                            }
                        } catch (IOException e) {
                            gone[i] = true;
                        }
                    }
                } finally {
                    for (RawHttpClient c : clients) {
                        if (c != null) {
                            try {
                                c.close();
                            } catch (IOException ignored) {
                                // closing a client of a killed node
                            }
                        }
                    }
                }
            }, "cluster-load-" + t);
            w.start();
            workers.add(w);
        }
        for (Thread w : workers) {
            w.join(120_000);
        }
        stop.set(true);
        long[] out = new long[ports.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = admitted.get(i);
        }
        return out;
    }

    private static boolean allGone(boolean[] gone) {
        for (boolean g : gone) {
            if (!g) {
                return false;
            }
        }
        return true;
    }

    private static long sum(long[] counts) {
        long s = 0;
        for (long c : counts) {
            s += c;
        }
        return s;
    }

    @Test
    void shouldAdmitExactlyTheDayQuotaOverThreeNodes() throws Exception {
        List<GatewayFixture> nodes = new ArrayList<>();
        for (String node : List.of("n1", "n2", "n3")) {
            nodes.add(setup.start(yaml(node, QUOTA, "")));
        }
        int[] ports = nodes.stream().mapToInt(GatewayFixture::port).toArray();
        long[] admitted = load(ports, new int[] {5, 3, 2}, 6, () -> {
            try {
                return redisDayCount() == QUOTA && nodes.stream().allMatch(g -> tokens(g) == 0);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }, new AtomicLong());
        long total = sum(admitted);
        System.out.printf("three nodes, one Redis, day quota %d: admitted %d + %d + %d = %d (nodes' own counts %d,"
                        + " %d, %d; Redis %d)%n", QUOTA, admitted[0], admitted[1], admitted[2], total,
                nodeToday(nodes.get(0).configFile()), nodeToday(nodes.get(1).configFile()),
                nodeToday(nodes.get(2).configFile()), redisDayCount());
        assertEquals(QUOTA, total, "exactly the quota over the cluster");
        for (int i = 0; i < nodes.size(); i++) {
            assertEquals(admitted[i], nodeToday(nodes.get(i).configFile()), "node " + (i + 1) + "'s own count");
            assertTrue(admitted[i] > 0, "every node admitted some");
            try (RawHttpClient c = new RawHttpClient(ports[i])) {
                RawHttpClient.Response r = c.send(REQUEST).read();
                assertEquals(429, r.status());
                assertTrue(r.bodyText().contains("has used its daily quota of 10000"), r.bodyText());
            }
        }
    }

    @Test
    void shouldLoseAtMostTheUnspentLeaseOfAKilledNode() throws Exception {
        String extra = "    leaseSize: 200\n    maxUnspentLease: 200\n";
        GatewayFixture n1 = setup.start(yaml("n1", QUOTA, extra));
        GatewayFixture n2 = setup.start(yaml("n2", QUOTA, extra));
        Path dir = Files.createTempDirectory("gozargah-cluster-child");
        int childPort = ChildGateway.freePort();
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, yaml("n3", QUOTA, extra).replace("port: 0", "port: " + childPort));
        ChildGateway child = setup.closeAfter(ChildGateway.start(config));
        child.awaitLog(l -> l.contains("listening: test on 127.0.0.1:" + childPort), 60);

        int[] ports = {n1.port(), n2.port(), childPort};
        AtomicLong maxNanos = new AtomicLong();
        // Until the child has admitted a good part, then it is killed (holding a lease) in the middle of the load.
        long[] before = load(ports, new int[] {1, 1, 2}, 4, () -> {
            try {
                return redisDayCount() >= QUOTA / 3;
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }, maxNanos);
        Thread killer = new Thread(() -> {
            try {
                child.kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        killer.start();
        long[] after = load(ports, new int[] {1, 1, 2}, 4, () -> {
            try {
                return !child.process().isAlive() && redisDayCount() == QUOTA && tokens(n1) == 0 && tokens(n2) == 0;
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }, maxNanos);
        killer.join();
        long total = sum(before) + sum(after);
        long lost = QUOTA - total;
        System.out.printf("a node killed mid-run (leaseSize 200, maxUnspentLease 200): admitted %d + %d + %d (killed)"
                        + " = %d of quota %d (nodes' own counts %d, %d, %d); %d lost with the killed node's lease%n",
                before[0] + after[0], before[1] + after[1], before[2] + after[2], total, QUOTA,
                nodeToday(n1.configFile()), nodeToday(n2.configFile()), nodeToday(config), lost);
        assertTrue(total <= QUOTA, "never more than the quota: " + total);
        assertTrue(lost >= 0 && lost <= 200, "at most the killed node's unspent lease (maxUnspentLease 200) lost: "
                + lost);
        assertTrue(before[2] > 0, "the killed node had admitted some");
    }

    @Test
    void shouldDecideLocallyWhileRedisIsAwayAndReconcileWhenItReturns() throws Exception {
        String extra = "    syncInterval: 50ms\n    onRedisDown: local-share\n    maxUnspentLease: 500\n";
        GatewayFixture n1 = setup.start(yaml("n1", 1_000_000, extra));
        GatewayFixture n2 = setup.start(yaml("n2", 1_000_000, extra));
        int[] ports = {n1.port(), n2.port()};
        ClusterAgent a1 = n1.gateway().admission().cluster();
        ClusterAgent a2 = n2.gateway().admission().cluster();

        AtomicLong normalMax = new AtomicLong();
        long[] normal = load(ports, new int[] {2, 1}, 2, () -> {
            try {
                return redisDayCount() >= 1000;
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }, normalMax);
        redis.stopSaving();
        Await.until(() -> a1.redisDown() && a2.redisDown(), "both nodes see Redis away", RedisServer.patience());
        assertEquals(List.of(), n1.gateway().notReady(), "ready while Redis is away");

        AtomicLong awayMax = new AtomicLong();
        // 3000 answers: the leases, then each node's local share (at most maxUnspentLease 500), then 503s.
        long[] away = load(ports, new int[] {2, 1}, 2, (long answers) -> answers >= 3000, awayMax);
        redis.restart();
        Await.until(() -> !a1.redisDown() && !a2.redisDown(), "both nodes see Redis again", RedisServer.patience());
        // Reconciled: Redis counts what the nodes admitted (their own counts) plus the leases they hold.
        Await.until(() -> {
            try {
                return redisDayCount() == nodeToday(n1.configFile()) + nodeToday(n2.configFile()) + tokens(n1)
                        + tokens(n2);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }, "Redis's count equals the nodes' admitted plus their leases", RedisServer.patience());
        long writtenBack = a1.writtenBack() + a2.writtenBack();
        System.out.printf("Redis away mid-run: %d admitted before, %d while away (%d of them past the leases, written"
                        + " back); slowest request %.1f ms before, %.1f ms while away; Redis now %d%n",
                sum(normal), sum(away), writtenBack, normalMax.get() / 1e6, awayMax.get() / 1e6, redisDayCount());
        assertTrue(sum(away) > 0);
        assertTrue(writtenBack > 0, "requests past the leases were admitted on the local share and written back");
        assertTrue(awayMax.get() < Duration.ofSeconds(1).toNanos(), "no request waited for Redis (a call to it times"
                + " out after 1 s): slowest " + awayMax.get() / 1e6 + " ms");
        assertFalse(a1.redisDown());
    }
}
