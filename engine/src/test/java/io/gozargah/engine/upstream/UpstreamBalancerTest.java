package io.gozargah.engine.upstream;

import io.gozargah.codec.http1.Http1Limits;
import io.gozargah.engine.config.EndpointConfig;
import io.gozargah.engine.config.EndpointRole;
import io.gozargah.engine.config.FailureKind;
import io.gozargah.engine.config.OutlierConfig;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The balancer of {@link UpstreamPools} and the ejection of {@link EndpointHealth}, on a clock the test drives. */
class UpstreamBalancerTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final OutlierConfig OUTLIER = new OutlierConfig(3,
            Set.of(FailureKind.CONNECT, FailureKind.RESET, FailureKind.TIMEOUT, FailureKind.GATEWAY),
            Duration.ofSeconds(10), Duration.ofSeconds(35), 50, 50);

    private final EmbeddedChannel loop = new EmbeddedChannel();
    private long now = 1_000 * SECOND;
    private final UpstreamPools pools = new UpstreamPools(loop.eventLoop(), NioSocketChannel::new,
            Http1Limits.defaults(), WriteBufferWaterMark.DEFAULT, () -> now);
    private final EndpointHealthRegistry registry = new EndpointHealthRegistry();

    @AfterEach
    void close() {
        loop.finishAndReleaseAll();
    }

    private UpstreamEndpoint[] group(OutlierConfig outlier, EndpointRole... roles) {
        UpstreamEndpoint[] endpoints = new UpstreamEndpoint[roles.length];
        for (int i = 0; i < roles.length; i++) {
            endpoints[i] = new UpstreamEndpoint(new EndpointConfig("http", "127.0.0.1", 9001 + i, ""), 1000, 4,
                    60 * SECOND);
        }
        UpstreamGroup.of("prov", endpoints, List.of(roles), outlier, null, registry);
        return endpoints;
    }

    private static EndpointRole weight(int w) {
        return new EndpointRole(w, false);
    }

    /** Chooses {@code n} times, each exchange ended before the next (an idle gateway), and counts the choices. */
    private Map<UpstreamEndpoint, Integer> spread(UpstreamEndpoint[] endpoints, int n) {
        Map<UpstreamEndpoint, Integer> counts = new IdentityHashMap<>();
        for (int i = 0; i < n; i++) {
            UpstreamPool p = pools.choose(endpoints);
            counts.merge(p.endpoint(), 1, Integer::sum);
            p.exchangeEnded();
        }
        return counts;
    }

    private void fail(UpstreamEndpoint e, FailureKind kind, int times) {
        for (int i = 0; i < times; i++) {
            pools.pool(e).failed(kind);
        }
    }

    @Test
    void shouldSpreadAnIdleGatewaysRequestsByWeight() {
        UpstreamEndpoint[] e = group(OUTLIER, weight(3), weight(1));

        Map<UpstreamEndpoint, Integer> counts = spread(e, 4000);

        // Expected 3000 and 1000; a binomial's standard deviation here is about 27, so 200 is over seven of them.
        assertEquals(3000, counts.getOrDefault(e[0], 0), 200);
        assertEquals(1000, counts.getOrDefault(e[1], 0), 200);
    }

    @Test
    void shouldSpreadEvenlyWithEqualWeights() {
        UpstreamEndpoint[] e = group(OUTLIER, weight(1), weight(1), weight(1));

        Map<UpstreamEndpoint, Integer> counts = spread(e, 3000);

        for (UpstreamEndpoint x : e) {
            assertEquals(1000, counts.getOrDefault(x, 0), 150);
        }
    }

    @Test
    void shouldPreferTheEndpointWithFewerOutstandingRequests() {
        UpstreamEndpoint[] e = group(OUTLIER, weight(1), weight(1));

        // Two endpoints: both are always the two candidates, so the less loaded always wins.
        UpstreamPool first = pools.choose(e);
        UpstreamPool second = pools.choose(e);
        assertNotSame(first, second);
        UpstreamPool third = pools.choose(e);
        UpstreamPool fourth = pools.choose(e);
        assertNotSame(third, fourth);
        assertEquals(2, first.outstanding());
        assertEquals(2, second.outstanding());
        first.exchangeEnded();
        first.exchangeEnded();
        assertSame(first, pools.choose(e));
    }

    @Test
    void shouldWeighOutstandingRequestsByWeight() {
        UpstreamEndpoint[] e = group(OUTLIER, weight(4), weight(1));
        UpstreamPool heavy = pools.pool(e[0]);
        UpstreamPool light = pools.pool(e[1]);
        for (int i = 0; i < 3; i++) {
            heavy.exchangeStarted(e[0]);
        }
        light.exchangeStarted(e[1]);

        // 3 per 4 of weight is less than 1 per 1: the heavier endpoint takes it whichever is drawn first.
        for (int i = 0; i < 50; i++) {
            UpstreamPool p = pools.choose(e);
            assertSame(heavy, p);
            p.exchangeEnded();
        }
    }

    @Test
    void shouldAvoidTheGivenEndpointWhenAnotherIsUsable() {
        UpstreamEndpoint[] e = group(OUTLIER, weight(1), weight(1), weight(1));

        for (int i = 0; i < 200; i++) {
            UpstreamPool p = pools.choose(e, e[1]);
            assertNotSame(e[1], p.endpoint());
            p.exchangeEnded();
        }
        UpstreamEndpoint[] single = group(OUTLIER, weight(1));
        assertSame(pools.pool(single[0]), pools.choose(single, single[0]), "the only endpoint, avoided or not");
    }

    @Test
    void shouldUseBackupsOnlyWhenNoPrimaryIsUsable() {
        UpstreamEndpoint[] e = group(OUTLIER, weight(1), weight(1), new EndpointRole(1, true));

        assertFalse(spread(e, 500).containsKey(e[2]), "a backup takes nothing while primaries are usable");
        e[0].health().healthy(false, now, "test");
        e[1].health().healthy(false, now, "test");
        assertEquals(Map.of(e[2], 100), spread(e, 100));
        e[1].health().healthy(true, now, "test");
        assertEquals(Map.of(e[1], 100), spread(e, 100));
    }

    @Test
    void shouldBalanceOverAllWhenNothingIsUsable() {
        UpstreamEndpoint[] e = group(OUTLIER, weight(1), new EndpointRole(1, true));
        e[0].health().healthy(false, now, "test");
        e[1].health().healthy(false, now, "test");

        Map<UpstreamEndpoint, Integer> counts = spread(e, 400);

        assertEquals(200, counts.getOrDefault(e[0], 0), 100);
        assertEquals(200, counts.getOrDefault(e[1], 0), 100);
    }

    @Test
    void shouldBalanceOverAllPrimariesBelowThePanicThreshold() {
        // 4 primaries, panic below 50%: one usable of four is panic, two are not.
        UpstreamEndpoint[] e = group(OUTLIER, weight(1), weight(1), weight(1), weight(1));
        for (int i = 1; i < 4; i++) {
            e[i].health().healthy(false, now, "test");
        }
        assertEquals(4, spread(e, 800).size(), "in panic every primary takes some");

        e[1].health().healthy(true, now, "test");
        assertEquals(Set.of(e[0], e[1]), spread(e, 400).keySet());
    }

    @Test
    void shouldEjectAfterConsecutiveCountedFailuresOnly() {
        UpstreamEndpoint[] e = group(OUTLIER, weight(1), weight(1), weight(1), weight(1));

        fail(e[0], FailureKind.GATEWAY, 2);
        pools.pool(e[0]).responded(200); // the run is broken
        fail(e[0], FailureKind.GATEWAY, 2);
        pools.pool(e[0]).responded(500); // a 500 is not a gateway failure: breaks the run as well
        fail(e[0], FailureKind.CONNECT, 2);
        assertFalse(e[0].health().ejected(now));

        fail(e[0], FailureKind.RESET, 1);
        assertTrue(e[0].health().ejected(now));
        assertEquals(1, e[0].health().ejections());
        assertFalse(spread(e, 300).containsKey(e[0]));
    }

    @Test
    void shouldReturnAnEjectedEndpointWhenItsTimeIsUpAndDoubleTheNextEjectionUpToTheCap() {
        UpstreamEndpoint[] e = group(OUTLIER, weight(1), weight(1));
        EndpointHealth h = e[0].health();

        fail(e[0], FailureKind.TIMEOUT, 3);
        assertEquals(now + 10 * SECOND, h.ejectedUntilNanos());
        now += 10 * SECOND - 1;
        assertFalse(spread(e, 100).containsKey(e[0]));
        now += 1;
        assertTrue(spread(e, 100).containsKey(e[0]), "tried again once its ejection is over");
        assertEquals(0, h.ejectedUntilNanos());

        fail(e[0], FailureKind.TIMEOUT, 3);
        assertEquals(now + 20 * SECOND, h.ejectedUntilNanos(), "the second ejection lasts twice as long");
        now += 20 * SECOND;
        spread(e, 10);
        fail(e[0], FailureKind.TIMEOUT, 3);
        assertEquals(now + 35 * SECOND, h.ejectedUntilNanos(), "the third would be 40 s: capped at 35 s");
        assertEquals(3, h.ejections());

        // Well-behaved for longer than the longest ejection: the next starts from the base time again.
        now += 35 * SECOND + 36 * SECOND;
        spread(e, 10);
        fail(e[0], FailureKind.TIMEOUT, 3);
        assertEquals(now + 10 * SECOND, h.ejectedUntilNanos());
    }

    @Test
    void shouldReturnAnEjectedEndpointAtOnceWhenHealthChecksSeeItRecover() {
        UpstreamEndpoint[] e = group(OUTLIER, weight(1), weight(1));
        EndpointHealth h = e[0].health();

        fail(e[0], FailureKind.CONNECT, 3);
        assertTrue(h.ejected(now));
        h.healthy(true, now, "a check passed"); // healthy all along: no recovery seen, the ejection stands
        assertTrue(h.ejected(now));
        assertFalse(spread(e, 100).containsKey(e[0]));

        h.healthy(false, now, "checks failed");
        h.healthy(true, now + SECOND, "checks pass again"); // a recovery: out of the ejection at once
        assertFalse(h.ejected(now + SECOND));
        assertEquals(0, h.consecutiveFailures());
        now += SECOND;
        assertTrue(spread(e, 100).containsKey(e[0]), "takes traffic again well before its 10 s are up");
    }

    @Test
    void shouldNeverEjectMoreThanTheMaximumShare() {
        // 50% of 4 endpoints: two may be out at once, never a third.
        UpstreamEndpoint[] e = group(OUTLIER, weight(1), weight(1), weight(1), weight(1));
        fail(e[0], FailureKind.CONNECT, 3);
        fail(e[1], FailureKind.CONNECT, 3);
        fail(e[2], FailureKind.CONNECT, 3);

        assertTrue(e[0].health().ejected(now));
        assertTrue(e[1].health().ejected(now));
        assertFalse(e[2].health().ejected(now));
        now += 10 * SECOND;
        spread(e, 50);
        fail(e[2], FailureKind.CONNECT, 3);
        assertTrue(e[2].health().ejected(now), "room again once the others are back");
    }

    @Test
    void shouldEjectOneEndpointEvenWhenTheShareRoundsToNone() {
        // Envoy's default 10% of two endpoints rounds down to none; one may still go.
        UpstreamEndpoint[] e = group(OutlierConfig.DEFAULT, weight(1), weight(1));
        fail(e[0], FailureKind.CONNECT, 5);
        fail(e[1], FailureKind.CONNECT, 5);

        assertTrue(e[0].health().ejected(now));
        assertFalse(e[1].health().ejected(now));
    }

    @Test
    void shouldNotEjectTheOnlyEndpointOrWhenTurnedOff() {
        UpstreamEndpoint[] single = group(OUTLIER, weight(1));
        fail(single[0], FailureKind.CONNECT, 10);
        assertFalse(single[0].health().ejected(now));

        UpstreamEndpoint[] off = group(new OutlierConfig(0, OUTLIER.on(), OUTLIER.baseEjectionTime(),
                OUTLIER.maxEjectionTime(), 100, 50), weight(1), weight(1));
        fail(off[0], FailureKind.CONNECT, 10);
        assertFalse(off[0].health().ejected(now));
    }

    @Test
    void shouldCountAnyFiveHundredWhenThePolicySays5xx() {
        UpstreamEndpoint[] e = group(new OutlierConfig(2, Set.of(FailureKind.SERVER_ERROR),
                OUTLIER.baseEjectionTime(), OUTLIER.maxEjectionTime(), 50, 50), weight(1), weight(1));
        pools.pool(e[0]).responded(500);
        pools.pool(e[0]).responded(503);
        assertTrue(e[0].health().ejected(now));
        pools.pool(e[1]).failed(FailureKind.CONNECT); // not counted by this policy
        pools.pool(e[1]).failed(FailureKind.CONNECT);
        assertFalse(e[1].health().ejected(now));
        assertEquals(2, pools.pool(e[0]).failures());
        assertEquals(2, pools.pool(e[1]).failures(), "failures all the same, for the success rate");
    }

    @Test
    void shouldJudgeOutcomesByThePolicyOfTheNewestSnapshotThatChoseThePool() {
        UpstreamEndpoint[] before = group(OUTLIER, weight(1), weight(1));
        UpstreamPool p = pools.choose(before, before[1]);
        p.exchangeEnded();
        UpstreamEndpoint[] after = group(new OutlierConfig(0, OUTLIER.on(), OUTLIER.baseEjectionTime(),
                OUTLIER.maxEjectionTime(), 50, 50), weight(1), weight(1));

        UpstreamPool same = pools.choose(after, after[1]);
        assertSame(p, same, "the reload kept the endpoint's settings, so its pool");
        fail(after[0], FailureKind.CONNECT, 5);
        assertFalse(after[0].health().ejected(now), "ejection is off in the new snapshot");
    }

    @Test
    void shouldKeepAnEndpointsHealthAcrossAReloadThatKeepsIt() {
        UpstreamEndpoint[] before = group(OUTLIER, weight(1), weight(1));
        fail(before[0], FailureKind.CONNECT, 3);

        UpstreamEndpoint[] after = group(OUTLIER, weight(1), weight(1));
        assertSame(before[0].health(), after[0].health());
        assertTrue(after[0].health().ejected(now));
        registry.retain(Set.of(EndpointHealthRegistry.key("prov", after[1].toString())));
        assertEquals(1, registry.size());
        List<EndpointHealth> fresh = new ArrayList<>();
        fresh.add(registry.of("prov", after[0].toString()));
        assertFalse(fresh.get(0).ejected(now), "an endpoint dropped by a reload and added back starts afresh");
    }
}
