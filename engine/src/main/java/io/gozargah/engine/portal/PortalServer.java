package io.gozargah.engine.portal;

import io.gozargah.engine.config.ListenerConfig;
import io.gozargah.engine.config.PortalConfig;
import io.gozargah.engine.route.RoutingSnapshot;
import io.gozargah.engine.server.Gateway;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The services marketplace portal's HTTP listener ({@code portal:} in the config): the catalogue, a consumer's
 * own view and the monthly statistics, as HTML and JSON ({@link PortalApi}). Built as the admin listener is: the
 * gateway's own HTTP/1.1 codec on Netty, one request per connection.
 *
 * <p>Threads: an event loop of its own, one thread, rather than the admin's: the portal faces consumers'
 * developers and may be reachable more widely than admin, and a burst of page loads must never delay the
 * operator's {@code /metrics}, {@code /health} and drain (nor need the admin listener to exist). Its files are read
 * off that loop: journal scans and OpenAPI documents on one worker thread with a short queue (past it, 503 busy),
 * the statistics on a scheduler thread of their own, at start and every {@code portal.statisticsInterval}.
 */
public final class PortalServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PortalServer.class);
    /** Page views waiting for the worker; past it the portal answers 503 busy rather than queue without end. */
    static final int WORK_QUEUE = 16;

    private final EventLoopGroup group;
    private final Channel channel;
    private final ThreadPoolExecutor work;
    private final ScheduledExecutorService scheduler;
    private final PortalApi api;
    private final StatisticsCache statistics;

    private PortalServer(EventLoopGroup group, Channel channel, ThreadPoolExecutor work,
                         ScheduledExecutorService scheduler, PortalApi api, StatisticsCache statistics) {
        this.group = group;
        this.channel = channel;
        this.work = work;
        this.scheduler = scheduler;
        this.api = api;
        this.statistics = statistics;
    }

    /** Binds the portal of {@code config} in front of {@code gateway}'s running configuration. */
    public static PortalServer start(PortalConfig config, Gateway gateway) throws InterruptedException {
        return start(config, gateway::snapshot, () -> gatewayBase(gateway), System::nanoTime,
                System::currentTimeMillis);
    }

    /**
     * Where consumers call {@code gateway}: its first listener as bound (a wildcard as loopback), with the scheme of
     * the config's listener, or null to take the config's.
     */
    private static String gatewayBase(Gateway gateway) {
        List<InetSocketAddress> bound = gateway.boundAddresses();
        List<ListenerConfig> listeners = gateway.snapshot().config().server().listeners();
        if (bound.isEmpty() || listeners.isEmpty()) {
            return null;
        }
        InetSocketAddress a = bound.get(0);
        if (a.getAddress() != null && a.getAddress().isAnyLocalAddress()) {
            a = new InetSocketAddress(InetAddress.getLoopbackAddress(), a.getPort());
        }
        return (listeners.get(0).tls() != null ? "https://" : "http://") + hostPort(a);
    }

    /** As above, over any snapshot source and clocks (tests). */
    public static PortalServer start(PortalConfig config, Supplier<RoutingSnapshot> snapshot, LongSupplier nanoClock,
                                     LongSupplier clockMillis) throws InterruptedException {
        return start(config, snapshot, () -> null, nanoClock, clockMillis);
    }

    private static PortalServer start(PortalConfig config, Supplier<RoutingSnapshot> snapshot,
                                      Supplier<String> gatewayBase, LongSupplier nanoClock, LongSupplier clockMillis)
            throws InterruptedException {
        ThreadPoolExecutor work = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(WORK_QUEUE), new DefaultThreadFactory("gozargah-portal-work", true));
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                new DefaultThreadFactory("gozargah-portal-statistics", true));
        StatisticsCache statistics = new StatisticsCache(() -> snapshot.get().config(), clockMillis);
        PortalApi api = new PortalApi(snapshot, gatewayBase, config, work, statistics, nanoClock, clockMillis);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("gozargah-portal", true),
                NioIoHandler.newFactory());
        AtomicInteger open = new AtomicInteger();
        try {
            Channel ch = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (open.incrementAndGet() > config.maxConnections()) {
                                open.decrementAndGet();
                                ch.close();
                                return;
                            }
                            ch.closeFuture().addListener(f -> open.decrementAndGet());
                            ch.pipeline().addLast("portal", new PortalConnection(api));
                        }
                    })
                    .bind(config.host(), config.port()).sync().channel();
            scheduler.scheduleWithFixedDelay(statistics::refresh, 0, config.statisticsInterval().toMillis(),
                    TimeUnit.MILLISECONDS);
            log.info("portal on http://{}", hostPort((InetSocketAddress) ch.localAddress()));
            return new PortalServer(group, ch, work, scheduler, api, statistics);
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            work.shutdownNow();
            scheduler.shutdownNow();
            throw e;
        }
    }

    static String hostPort(InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Nanoseconds the last catalogue page took to render (also sent as its {@code Server-Timing}). */
    public long lastCatalogueRenderNanos() {
        return api.lastRenderNanos();
    }

    /** Whether the statistics have been computed at least once. */
    public boolean statisticsReady() {
        return statistics.last() != null;
    }

    /** Recomputes the statistics now, on the caller's thread (tests, after journaling something). */
    public void refreshStatistics() {
        statistics.refresh();
    }

    /** Starts closing without waiting (safe from any thread, event loops included). */
    public void closeAsync() {
        channel.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        work.shutdownNow();
        scheduler.shutdownNow();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        work.shutdownNow();
        scheduler.shutdownNow();
    }
}
