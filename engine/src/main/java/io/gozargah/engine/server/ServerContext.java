package io.gozargah.engine.server;

import io.gozargah.engine.upstream.EndpointHealthRegistry;
import io.gozargah.codec.http1.Http1Limits;
import io.gozargah.engine.admission.Admission;
import io.gozargah.engine.admission.NanoClock;
import io.gozargah.engine.auth.AuthFailureThrottle;
import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.config.Http2Config;
import io.gozargah.engine.config.LimitsConfig;
import io.gozargah.engine.exchange.ExchangeStages;
import io.gozargah.engine.journal.JournalDictionary;
import io.gozargah.engine.retry.RetryBudgets;
import io.gozargah.engine.cache.InquiryCaches;
import io.gozargah.engine.retry.RetryCounters;
import io.gozargah.engine.route.RoutingSnapshot;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoop;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.WriteBufferWaterMark;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What every connection of a running gateway shares: the current routing snapshot behind one volatile
 * reference (swapped whole; requests keep the one they started with), the limits, the upstream channels, the
 * drain flag, and the per-event-loop resources.
 */
public final class ServerContext {
    /** Per-channel outbound buffer watermarks: above high a peer stops being read, below low it resumes. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 128 * 1024);

    private volatile RoutingSnapshot snapshot;
    private volatile boolean draining;
    private volatile boolean pastDrainDeadline;
    private final ChannelFactory<? extends Channel> upstreamChannels;
    private final NanoClock clock;
    private final Http1Limits requestLimits;
    private final Http1Limits responseLimits;
    private final long maxRequestBodyBytes;
    private final LimitsConfig.UnderscoreFields underscoreFields;
    private final long maxDiscardBytes;
    private final long idleTimeoutNanos;
    private final long requestHeadTimeoutNanos;
    private final Map<EventLoop, LoopResources> loops = new ConcurrentHashMap<>();
    private final ExchangeStages stages;
    private final Admission admission;
    private final Http2Config http2;
    private final long shutdownGraceMillis;
    private final AuthFailureThrottle authFailures;
    /** What is known of every provider endpoint, shared by the loops and kept across reloads. */
    private final EndpointHealthRegistry endpointHealth = new EndpointHealthRegistry();
    private final RetryBudgets retryBudgets = new RetryBudgets();
    private final InquiryCaches caches;
    private final RetryCounters retryCounters = new RetryCounters();

    ServerContext(GatewayConfig config, Transport transport, ExchangeStages stages, Admission admission,
                  JournalDictionary dictionary) {
        this(config, new ReflectiveChannelFactory<>(transport.socketChannel()), stages, admission, dictionary,
                NanoClock.SYSTEM);
    }

    /**
     * As the gateway makes it, with the upstream channels and the loops' clock given: what a test that drives
     * a front end on an embedded channel, and its time, needs.
     */
    public ServerContext(GatewayConfig config, ChannelFactory<? extends Channel> upstreamChannels, ExchangeStages stages,
                         Admission admission, JournalDictionary dictionary, NanoClock clock) {
        this.admission = admission;
        this.caches = new InquiryCaches(clock);
        this.snapshot = RoutingSnapshot.build(config, admission, dictionary, endpointHealth, retryBudgets, caches);
        this.upstreamChannels = upstreamChannels;
        this.clock = clock;
        this.stages = stages;
        LimitsConfig l = config.limits();
        this.requestLimits = new Http1Limits(l.maxStartLineBytes(), l.maxHeaderCount(), l.maxHeaderBytes(),
                l.maxChunkLineBytes());
        this.responseLimits = new Http1Limits(Math.max(8192, l.maxStartLineBytes()), Math.max(100, l.maxHeaderCount()),
                l.maxResponseHeaderBytes(), l.maxChunkLineBytes());
        this.maxRequestBodyBytes = l.maxRequestBodyBytes();
        this.underscoreFields = l.underscoreFields();
        this.maxDiscardBytes = l.maxDiscardBytes();
        this.idleTimeoutNanos = config.server().idleTimeout().toNanos();
        this.requestHeadTimeoutNanos = config.server().requestHeadTimeout().toNanos();
        this.http2 = config.http2();
        this.shutdownGraceMillis = config.server().shutdownGrace().toMillis();
        this.authFailures = AuthFailureThrottle.of(config.server().authFailures());
    }

