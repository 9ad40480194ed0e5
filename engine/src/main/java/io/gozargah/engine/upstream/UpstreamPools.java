package io.gozargah.engine.upstream;

import io.gozargah.codec.http1.Http1Limits;
import io.gozargah.engine.admission.NanoClock;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The upstream pools of one event loop, by endpoint. Only its own loop touches it; the endpoint's key
 * carries its settings, so a reload that changes them gets fresh pools and old ones drain away.
 */
public final class UpstreamPools {
    private static final int MAX_REMEMBERED_ENDPOINTS = 4096;
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
    /**
     * Pools by endpoint object, in front of {@link #pools}: the balancer looks at two or three per exchange, and an
     * identity lookup hashes nothing. Emptied when a run of reloads has filled it (it refills from {@link #pools}).
     */
    private final IdentityHashMap<UpstreamEndpoint, UpstreamPool> byEndpoint = new IdentityHashMap<>();
    /** Indexes of the endpoints a choice is made among; grown to the largest provider seen. */
    private int[] candidates = new int[8];

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

    /** {@link #choose(UpstreamEndpoint[], UpstreamEndpoint)} with no endpoint to avoid. */
    public UpstreamPool choose(UpstreamEndpoint[] endpoints) {
        return choose(endpoints, null);
    }

    /**
     * The pool of one of a provider's {@code endpoints}, for one exchange, which owes it one
     * {@link UpstreamPool#exchangeEnded}. Usable endpoints (healthy by the active checks, not ejected) of the primary
     * tier are preferred, backups only when no primary is usable; when the usable primaries are fewer than the
     * provider's panic threshold, or nothing is usable at all, the choice is made among all of them (an endpoint
     * that may be fine beats none). Within the tier, two candidates are drawn at random in proportion to their
     * weights and the one with fewer outstanding requests on this loop per unit of weight wins, the first drawn on
     * a tie (so an idle gateway spreads requests exactly by weight). {@code avoid} (null: none) is left out when
     * another candidate remains.
     */
    public UpstreamPool choose(UpstreamEndpoint[] endpoints, UpstreamEndpoint avoid) {
        UpstreamEndpoint e = endpoints.length == 1 ? endpoints[0] : balance(endpoints, avoid);
        UpstreamPool p = pool(e);
        p.exchangeStarted(e);
        return p;
    }

    private UpstreamEndpoint balance(UpstreamEndpoint[] endpoints, UpstreamEndpoint avoid) {
        if (candidates.length < endpoints.length) {
            candidates = new int[Integer.highestOneBit(endpoints.length) << 1];
        }
        int[] c = candidates;
        int primaries = 0;
        int n = 0;
        for (int i = 0; i < endpoints.length; i++) {
            if (!endpoints[i].backup()) {
                primaries++;
                if (usable(endpoints[i].health())) {
                    c[n++] = i;
                }
            }
        }
        UpstreamGroup group = endpoints[0].group();
        int panic = group == null ? 0 : group.outlier().panicThreshold();
        if (n > 0 && (n == primaries || n * 100 >= panic * primaries)) {
            return pick(endpoints, c, n, avoid);
        }
        int usablePrimaries = n;
        if (n == 0) {
            for (int i = 0; i < endpoints.length; i++) {
                if (endpoints[i].backup() && usable(endpoints[i].health())) {
                    c[n++] = i;
                }
            }
            if (n > 0) {
                return pick(endpoints, c, n, avoid);
            }
        }
        // Panic: too few usable primaries (then all the primaries), or nothing usable anywhere (then everything).
        boolean allTiers = usablePrimaries == 0;
        n = 0;
        for (int i = 0; i < endpoints.length; i++) {
            if (!endpoints[i].backup() || allTiers) {
                c[n++] = i;
            }
        }
        return pick(endpoints, c, n, avoid);
    }

    /** Healthy by the active checks and not ejected; the clock is read only for an endpoint that was ejected. */
    private boolean usable(EndpointHealth h) {
        return h.healthy() && (h.ejectedUntilNanos() == 0 || h.returnIfDue(clock.nanoTime()));
    }

    /** P2C over {@code endpoints[c[0..n)]}, weighted; see {@link #choose(UpstreamEndpoint[], UpstreamEndpoint)}. */
    private UpstreamEndpoint pick(UpstreamEndpoint[] endpoints, int[] c, int n, UpstreamEndpoint avoid) {
        if (avoid != null && n > 1) {
            for (int i = 0; i < n; i++) {
                if (endpoints[c[i]] == avoid) {
                    c[i] = c[--n];
                    break;
                }
            }
        }
        if (n == 1) {
            return endpoints[c[0]];
        }
        int total = 0;
        for (int i = 0; i < n; i++) {
            total += endpoints[c[i]].weight();
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int first = draw(endpoints, c, n, random.nextInt(total), -1);
        int firstWeight = endpoints[c[first]].weight();
        int second = draw(endpoints, c, n, random.nextInt(total - firstWeight), first);
        UpstreamEndpoint a = endpoints[c[first]];
        UpstreamEndpoint b = endpoints[c[second]];
        // Outstanding per unit of weight, compared without division: a.out / a.w <= b.out / b.w.
        long aLoad = (long) pool(a).outstanding() * b.weight();
        long bLoad = (long) pool(b).outstanding() * a.weight();
        return bLoad < aLoad ? b : a;
    }

    /** The candidate (an index into {@code c}) that weighted ticket {@code ticket} falls on, {@code skip} left out. */
    private static int draw(UpstreamEndpoint[] endpoints, int[] c, int n, int ticket, int skip) {
        for (int i = 0; i < n; i++) {
            if (i == skip) {
                continue;
            }
            ticket -= endpoints[c[i]].weight();
            if (ticket < 0) {
                return i;
            }
        }
        throw new IllegalStateException("weighted draw past the end");
    }

    public UpstreamPool pool(UpstreamEndpoint endpoint) {
        if (endpoint == lastEndpoint) {
            return lastPool;
        }
        UpstreamPool p = byEndpoint.get(endpoint);
        if (p == null) {
            // Per provider too: two providers that name the same URL keep their own counts and outcomes.
            String key = endpoint.group() == null ? endpoint.key() : endpoint.group().provider() + "|" + endpoint.key();
            p = pools.get(key);
            if (p == null) {
                p = new UpstreamPool(loop, endpoint, channels, limits, waterMark, clock);
                pools.put(key, p);
            }
            if (byEndpoint.size() >= MAX_REMEMBERED_ENDPOINTS) {
                byEndpoint.clear();
            }
            byEndpoint.put(endpoint, p);
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
            list.add(new UpstreamPoolStats(p.endpoint().toString(), p.open(), p.idle(), p.created(), p.outstanding(),
                    p.successes(), p.failures()));
        }
        return list;
    }

    public void closeIdle() {
        for (UpstreamPool p : pools.values()) {
            p.closeIdle();
        }
    }
}
