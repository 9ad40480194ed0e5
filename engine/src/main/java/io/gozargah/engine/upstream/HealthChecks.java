package io.gozargah.engine.upstream;

import io.gozargah.codec.http1.Http1Limits;
import io.gozargah.engine.admission.NanoClock;
import io.gozargah.engine.config.HealthCheckConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The gateway's active health checks: one {@link HealthProbe} per endpoint of every provider that configures
 * {@code healthCheck}, spread over the event loops. {@link #apply} follows the running snapshot (called at start
 * and after each reload): a probe whose endpoint and check are unchanged keeps running, the others are stopped and
 * new ones started. Called off the event loops; synchronised only against another reload or the shutdown.
 */
public final class HealthChecks implements AutoCloseable {
    private final EventLoopGroup loops;
    private final ChannelFactory<? extends Channel> channels;
    private final Http1Limits limits;
    private final WriteBufferWaterMark waterMark;
    private final NanoClock clock;
    private final Map<String, HealthProbe> probes = new HashMap<>();
    private boolean closed;

    public HealthChecks(EventLoopGroup loops, ChannelFactory<? extends Channel> channels, Http1Limits limits,
                        WriteBufferWaterMark waterMark, NanoClock clock) {
        this.loops = loops;
        this.channels = channels;
        this.limits = limits;
        this.waterMark = waterMark;
        this.clock = clock;
    }

    /** Runs the checks {@code groups} configure, and only those. */
    public synchronized void apply(List<UpstreamGroup> groups) {
        if (closed) {
            return;
        }
        Map<String, HealthProbe> wanted = new HashMap<>();
        for (UpstreamGroup g : groups) {
            HealthCheckConfig check = g.healthCheck();
            if (check == null) {
                continue;
            }
            for (UpstreamEndpoint e : g.endpoints()) {
                String key = g.provider() + " " + e.key() + " " + check;
                HealthProbe p = probes.remove(key);
                if (p == null) {
                    p = new HealthProbe((EventLoop) loops.next(), e, check, channels, limits, waterMark, clock);
                    p.start();
                }
                wanted.put(key, p);
            }
        }
        for (HealthProbe gone : probes.values()) {
            gone.stop();
        }
        probes.clear();
        probes.putAll(wanted);
    }

    /** Probes running (tests). */
    public synchronized int running() {
        return probes.size();
    }

    /** Checks made by every running probe (tests; read across threads, so approximate). */
    public synchronized long checks() {
        long n = 0;
        for (HealthProbe p : probes.values()) {
            n += p.checks();
        }
        return n;
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (Iterator<HealthProbe> it = probes.values().iterator(); it.hasNext(); ) {
            it.next().stop();
            it.remove();
        }
    }
}
