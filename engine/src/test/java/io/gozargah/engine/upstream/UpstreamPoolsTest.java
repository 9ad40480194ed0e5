package io.gozargah.engine.upstream;

import io.gozargah.codec.http1.Http1Limits;
import io.gozargah.engine.admission.NanoClock;
import io.gozargah.engine.config.EndpointConfig;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

class UpstreamPoolsTest {
    private final EmbeddedChannel loop = new EmbeddedChannel();
    private final UpstreamPools pools = new UpstreamPools(loop.eventLoop(), NioSocketChannel::new,
            Http1Limits.defaults(), WriteBufferWaterMark.DEFAULT, NanoClock.SYSTEM);

    @AfterEach
    void close() {
        loop.finishAndReleaseAll();
    }

    private static UpstreamEndpoint endpoint(int port, int maxConnections) {
        return new UpstreamEndpoint(new EndpointConfig("http", "127.0.0.1", port, ""), 1000, maxConnections,
                60_000_000_000L);
    }

    @Test
    void shouldGiveEachEndpointItsOwnPoolWhicheverWasAskedForLast() {
        UpstreamEndpoint a = endpoint(9001, 4);
        UpstreamEndpoint b = endpoint(9002, 4);

        UpstreamPool first = pools.pool(a);
        assertSame(first, pools.pool(a));
        UpstreamPool second = pools.pool(b);
        assertNotSame(first, second);
        assertSame(first, pools.pool(a));
        assertSame(second, pools.pool(b));
        assertSame(a, first.endpoint());
        assertSame(b, second.endpoint());
        assertEquals(2, pools.all().size());
    }

    @Test
    void shouldKeepThePoolForAnEndpointWithTheSameSettingsAfterAReloadAndMakeANewOneWhenTheyChange() {
        UpstreamPool before = pools.pool(endpoint(9001, 4));

        assertSame(before, pools.pool(endpoint(9001, 4)), "a reload's equal endpoint finds the same pool");
        UpstreamPool changed = pools.pool(endpoint(9001, 8));
        assertNotSame(before, changed, "new settings get a fresh pool");
        assertSame(before, pools.pool(endpoint(9001, 4)));
        assertEquals(2, pools.all().size());
    }

    @Test
    void shouldCountAnExchangeOutstandingFromItsChoiceToItsEnd() {
        UpstreamEndpoint[] one = {endpoint(9001, 4)};

        UpstreamPool p = pools.choose(one);
        pools.choose(one);
        assertEquals(2, p.outstanding());
        p.exchangeEnded();
        p.exchangeEnded();
        p.exchangeEnded(); // one too many is ignored, never negative
        assertEquals(0, p.outstanding());
    }

    @Test
    void shouldChooseAnotherEndpointThanTheOneToAvoidWhenThereIsOne() {
        UpstreamEndpoint[] endpoints = {endpoint(9001, 4), endpoint(9002, 4), endpoint(9003, 4)};
        for (int i = 0; i < 9; i++) {
            UpstreamEndpoint avoid = endpoints[i % 3];
            assertNotSame(avoid, pools.choose(endpoints, avoid).endpoint(), "round " + i);
        }
        UpstreamEndpoint[] one = {endpoint(9004, 4)};
        assertSame(one[0], pools.choose(one, one[0]).endpoint(), "the only endpoint, avoided or not");
        UpstreamEndpoint[] two = {endpoint(9005, 4), endpoint(9006, 4)};
        for (int i = 0; i < 4; i++) {
            assertSame(two[1], pools.choose(two, two[0]).endpoint());
        }
    }
}
