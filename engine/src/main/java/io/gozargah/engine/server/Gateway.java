package io.gozargah.engine.server;

import io.gozargah.engine.accept.ConnectionBudget;
import io.gozargah.engine.accept.ConnectionLimits;
import io.gozargah.engine.accept.Descriptors;
import io.gozargah.engine.admission.Admission;
import io.gozargah.engine.admission.AdmissionStage;
import io.gozargah.engine.admission.CountersReader;
import io.gozargah.engine.admission.NanoClock;
import io.gozargah.engine.admission.QuotaFamily;
import io.gozargah.engine.auth.AuthFailureThrottle;
import io.gozargah.engine.cluster.ClusterMetrics;
import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.config.ListenerConfig;
import io.gozargah.engine.exchange.ExchangeStage;
import io.gozargah.engine.exchange.ExchangeStages;
import io.gozargah.engine.metrics.AcceptFamily;
import io.gozargah.engine.metrics.BuildInfo;
import io.gozargah.engine.metrics.JvmMetricsFamily;
import io.gozargah.engine.metrics.MetricsRegistry;
import io.gozargah.engine.metrics.RetryFamily;
import io.gozargah.engine.metrics.CacheFamily;
import io.gozargah.engine.metrics.UpstreamEndpointFamily;
import io.gozargah.engine.metrics.UpstreamPoolFamily;
import io.gozargah.engine.route.RoutingSnapshot;
import io.gozargah.engine.http1.Http1Connection;
import io.gozargah.engine.journal.Journal;
import io.gozargah.engine.journal.JournalCounters;
import io.gozargah.engine.upstream.EndpointHealth;
import io.gozargah.engine.upstream.EndpointState;
import io.gozargah.engine.upstream.HealthChecks;
import io.gozargah.engine.upstream.UpstreamEndpoint;
import io.gozargah.engine.upstream.UpstreamGroup;
import io.gozargah.engine.upstream.UpstreamPoolStats;
import io.gozargah.engine.tls.ServerTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The running gateway: one event loop per core (or as configured), the consumer listeners, and the
 * routing snapshot. Connections, their upstream connections and all per-request state stay on the event
 * loop that accepted them.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final ServerContext context;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final List<Channel> serverChannels;
    private final List<InetSocketAddress> boundAddresses;
    private final ChannelGroup connections;
    private final String transportName;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final Journal journal;
    private final MetricsRegistry metrics;
    private final ConnectionLimits limits;
    /** The providers' active health checks, following the running snapshot. */
    private final HealthChecks healthChecks;
    private final Map<String, BooleanSupplier> readinessChecks = new ConcurrentHashMap<>();
    private volatile boolean shuttingDown;
    private CompletableFuture<DrainReport> drained;
    /** TLS of each TLS listener by name, for reloads. */
    private final Map<String, ServerTls> tlsByListener = new HashMap<>();

    private Gateway(ServerContext context, String transportName, EventLoopGroup bossGroup, EventLoopGroup workerGroup,
                    List<Channel> serverChannels, ChannelGroup connections, Journal journal, MetricsRegistry metrics,
                    ConnectionLimits limits) {
        this.context = context;
        this.limits = limits;
        this.journal = journal;
        this.metrics = metrics;
        this.transportName = transportName;
        this.bossGroup = bossGroup;
        this.workerGroup = workerGroup;
        this.serverChannels = serverChannels;
        this.connections = connections;
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (Channel c : serverChannels) {
            addresses.add((InetSocketAddress) c.localAddress());
        }
        this.boundAddresses = List.copyOf(addresses);
        this.healthChecks = new HealthChecks(workerGroup, context.upstreamChannels(), context.responseLimits(),
                context.waterMark(), context.clock());
        healthChecks.apply(context.snapshot().upstreamGroups());
    }

    /** Starts event loops and binds every listener; returns once all are bound (throws if any cannot bind). */
    public static Gateway start(GatewayConfig config) throws InterruptedException {
        return start(config, List.of());
    }

    /**
     * As {@link #start(GatewayConfig)}, with {@code extraStages} after the built-in ones (embedding, tests).
     *
     * @throws UncheckedIOException when the admission counters file cannot be opened (or is another
     *                              gateway's)
     */
    public static Gateway start(GatewayConfig config, List<? extends ExchangeStage> extraStages)
            throws InterruptedException {
        int threads = config.server().eventLoops() > 0 ? config.server().eventLoops()
                : Runtime.getRuntime().availableProcessors();
        // First: the transport is decided by making its loops, and a transport named in the config that cannot
        // run here fails the start before any file is opened.
        TransportLoops loops = TransportLoops.open(config.server().transport(), threads);
        if (loops.fallback() != null) {
            log.info("transport auto: running on {}, not on what it prefers ({})", loops.transport().name(),
                    loops.fallback());
        }
        Transport transport = loops.transport();
        // The stages, in order: journal (it refuses first when it could not record the exchange, so that no
        // rate token or quota is spent on a request that is then refused), admission, metrics. Every stage
        // sees every exchange complete, refused ones included: they are journaled and counted too.
        Admission admission;
        try {
            admission = Admission.open(config.admission(), NanoClock.SYSTEM);
        } catch (IOException e) {
            loops.shutdownNow();
            throw new UncheckedIOException("cannot open the counters file " + config.admission().countersFile() + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            loops.shutdownNow();
            throw e;
        }
        List<ExchangeStage> stages = new ArrayList<>();
        // Before any listener: the journal drains what a crashed run left in its ring first.
        Journal journal;
        try {
            journal = config.journal() != null && config.journal().enabled()
                    ? Journal.start(config.journal(), threads) : null;
        } catch (RuntimeException e) {
            closeQuietly(admission);
            loops.shutdownNow();
            throw e;
        }
        if (journal != null) {
            stages.add(journal.stage());
        } else {
            log.info("the transaction journal is off (no journal: section, or enabled: false): transactions are"
                    + " not recorded");
        }
        stages.add(new AdmissionStage(admission));
        MetricsRegistry metrics = new MetricsRegistry(config.metrics().enabled(), config.metrics().maxSeries());
        if (metrics.stage() != null) {
            stages.add(metrics.stage());
        }
        stages.addAll(extraStages);
        ServerContext context;
        try {
            context = new ServerContext(config, transport, new ExchangeStages(stages), admission,
                    journal == null ? null : journal.dictionary());
        } catch (RuntimeException e) {
            // The loops first: the journal, closed next, must not be written to by a loop any more.
            loops.shutdownNow();
            closeQuietly(admission);
            if (journal != null) {
                journal.close();
            }
            throw e;
        }
        if (admission.cluster() != null) {
            // After the first plan (the context's snapshot), so that the first round takes every grant's lease.
            admission.cluster().start();
        }
        EventLoopGroup boss = loops.boss();
        EventLoopGroup workers = loops.workers();
        // Measured once the loops exist, so that their descriptors count as the process's own.
        ConnectionLimits limits = ConnectionLimits.start(config.server(), ConnectionBudget.measure(config, threads),
                boss.next());
        ChannelGroup connections = new DefaultChannelGroup("connections", GlobalEventExecutor.INSTANCE);
        List<Channel> bound = new ArrayList<>();
        Map<String, ServerTls> tlsByListener = new HashMap<>();
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, context.waterMark());
            for (ListenerConfig l : config.server().listeners()) {
                ServerTls tls = null;
                if (l.tls() != null) {
                    tls = ServerTls.create(l.name(), l.tls());
                    tlsByListener.put(l.name(), tls);
                    scheduleTicketKeyRotation(tls, boss.next());
                }
                Channel ch = bootstrap.clone().handler(limits.gate(l))
                        .childHandler(new ConnectionPipeline(context, connections, tls))
                        .bind(l.host(), l.port()).sync().channel();
                bound.add(ch);
                log.info("listening on {} ({}{}) with {} event loops over {}", ch.localAddress(), l.name(),
                        tls == null ? ", HTTP/1.1 and h2c" : ", TLS with h2 and http/1.1 over " + ServerTls.provider(),
                        threads, transport.name());
            }
        } catch (InterruptedException | RuntimeException e) {
            closeAll(bound, boss, workers);
            tlsByListener.values().forEach(ServerTls::close);
            limits.close();
            closeQuietly(admission);
            if (journal != null) {
                journal.close();
            }
            throw e;
        } catch (IOException | GeneralSecurityException e) {
            closeAll(bound, boss, workers);
            tlsByListener.values().forEach(ServerTls::close);
            limits.close();
            closeQuietly(admission);
            if (journal != null) {
                journal.close();
            }
            throw new IllegalStateException("TLS of a listener cannot be set up: " + e.getMessage(), e);
        }

        Gateway gateway = new Gateway(context, transport.name(), boss, workers, bound, connections, journal, metrics,
                limits);
        gateway.tlsByListener.putAll(tlsByListener);
        metrics.gauge("gozargah_consumer_connections", "Open consumer connections.", gateway::openConnections);
        metrics.gauge("gozargah_draining", "1 while the gateway drains (stopped accepting), else 0.",
                () -> context.draining() ? 1 : 0);
        metrics.register(new UpstreamPoolFamily(gateway::upstreamPoolStats));
        metrics.register(new UpstreamEndpointFamily(gateway::endpointStates));
        metrics.register(new AcceptFamily(limits::stats));
        metrics.register(new RetryFamily(context.retryCounters()));
        metrics.register(new CacheFamily(context.caches()));
        AuthFailureThrottle authFailures = context.authFailures();
        metrics.counter("gozargah_auth_failures_throttled_total", "Failed authentications answered 429 rate-limited"
                + " (and their connections closed) because their client address was past server.authFailures, or"
                + " the table had no room for it.", authFailures::throttled);
        metrics.counter("gozargah_auth_failures_no_room_total", "Of those, failures refused because every slot of"
                + " their address's bucket held another failing address (raise server.authFailures.addresses).",
                authFailures::noRoomRefusals);
        metrics.gauge("gozargah_auth_failure_addresses", "Client addresses (IPv6: /64 networks) short of their"
                + " failed-authentication burst: slots of server.authFailures.addresses in use.",
                () -> authFailures.addresses(System.nanoTime()));
        metrics.gauge("process_open_fds", "Open file descriptors (NaN when they cannot be counted: listing them"
                + " takes one).", () -> {
                    long open = Descriptors.open();
                    return open < 0 ? Double.NaN : open;
                });
        metrics.gauge("process_max_fds", "The descriptor limit (RLIMIT_NOFILE).", Descriptors::limit);
        metrics.register(BuildInfo.current());
        String transportName = transport.name();
        metrics.register(out -> out.family("gozargah_transport_info", "gauge", "Always 1; the label says which"
                + " Netty transport the consumer listeners and upstream connections run on (server.transport: auto"
                + " takes io_uring where the kernel sets up its rings, else epoll, else nio).")
                .sample("gozargah_transport_info", 1, "transport", transportName));
        try {
            metrics.register(new QuotaFamily(CountersReader.open(config.admission().countersFile()),
                    context.admission().calendar(), System::currentTimeMillis));
        } catch (IOException e) {
            log.warn("quota metrics are off: the counters file {} cannot be read: {}",
                    config.admission().countersFile(), e.toString());
        }
        metrics.register(new JvmMetricsFamily(Set.of("process_open_fds", "process_max_fds")));
        if (admission.cluster() != null) {
            ClusterMetrics.register(admission.cluster(), metrics);
        }
        if (journal != null) {
            gateway.observeJournal(journal.counters());
        }
        return gateway;
    }

    /**
     * A new session ticket key for {@code tls} every ticketKeyRotation, on the accept loop (a few random bytes
     * and a call into BoringSSL, off the connections' loops); the schedule ends with the loop.
     */
    private static void scheduleTicketKeyRotation(ServerTls tls, EventLoop loop) {
        long every = tls.ticketKeyRotationNanos();
        if (every > 0) {
            loop.scheduleAtFixedRate(() -> tls.rotateTicketKeys(System.nanoTime()), every, every,
                    TimeUnit.NANOSECONDS);
        }
    }

    /** The journal's health as metrics, and "journal writable" as a condition of readiness. */
    private void observeJournal(JournalCounters c) {
        metrics.counter("gozargah_journal_records_total", "Transaction records the event loops put in the ring.",
                c::recordsClaimed);
        metrics.counter("gozargah_journal_records_written_total",
                "Transaction records the writer appended to the queue (this run, start-up drain included).",
                c::recordsWritten);
        metrics.gauge("gozargah_journal_lag_records", "Records in the ring not yet in the queue.",
                c::writerLagRecords);
        metrics.gauge("gozargah_journal_ring_used_bytes", "Bytes of the journal ring in use.", c::ringOccupancyBytes);
        metrics.gauge("gozargah_journal_ring_capacity_bytes", "Bytes of the journal ring.", c::ringCapacityBytes);
        metrics.counter("gozargah_journal_refusals_total", "Requests refused with 503 journal-unavailable.",
                c::refusals);
        metrics.counter("gozargah_journal_summarized_total", "Exchanges answered without a record of their own and"
                + " counted into refusal summaries (the ring had no room for them, or a flood was summarized).",
                c::summarized);
        metrics.counter("gozargah_journal_summary_records_total", "Refusal summary records the event loops put in the"
                + " ring.", c::summaryRecords);
        metrics.gauge("gozargah_journal_writer_failed", "1 while the journal writer's appends fail (it tries again),"
                + " else 0.", () -> c.writerFailed() ? 1 : 0);
        metrics.counter("gozargah_journal_append_failures_total", "Appends to the journal's queue that failed and were"
                + " tried again (no room on disk, a queue repaired).", c::appendFailures);
        metrics.gauge("gozargah_journal_free_bytes", "Free bytes on the journal's file system.", c::freeBytes);
        metrics.gauge("gozargah_journal_space_low", "1 while the journal's file system has less free space than"
                + " journal.minFreeBytes (new requests are refused), else 0.", () -> c.spaceLow() ? 1 : 0);
        readinessCheck("journal writable", c::writable);
    }

    /**
     * Builds the routing snapshot of {@code config} and swaps it in; exchanges in flight finish on the one
     * they started with, and no connection is touched. Grants, rates, quotas and in-flight caps take effect;
     * the counters of grants that remain (matched by consumer and service name) carry over; a service's
     * journal.bodies takes effect (it is routing). Listener, limit, server, admission-section and journal
     * settings are not reloadable: they keep the values the gateway started with.
     *
     * @throws IllegalStateException when the snapshot cannot be built (the counters file is full); the
     *                               running snapshot stays
     */
    public void reload(GatewayConfig config) {
        if (!config.admission().equals(context.admission().config())) {
            log.warn("the admission section changed; it applies at the next start (running with {})",
                    context.admission().config());
        }
        context.swap(RoutingSnapshot.build(config, context.admission(),
                journal == null ? null : journal.dictionary(), context.endpointHealth(), context.retryBudgets(),
                context.caches()));
        healthChecks.apply(context.snapshot().upstreamGroups());
        // Certificate files are re-read for new handshakes; open connections keep the context they have.
        for (ListenerConfig l : config.server().listeners()) {
            ServerTls tls = tlsByListener.get(l.name());
            if (tls != null && l.tls() != null) {
                try {
                    tls.reload(l.tls());
                } catch (IOException | GeneralSecurityException e) {
                    log.error("listener {}: keeping the running TLS certificate: {}", l.name(), e.getMessage());
                }
            }
        }
        log.info("configuration reloaded: {} consumers, {} services", config.consumers().size(),
                context.snapshot().services().size());
    }

    /** Admission control: the counters file, and the cluster agent when {@code admission.cluster} is on. */
    public Admission admission() {
        return context.admission();
    }

    /** The routing snapshot in force (its config is what the gateway enforces now). */
    public RoutingSnapshot snapshot() {
        return context.snapshot();
    }

    private static void closeAll(List<Channel> bound, EventLoopGroup boss, EventLoopGroup workers) {
        for (Channel ch : bound) {
            ch.close();
        }
        boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        // Synchronously: the journal, closed next by the caller, must not be written to by a loop any more.
        workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }

    /** The Netty transport in use: epoll, io_uring or nio. */
    public String transport() {
        return transportName;
    }

    /** The bound addresses, in listener order (useful when a config asks for port 0). */
    public List<InetSocketAddress> boundAddresses() {
        return boundAddresses;
    }

    ServerContext context() {
        return context;
    }

    /** The transaction journal, or null when it is off. */
    public Journal journal() {
        return journal;
    }

    /** The consumer listeners' connection limits and descriptor reserve (the admin listener shares the reserve). */
    public ConnectionLimits connectionLimits() {
        return limits;
    }

    /** The gateway's metrics: where other concerns register theirs, what the admin API scrapes. */
    public MetricsRegistry metrics() {
        return metrics;
    }

    /**
     * Adds a condition for readiness ({@link #notReady()}; the journal adds "journal writable"); {@code name} is reported
     * when it fails.
     */
    public void readinessCheck(String name, BooleanSupplier ok) {
        readinessChecks.put(name, ok);
    }

    /**
     * The names of what keeps the gateway from taking traffic; empty when ready: every listener bound and open,
     * not draining, and every {@link #readinessCheck} true.
     */
    public List<String> notReady() {
        List<String> reasons = new ArrayList<>();
        if (context.draining()) {
            reasons.add("draining"); // which closed the listeners
        } else {
            for (Channel ch : serverChannels) {
                if (!ch.isActive()) {
                    reasons.add("listener " + ch.localAddress() + " closed");
                }
            }
        }
        readinessChecks.forEach((name, ok) -> {
            if (!ok.getAsBoolean()) {
                reasons.add(name);
            }
        });
        return reasons;
    }

    /**
     * Connection counts of every upstream pool, summed per endpoint over the event loops (each loop reads its
     * own pools; a loop that does not answer within a second is left out). Never call from an event loop.
     */
    public List<UpstreamPoolStats> upstreamPoolStats() {
        List<Future<List<UpstreamPoolStats>>> parts = new ArrayList<>();
        for (EventLoop loop : loops()) {
            try {
                parts.add(loop.submit(() -> context.loop(loop).pools().stats()));
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                // the loop is shutting down: it has no pools left to report
            }
        }
        Map<String, UpstreamPoolStats> byEndpoint = new java.util.TreeMap<>();
        for (Future<List<UpstreamPoolStats>> f : parts) {
            try {
                for (UpstreamPoolStats p : f.get(1, TimeUnit.SECONDS)) {
                    byEndpoint.merge(p.endpoint(), p, UpstreamPoolStats::plus);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception unanswered) {
                // a busy or stopping loop: its pools are missing from this one reading
            }
        }
        return List.copyOf(byEndpoint.values());
    }

    /**
     * Every provider endpoint of the running snapshot with what is known of it: health, ejection, and the
     * exchanges of every loop's pools (see {@link #upstreamPoolStats}). Never call from an event loop.
     */
    public List<EndpointState> endpointStates() {
        Map<String, UpstreamPoolStats> pools = new HashMap<>();
        for (UpstreamPoolStats p : upstreamPoolStats()) {
            pools.put(p.endpoint(), p);
        }
        long now = context.clock().nanoTime();
        List<EndpointState> list = new ArrayList<>();
        for (UpstreamGroup g : context.snapshot().upstreamGroups()) {
            for (UpstreamEndpoint e : g.endpoints()) {
                EndpointHealth h = e.health();
                long until = h.ejectedUntilNanos();
                long ejectedFor = until != 0 && now - until < 0
                        ? Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - now)) : 0;
                UpstreamPoolStats p = pools.get(e.toString());
                list.add(new EndpointState(g.provider(), e.toString(), e.weight(), e.backup(), h.healthy(), ejectedFor,
                        h.ejections(), p == null ? 0 : p.outstanding(), p == null ? 0 : p.successes(),
                        p == null ? 0 : p.failures()));
            }
        }
        return list;
    }

    /** The providers' active health checks. */
    public HealthChecks healthChecks() {
        return healthChecks;
    }

    /** Open consumer connections. */
    public int openConnections() {
        return connections.size();
    }

    /**
     * Stops accepting, lets in-flight exchanges finish within {@code deadline}, then closes idle and then all
     * connections. The event loops keep running (upstream pools, the admin API); the future completes when the
     * last consumer connection is closed. Called again, it returns the drain already under way.
     */
    public synchronized CompletableFuture<DrainReport> drain(Duration deadline) {
        if (drained != null) {
            return drained;
        }
        CompletableFuture<DrainReport> done = new CompletableFuture<>();
        drained = done;
        long startNanos = System.nanoTime();
        context.startDraining();
        for (Channel ch : serverChannels) {
            ch.close().syncUninterruptibly();
        }
        log.info("draining {} connections (deadline {} ms)", connections.size(), deadline.toMillis());
        for (Channel ch : connections) {
            ch.pipeline().fireUserEventTriggered(Http1Connection.DrainEvent.INSTANCE);
        }
        CompletableFuture<Void> quiet = new CompletableFuture<>();
        waitDrained(quiet, startNanos + deadline.toNanos());
        quiet.whenComplete((v, e) -> {
            int cut = connections.size();
            if (cut > 0) {
                log.warn("closing {} connections still busy at the drain deadline", cut);
                context.drainDeadlinePassed();
            }
            // A listener, not a wait: this runs on the GlobalEventExecutor when the deadline passes, and that is
            // the executor of the group's own future, where awaiting it throws BlockingOperationException (then
            // the loops were never stopped and the process hung until the CLI's stuck margin).
            connections.close().addListener(closed -> {
                DrainReport report = new DrainReport(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), cut);
                log.info("drained in {} ms ({} connections cut at the deadline)", report.millis(), cut);
                if (context.admission().cluster() != null) {
                    // No consumer connection is left to spend it: the cluster's other nodes may.
                    context.admission().cluster().giveBack().whenComplete((given, err) -> done.complete(report));
                } else {
                    done.complete(report);
                }
            });
        });
        return done;
    }

    /**
     * {@link #drain} within {@code deadline}, then stops the event loops. The future completes when everything
     * is closed.
     */
    public CompletableFuture<Void> shutdownGracefully(Duration deadline) {
        if (shuttingDown) {
            return terminated;
        }
        shuttingDown = true;
        healthChecks.close();
        drain(deadline).whenComplete((report, e) -> {
            for (EventLoop loop : loops()) {
                loop.execute(() -> context.loop(loop).pools().closeIdle());
            }
            stopLoops();
        });
        return terminated;
    }

    private List<EventLoop> loops() {
        List<EventLoop> list = new ArrayList<>();
        workerGroup.forEach(e -> list.add((EventLoop) e));
        return list;
    }

    private void waitDrained(CompletableFuture<Void> drained, long deadlineNanos) {
        if (connections.isEmpty() || System.nanoTime() >= deadlineNanos) {
            drained.complete(null);
            return;
        }
        GlobalEventExecutor.INSTANCE.schedule(() -> waitDrained(drained, deadlineNanos), 20, TimeUnit.MILLISECONDS);
    }

    private void stopLoops() {
        var b = bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        var w = workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        b.addListener(f -> w.addListener(g -> {
            limits.close();
            tlsByListener.values().forEach(ServerTls::close);
            closeQuietly(context.admission());
            // The loops are gone, so nothing writes into the ring any more: the writer drains it all.
            if (journal != null) {
                try {
                    journal.close();
                } catch (RuntimeException e) {
                    log.error("closing the journal failed", e);
                }
            }
            log.info("stopped");
            terminated.complete(null);
        }));
    }

    private static void closeQuietly(Admission admission) {
        try {
            admission.close();
        } catch (IOException e) {
            log.warn("closing the counters file: {}", e.toString());
        }
    }

    /** Completes when the gateway has fully stopped. */
    public CompletableFuture<Void> terminationFuture() {
        return terminated;
    }

    /** Immediate shutdown (tests). */
    @Override
    public void close() {
        shutdownGracefully(Duration.ZERO).join();
    }
}
