package io.gozargah.engine.server;

import io.gozargah.engine.admission.Admission;
import io.gozargah.engine.admission.AdmissionStage;
import io.gozargah.engine.admission.NanoClock;
import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.config.ListenerConfig;
import io.gozargah.engine.exchange.ExchangeStage;
import io.gozargah.engine.exchange.ExchangeStages;
import io.gozargah.engine.route.RoutingSnapshot;
import io.gozargah.engine.http1.Http1Connection;
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

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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
    private volatile boolean shuttingDown;

    private Gateway(ServerContext context, String transportName, EventLoopGroup bossGroup, EventLoopGroup workerGroup,
                    List<Channel> serverChannels, ChannelGroup connections) {
        this.context = context;
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

    /**
     * As {@link #start(GatewayConfig)}, with {@code extraStages} after the built-in ones (embedding, tests).
     *
     * @throws UncheckedIOException when the admission counters file cannot be opened (or is another
     *                              gateway's)
     */
    public static Gateway start(GatewayConfig config, List<? extends ExchangeStage> extraStages)
            throws InterruptedException {
        Transport transport = Transport.select(config.server().transport());
        int threads = config.server().eventLoops() > 0 ? config.server().eventLoops()
                : Runtime.getRuntime().availableProcessors();
        // Admission, journal and metrics join here as stages, in that order: a refused request is still
        // journaled and counted.
        Admission admission;
        try {
            admission = Admission.open(config.admission(), NanoClock.SYSTEM);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the counters file " + config.admission().countersFile() + ": "
                    + e.getMessage(), e);
        }
        List<ExchangeStage> stages = new ArrayList<>();
        stages.add(new AdmissionStage(admission));
        stages.addAll(extraStages);
        ServerContext context;
        try {
            context = new ServerContext(config, transport, new ExchangeStages(stages), admission);
        } catch (RuntimeException e) {
            closeQuietly(admission);
            throw e;
        }
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
            closeQuietly(admission);
            throw e;
        }
        return new Gateway(context, transport.name(), boss, workers, bound, connections);
    }

    private static void addHttp1Handlers(SocketChannel ch, ServerContext context) {
        ch.pipeline().addLast("http1", new Http1Connection(context));
    }

    /**
     * Builds the routing snapshot of {@code config} and swaps it in; exchanges in flight finish on the one
     * they started with, and no connection is touched. Grants, rates, quotas and in-flight caps take effect;
     * the counters of grants that remain (matched by consumer and service name) carry over. Listener, limit,
     * server and admission-section settings are not reloadable: they keep the values the gateway started with.
     *
     * @throws IllegalStateException when the snapshot cannot be built (the counters file is full); the
     *                               running snapshot stays
     */
    public void reload(GatewayConfig config) {
        if (!config.admission().equals(context.admission().config())) {
            log.warn("the admission section changed; it applies at the next start (running with {})",
                    context.admission().config());
        }
        context.swap(RoutingSnapshot.build(config, context.admission()));
        log.info("configuration reloaded: {} consumers, {} services", config.consumers().size(),
                context.snapshot().services().size());
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

    /** Open consumer connections. */
    public int openConnections() {
        return connections.size();
    }

    /**
     * Stops accepting, lets in-flight exchanges finish within {@code deadline}, closes idle and then all
     * connections, and stops the event loops. The future completes when everything is closed.
     */
    public CompletableFuture<Void> shutdownGracefully(Duration deadline) {
        if (shuttingDown) {
            return terminated;
        }
        shuttingDown = true;
        context.startDraining();
        for (Channel ch : serverChannels) {
            ch.close().syncUninterruptibly();
        }
        log.info("draining {} connections (deadline {} ms)", connections.size(), deadline.toMillis());
        for (Channel ch : connections) {
            ch.pipeline().fireUserEventTriggered(Http1Connection.DrainEvent.INSTANCE);
        }
        long deadlineNanos = System.nanoTime() + deadline.toNanos();
        CompletableFuture<Void> drained = new CompletableFuture<>();
        waitDrained(drained, deadlineNanos);
        drained.whenComplete((v, e) -> {
            if (!connections.isEmpty()) {
                log.warn("closing {} connections still busy at the drain deadline", connections.size());
            }
            // A listener, not a wait: this runs on the GlobalEventExecutor when the deadline passes, and that is
            // the executor of the group's own future, where awaiting it throws BlockingOperationException (then
            // the loops were never stopped and the process hung until the CLI's stuck margin).
            connections.close().addListener(closed -> {
                for (EventLoop loop : loops()) {
                    loop.execute(() -> context.loop(loop).pools().closeIdle());
                }
                stopLoops();
            });
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
            closeQuietly(context.admission());
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
