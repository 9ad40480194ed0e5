package io.gozargah.engine.cluster;

import io.gozargah.engine.calendar.BillingCalendar;
import io.gozargah.engine.calendar.BillingPeriod;
import io.gozargah.engine.config.ClusterConfig;
import io.gozargah.engine.testing.Await;
import io.gozargah.engine.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code lease-sync.lua} and the agent's rounds against a real Redis, one round at a time ({@link
 * ClusterAgent#syncOnce}) with the demand's clock injected: leases never exceed what is left, unspent ones come
 * back, keys expire after their period, shares follow demand, silent nodes drop out, and what was admitted while
 * Redis was away is written back.
 */
class ClusterSyncTest {
    private static final BillingCalendar CALENDAR = BillingCalendar.named("gregorian", ZoneOffset.UTC);
    private static final String GRANT = "alice prov/svc";

    private RedisServer redis;
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final List<ClusterAgent> agents = new ArrayList<>();

    @BeforeEach
    void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (ClusterAgent a : agents) {
            a.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private ClusterAgent agent(String node, long leaseSize, long maxUnspent, Duration nodeTimeout,
                               ClusterConfig.OnRedisDown onDown) {
        ClusterAgent a = new ClusterAgent(new ClusterConfig(List.of(redis.uri()), leaseSize, Duration.ofMillis(10),
                onDown, maxUnspent, nodeTimeout, node, "t"), CALENDAR, nanos::get, System::currentTimeMillis);
        agents.add(a);
        return a;
    }

    private ClusterAgent agent(String node, long leaseSize) {
        return agent(node, leaseSize, leaseSize, Duration.ofSeconds(3), ClusterConfig.OnRedisDown.LOCAL_SHARE);
    }

    private static BillingPeriod period() {
        return CALENDAR.periodAt(System.currentTimeMillis());
    }

    private static long day() {
        return period().dayIndex();
    }

    private String dayKey() {
        return ClusterKeys.day(ClusterKeys.grantTag("t", GRANT), day());
    }

    private String monthKey() {
        return ClusterKeys.month(ClusterKeys.grantTag("t", GRANT), period().monthIndex());
    }

    private static int spend(GrantLease lease, int n) {
        int spent = 0;
        while (spent < n && lease.take(day())) {
            spent++;
        }
        return spent;
    }

    @Test
    void shouldLeaseNoMoreThanTheQuotaLeftAcrossNodes() throws Exception {
        ClusterAgent a = agent("a", 40);
        ClusterAgent b = agent("b", 40);
        GrantLease la = a.grant(GRANT, 100, 1000, 0, 0, () -> 0);
        GrantLease lb = b.grant(GRANT, 100, 1000, 0, 0, () -> 0);
        assertTrue(a.syncOnce(RedisServer.patience()));
        assertTrue(b.syncOnce(RedisServer.patience()));
        assertEquals(40, la.tokens(day()));
        assertEquals(40, lb.tokens(day()));
        assertEquals(40, spend(la, 1000));
        assertTrue(a.syncOnce(RedisServer.patience()));
        assertEquals(20, la.tokens(day()), "min(lease 40, left 20)");
        assertEquals(40, spend(lb, 1000));
        assertTrue(b.syncOnce(RedisServer.patience()));
        assertEquals(0, lb.tokens(day()), "nothing left for b");
        assertEquals(20, spend(la, 1000));
        assertEquals("100", redis.call("GET", dayKey()));
        assertEquals("100", redis.call("GET", monthKey()));
        assertTrue(a.syncOnce(RedisServer.patience()));
        assertEquals(0, la.tokens(day()));
        assertEquals(100, la.clusterUsedDay(day()));
    }

    @Test
    void shouldTakeTheSmallerOfTheDayAndMonthLeft() throws Exception {
        ClusterAgent a = agent("a", 40);
        GrantLease la = a.grant(GRANT, 1000, 25, 0, 0, () -> 0);
        assertTrue(a.syncOnce(RedisServer.patience()));
        assertEquals(25, la.tokens(day()));
        assertEquals("25", redis.call("GET", dayKey()));
    }

    @Test
    void shouldGiveBackTheUnspentLease() throws Exception {
        ClusterAgent a = agent("a", 40);
        GrantLease la = a.grant(GRANT, 100, 0, 0, 0, () -> 0);
        assertTrue(a.syncOnce(RedisServer.patience()));
        assertEquals(10, spend(la, 10));
        a.giveBack().get();
        assertEquals("10", redis.call("GET", dayKey()), "the 30 unspent are the cluster's again");
        assertEquals(0, la.tokens(day()));
        assertTrue(a.syncOnce(RedisServer.patience()));
        assertEquals(0, la.tokens(day()), "a node that gave its leases back takes none again");
    }

    @Test
    void shouldGiveBackTheLeaseOfAGrantThatLeftTheConfig() throws Exception {
        ClusterAgent a = agent("a", 40);
        GrantLease la = a.grant(GRANT, 100, 0, 0, 0, () -> 0);
        assertTrue(a.syncOnce(RedisServer.patience()));
        spend(la, 5);
        a.planned(List.of());
        assertTrue(a.syncOnce(RedisServer.patience()));
        assertEquals("5", redis.call("GET", dayKey()));
    }

    @Test
    void shouldGiveBackAndTakeAgainWhenAReloadChangesTheQuota() throws Exception {
        ClusterAgent a = agent("a", 40);
        GrantLease la = a.grant(GRANT, 100, 0, 0, 0, () -> 0);
        assertTrue(a.syncOnce(RedisServer.patience()));
        spend(la, 5);
        assertTrue(la == a.grant(GRANT, 200, 0, 0, 0, () -> 0), "the same lease across plans");
        assertTrue(a.syncOnce(RedisServer.patience()));
        assertEquals("45", redis.call("GET", dayKey()), "35 given back, 40 taken under the new quota");
        assertEquals(40, la.tokens(day()));
    }

    @Test
    void shouldExpireThePeriodKeysAfterThePeriodEnds() throws Exception {
        ClusterAgent a = agent("a", 40);
        a.grant(GRANT, 100, 100, 0, 0, () -> 0);
        assertTrue(a.syncOnce(RedisServer.patience()));
        long now = System.currentTimeMillis();
        long dayTtl = Long.parseLong(redis.call("PTTL", dayKey()));
        long monthTtl = Long.parseLong(redis.call("PTTL", monthKey()));
        long toDayEnd = period().dayEndMillis() - now;
        assertTrue(dayTtl > toDayEnd - 5_000 && dayTtl <= toDayEnd + 3_600_000, "day key TTL " + dayTtl);
        long toMonthEnd = period().monthEndMillis() - now;
        assertTrue(monthTtl > toMonthEnd - 5_000 && monthTtl <= toMonthEnd + 3_600_000, "month key TTL " + monthTtl);
    }

    @Test
    void shouldRunTheScriptWholeWhenRedisHasForgottenIt() throws Exception {
        ClusterAgent a = agent("a", 40);
        GrantLease la = a.grant(GRANT, 100, 0, 0, 0, () -> 0);
        assertTrue(a.syncOnce(RedisServer.patience()));
        redis.call("SCRIPT", "FLUSH");
        spend(la, 40);
        assertTrue(a.syncOnce(RedisServer.patience()), "NOSCRIPT answered by EVAL");
        assertEquals(40, la.tokens(day()));
        assertEquals("1", redis.call("SCRIPT", "EXISTS", LeaseSync.SHA));
    }

    @Test
    void shouldShareARateByDemand() throws Exception {
        ClusterAgent a = agent("a", 40);
        ClusterAgent b = agent("b", 40);
        AtomicLong attemptsA = new AtomicLong();
        AtomicLong attemptsB = new AtomicLong();
        GrantLease la = a.consumer("alice", 100, 10, attemptsA::get);
        GrantLease lb = b.consumer("alice", 100, 10, attemptsB::get);
        assertEquals(1.0, la.terms().share(), "before any sync a node enforces the whole rate");
        assertTrue(a.syncOnce(RedisServer.patience()));
        assertTrue(b.syncOnce(RedisServer.patience()));
        nanos.addAndGet(1_000_000_000L);
        attemptsA.set(300);
        attemptsB.set(100);
        assertTrue(a.syncOnce(RedisServer.patience()));
        assertTrue(b.syncOnce(RedisServer.patience()));
        assertTrue(a.syncOnce(RedisServer.patience()));
        // Demand 300 and 100, each weighted up by 5% of the total over 2 nodes (10): 310/420 and 110/420.
        assertEquals(310.0 / 420, la.terms().share(), 1e-9);
        assertEquals(110.0 / 420, lb.terms().share(), 1e-9);
        assertEquals((long) Math.ceil(1e9 / (100 * 310.0 / 420)), la.terms().intervalNanos());
        assertEquals(2, a.nodes());
    }

    @Test
    void shouldGiveANodeAloneTheWholeRate() throws Exception {
        ClusterAgent a = agent("a", 40);
        AtomicLong attempts = new AtomicLong();
        GrantLease la = a.grant(GRANT, 0, 0, 50, 5, attempts::get);
        assertTrue(a.syncOnce(RedisServer.patience()));
        nanos.addAndGet(1_000_000_000L);
        attempts.set(500);
        assertTrue(a.syncOnce(RedisServer.patience()));
        assertEquals(1.0, la.terms().share());
        assertEquals(20_000_000L, la.terms().intervalNanos());
        assertEquals(100_000_000L, la.terms().spanNanos());
    }

    @Test
    void shouldDropANodeThatStopsReporting() throws Exception {
        ClusterAgent a = agent("a", 40, 40, Duration.ofMillis(300), ClusterConfig.OnRedisDown.LOCAL_SHARE);
        ClusterAgent b = agent("b", 40, 40, Duration.ofMillis(300), ClusterConfig.OnRedisDown.LOCAL_SHARE);
        AtomicLong attemptsA = new AtomicLong();
        AtomicLong attemptsB = new AtomicLong();
        GrantLease la = a.grant(GRANT, 0, 0, 100, 10, attemptsA::get);
        b.grant(GRANT, 0, 0, 100, 10, attemptsB::get);
        a.syncOnce(RedisServer.patience());
        b.syncOnce(RedisServer.patience());
        nanos.addAndGet(1_000_000_000L);
        attemptsA.addAndGet(100);
        attemptsB.addAndGet(100);
        assertTrue(b.syncOnce(RedisServer.patience()));
        assertTrue(a.syncOnce(RedisServer.patience()));
        assertEquals(2, a.nodes());
        assertTrue(la.terms().share() < 0.6);
        // b stops; a keeps reporting until b's report is older than the node timeout (Redis's own clock).
        Await.until(() -> {
            nanos.addAndGet(100_000_000L);
            attemptsA.addAndGet(10);
            return a.syncOnce(RedisServer.patience()) && a.nodes() == 1;
        }, "b dropped out of the shares", RedisServer.patience());
        assertEquals(1.0, la.terms().share());
    }

    @Test
    void shouldWriteBackWhatWasAdmittedWhileRedisWasAway() throws Exception {
        ClusterAgent a = agent("a", 10, 40, Duration.ofSeconds(3), ClusterConfig.OnRedisDown.LOCAL_SHARE);
        GrantLease la = a.grant(GRANT, 100, 0, 0, 0, () -> 0);
        assertTrue(a.syncOnce(RedisServer.patience()));
        assertEquals(10, la.tokens(day()));
        redis.stopSaving();
        assertFalse(a.syncOnce(RedisServer.patience()));
        assertTrue(a.redisDown());
        assertEquals(10, spend(la, 100));
        int fallback = 0;
        while (fallback < 5 && la.takeFallback(day(), period().monthIndex())) {
            fallback++;
        }
        assertEquals(5, fallback, "local-share: up to min(maxUnspentLease, share of what was left)");
        redis.restart();
        Await.until(() -> a.syncOnce(RedisServer.patience()), "a round once Lettuce has reconnected",
                RedisServer.patience());
        assertFalse(a.redisDown());
        assertEquals(5, a.writtenBack());
        // 10 leased before, 5 admitted meanwhile, and a new lease of 10.
        assertEquals("25", redis.call("GET", dayKey()));
        assertEquals(10, la.tokens(day()));
    }

    @Test
    void shouldBoundTheFallbackByMaxUnspentLease() throws Exception {
        ClusterAgent a = agent("a", 10, 30, Duration.ofSeconds(3), ClusterConfig.OnRedisDown.LOCAL_SHARE);
        GrantLease la = a.grant(GRANT, 1_000_000, 0, 0, 0, () -> 0);
        assertTrue(a.syncOnce(RedisServer.patience()));
        redis.stopSaving();
        assertFalse(a.syncOnce(RedisServer.patience()));
        int fallback = 0;
        while (la.takeFallback(day(), period().monthIndex())) {
            fallback++;
        }
        assertEquals(30, fallback);
    }
}