    /** The providers' retry budgets, for the life of the process (a reload keeps them). */
    public RetryBudgets retryBudgets() {
        return retryBudgets;
    }

    /** The services' inquiry caches, for the life of the process (a reload keeps those whose settings remain). */
    public InquiryCaches caches() {
        return caches;
    }

    /** The gateway's retry counts, for its metrics. */
    public RetryCounters retryCounters() {
        return retryCounters;
    }

    /** The gateway's admission control: counters file and calendar, for the life of the process. */
    public Admission admission() {
        return admission;
    }

    /** Makes the loops' upstream channels (the health checks' too). */
    public ChannelFactory<? extends Channel> upstreamChannels() {
        return upstreamChannels;
    }

    /** Limits on what a provider sends back (its response heads). */
    public Http1Limits responseLimits() {
        return responseLimits;
    }

    public NanoClock clock() {
        return clock;
    }

    public EndpointHealthRegistry endpointHealth() {
        return endpointHealth;
    }

    public RoutingSnapshot snapshot() {
        return snapshot;
    }

    void swap(RoutingSnapshot next) {
        this.snapshot = next;
    }

    /** Failed authentications counted per client address, for every listener and loop (server.authFailures). */
    public AuthFailureThrottle authFailures() {
        return authFailures;
    }

    /** Admission, metrics and journal: what every exchange passes through, whatever its protocol. */
    public ExchangeStages stages() {
        return stages;
    }

    public boolean draining() {
        return draining;
    }

    void startDraining() {
        draining = true;
    }

    /**
     * Whether the drain's deadline has passed: the gateway is closing the connections still busy, so an exchange
     * whose client side goes now was cut by the shutdown, not left by its client.
     */
    public boolean pastDrainDeadline() {
        return pastDrainDeadline;
    }

    void drainDeadlinePassed() {
        pastDrainDeadline = true;
    }

    public Http1Limits requestLimits() {
        return requestLimits;
    }

    public long maxRequestBodyBytes() {
        return maxRequestBodyBytes;
    }

    /**
     * Most bytes of a refused request's body the gateway reads and drops to keep the connection; past it (or a
     * larger declared rest) the connection closes after the answer.
     */
    public long maxDiscardBytes() {
        return maxDiscardBytes;
    }

    /** What becomes of request fields whose name holds '_' (they never reach a provider). */
    public LimitsConfig.UnderscoreFields underscoreFields() {
        return underscoreFields;
    }

    public long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }

    public long requestHeadTimeoutNanos() {
        return requestHeadTimeoutNanos;
    }

    /** How often a connection checks its idle and head deadlines: a quarter of the shorter, 10 ms to 1 s. */
    public long timerTickNanos() {
        long shortest = Math.min(idleTimeoutNanos, requestHeadTimeoutNanos);
        return Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(TimeUnit.SECONDS.toNanos(1), shortest / 4));
    }

    /** HTTP/2 limits of the consumer side (not reloadable, like the other limits). */
    public Http2Config http2() {
        return http2;
    }

    /** How long open HTTP/2 streams may finish after GOAWAY when the gateway drains. */
    public long shutdownGraceMillis() {
        return shutdownGraceMillis;
    }

    public WriteBufferWaterMark waterMark() {
        return WATER_MARK;
    }

    /** The resources of the event loop {@code loop}; created on first use, then only that loop uses them. */
    public LoopResources loop(EventLoop loop) {
        LoopResources r = loops.get(loop);
        if (r == null) {
            r = loops.computeIfAbsent(loop, l -> new LoopResources(l, upstreamChannels, responseLimits, WATER_MARK,
                    clock));
        }
        return r;
    }
}
