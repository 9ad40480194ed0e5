package io.gozargah.engine.server;

import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.config.ListenerConfig;
import io.gozargah.engine.exchange.ExchangeStage;
import io.gozargah.engine.exchange.ExchangeStages;
import io.gozargah.engine.route.RoutingSnapshot;
import io.gozargah.engine.http1.Http1Connection;
import io.gozargah.engine.journal.Journal;
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
    private final Journal journal;
    private volatile boolean shuttingDown;

    private Gateway(ServerContext context, String transportName, EventLoopGroup bossGroup, EventLoopGroup workerGroup,
                    List<Channel> serverChannels, ChannelGroup connections, Journal journal) {
        this.context = context;
        this.journal = journal;
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
        // Before any listener: the journal drains what a crashed run left in its ring first.
        Journal journal = config.journal() != null && config.journal().enabled()
                ? Journal.start(config.journal(), threads) : null;
        if (journal != null) {
            stages.add(journal.stage());
        } else {
            log.info("the transaction journal is off (no journal: section, or enabled: false): transactions are"
                    + " not recorded");
        }
        stages.addAll(extraStages);
        ServerContext context;
        try {
            context = new ServerContext(config, transport, new ExchangeStages(stages),
                    journal == null ? null : journal.dictionary());
        } catch (RuntimeException e) {
            if (journal != null) {
                journal.close();
            }
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
            workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
            if (journal != null) {
                journal.close();
            }
            throw e;
        }
        return new Gateway(context, transport.name(), boss, workers, bound, connections, journal);
    }

    private static void addHttp1Handlers(SocketChannel ch, ServerContext context) {
        ch.pipeline().addLast("http1", new Http1Connection(context));
    }

    /**
     * Builds the routing snapshot of {@code config} and swaps it in; exchanges in flight finish on the one
     * they started with, and no connection is touched. Listener, limit, server and journal settings are not
     * reloadable: they keep the values the gateway started with (a service's journal.bodies is: it is routing).
     */
    public void reload(GatewayConfig config) {
        context.swap(RoutingSnapshot.build(config, journal == null ? null : journal.dictionary()));
        log.info("configuration reloaded");
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
