package io.gozargah.engine.upstream;

import io.gozargah.codec.http1.Http1Limits;
import io.gozargah.engine.admission.NanoClock;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The upstream pools of one event loop, by endpoint. Only its own loop touches it; the endpoint's key
 * carries its settings, so a reload that changes them gets fresh pools and old ones drain away.
 */
public final class UpstreamPools {
    private final EventLoop loop;
    private final ChannelFactory<? extends Channel> channels;
    private final Http1Limits limits;
    private final WriteBufferWaterMark waterMark;
    private final NanoClock clock;
    private final Map<String, UpstreamPool> pools = new HashMap<>();
    /**
     * The endpoint last asked for and its pool: most exchanges on a loop go where the one before went, and a pool
     * stays in the map for the loop's life, so the same endpoint object always finds the same pool.
     */
    private UpstreamEndpoint lastEndpoint;
    private UpstreamPool lastPool;
    private int roundRobin;

    /**
     * @param channels makes the loop's upstream channels: the transport's socket channels (an embedded channel in
     *                 tests that drive both sides of an exchange by hand)
     * @param clock    the loop's clock, which idle connections' ages are read on
     */
    public UpstreamPools(EventLoop loop, ChannelFactory<? extends Channel> channels, Http1Limits limits,
                         WriteBufferWaterMark waterMark, NanoClock clock) {
        this.clock = clock;
        this.loop = loop;
        this.channels = channels;
        this.limits = limits;
        this.waterMark = waterMark;
    }

    /** The pool for one of {@code endpoints}, chosen round-robin. */
    public UpstreamPool choose(UpstreamEndpoint[] endpoints) {
        UpstreamEndpoint e = endpoints.length == 1 ? endpoints[0]
                : endpoints[Integer.remainderUnsigned(roundRobin++, endpoints.length)];
        return pool(e);
    }

    public UpstreamPool pool(UpstreamEndpoint endpoint) {
        if (endpoint == lastEndpoint) {
            return lastPool;
        }
        UpstreamPool p = pools.get(endpoint.key());
        if (p == null) {
            p = new UpstreamPool(loop, endpoint, channels, limits, waterMark, clock);
            pools.put(endpoint.key(), p);
        }
        lastEndpoint = endpoint;
        lastPool = p;
        return p;
    }

    public List<UpstreamPool> all() {
        return new ArrayList<>(pools.values());
    }

    /** Connection counts of every pool; call on this pools' event loop. */
    public List<UpstreamPoolStats> stats() {
        List<UpstreamPoolStats> list = new ArrayList<>(pools.size());
        for (UpstreamPool p : pools.values()) {
            list.add(new UpstreamPoolStats(p.endpoint().toString(), p.open(), p.idle(), p.created()));
        }
        return list;
    }

    public void closeIdle() {
        for (UpstreamPool p : pools.values()) {
            p.closeIdle();
        }
    }
}
