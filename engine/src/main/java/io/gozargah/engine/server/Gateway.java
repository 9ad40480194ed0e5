package io.gozargah.engine.server;

import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.config.ListenerConfig;
import io.gozargah.engine.exchange.ExchangeStage;
import io.gozargah.engine.exchange.ExchangeStages;
import io.gozargah.engine.metrics.MetricsRegistry;
import io.gozargah.engine.metrics.UpstreamPoolFamily;
import io.gozargah.engine.route.RoutingSnapshot;
import io.gozargah.engine.http1.Http1Connection;
import io.gozargah.engine.upstream.UpstreamPoolStats;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    private final MetricsRegistry metrics;
    private final Map<String, BooleanSupplier> readinessChecks = new ConcurrentHashMap<>();
    private volatile boolean shuttingDown;
    private CompletableFuture<DrainReport> drained;

    private Gateway(ServerContext context, String transportName, EventLoopGroup bossGroup, EventLoopGroup workerGroup,
                    List<Channel> serverChannels, ChannelGroup connections, MetricsRegistry metrics) {
        this.context = context;
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
    }

    /** Starts event loops and binds every listener; returns once all are bound (throws if any cannot bind). */
    public static Gateway start(GatewayConfig config) throws InterruptedException {
        return start(config, List.of());
    }

    /** As {@link #start(GatewayConfig)}, with {@code extraStages} after the built-in ones (embedding, tests). */
    public static Gateway start(GatewayConfig config, List<? extends ExchangeStage> extraStages)
            throws InterruptedException {
        Transport transport = Transport.select(config.server().transport());
        int threads = config.server().eventLoops() > 0 ? config.server().eventLoops()
                : Runtime.getRuntime().availableProcessors();
        // Admission, journal and metrics join here as stages, in that order: a refused request is still
        // journaled and counted.
        List<ExchangeStage> stages = new ArrayList<>();
        MetricsRegistry metrics = new MetricsRegistry(config.metrics().enabled(), config.metrics().maxSeries());
        if (metrics.stage() != null) {
            stages.add(metrics.stage());
        }
        stages.addAll(extraStages);
        ServerContext context = new ServerContext(config, transport, new ExchangeStages(stages));
        EventLoopGroup boss = transport.newGroup(1, "gozargah-accept");
        EventLoopGroup workers = transport.newGroup(threads, "gozargah-loop");
        ChannelGroup connections = new DefaultChannelGroup("connections", GlobalEventExecutor.INSTANCE);
        List<Channel> bound = new ArrayList<>();
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, context.waterMark())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            connections.add(ch);
                            addHttp1Handlers(ch, context);
                        }
                    });
            for (ListenerConfig l : config.server().listeners()) {
                Channel ch = bootstrap.bind(l.host(), l.port()).sync().channel();
                bound.add(ch);
                log.info("listening on {} ({}) with {} event loops over {}", ch.localAddress(), l.name(), threads,
                        transport.name());
            }
        } catch (Exception e) {
            for (Channel ch : bound) {
                ch.close();
            }
            boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
        Gateway gateway = new Gateway(context, transport.name(), boss, workers, bound, connections, metrics);
        metrics.gauge("gozargah_consumer_connections", "Open consumer connections.", gateway::openConnections);
        metrics.gauge("gozargah_draining", "1 while the gateway drains (stopped accepting), else 0.",
                () -> context.draining() ? 1 : 0);
        metrics.register(new UpstreamPoolFamily(gateway::upstreamPoolStats));
        return gateway;
    }

    private static void addHttp1Handlers(SocketChannel ch, ServerContext context) {
        ch.pipeline().addLast("http1", new Http1Connection(context));
    }

    /**
     * Builds the routing snapshot of {@code config} and swaps it in; exchanges in flight finish on the one
     * they started with, and no connection is touched. Listener, limit and server settings are not
     * reloadable: they keep the values the gateway started with.
     */
    public void reload(GatewayConfig config) {
        context.swap(RoutingSnapshot.build(config));
        log.info("configuration reloaded");
    }

    /** The routing snapshot in force (its config is what the gateway enforces now). */
    public RoutingSnapshot snapshot() {
        return context.snapshot();
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
                    byEndpoint.merge(p.endpoint(), p, (a, b) -> new UpstreamPoolStats(a.endpoint(),
                            a.open() + b.open(), a.idle() + b.idle(), a.created() + b.created()));
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
            }
            // A listener, not a wait: this runs on the GlobalEventExecutor when the deadline passes, and that is
            // the executor of the group's own future, where awaiting it throws BlockingOperationException (then
            // the loops were never stopped and the process hung until the CLI's stuck margin).
            connections.close().addListener(closed -> {
                DrainReport report = new DrainReport(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), cut);
                log.info("drained in {} ms ({} connections cut at the deadline)", report.millis(), cut);
                done.complete(report);
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
            log.info("stopped");
            terminated.complete(null);
        }));
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
