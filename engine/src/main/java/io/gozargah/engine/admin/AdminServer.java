package io.gozargah.engine.admin;

import io.gozargah.engine.accept.SpareDescriptor;
import io.gozargah.engine.config.AdminConfig;
import io.gozargah.engine.metrics.MetricsRegistry;
import io.gozargah.engine.server.ConfigReloader;
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

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The operator's HTTP listener: metrics, health, readiness, services, consumers, subjects, reload, drain. It has its
 * own single event loop, so a scrape never runs on a consumer loop and the API still answers while those drain;
 * requests are parsed by the gateway's own HTTP/1.1 codec ({@link AdminConnection}). Bound to 127.0.0.1 by
 * default; every endpoint but {@code /health} and {@code /ready} needs the bearer token. Its connections are
 * capped and timed ({@link AdminAcceptGuard}, {@link AdminTimeouts}), and it keeps a spare file descriptor of
 * its own, so that it still answers when an attack has run the process out of them.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    private final EventLoopGroup group;
    private final Channel channel;
    private final SpareDescriptor spare;
    private final Gateway gateway;
    private final Runnable stopScans;

    private AdminServer(EventLoopGroup group, Channel channel, SpareDescriptor spare, Gateway gateway,
                        Runnable stopScans) {
        this.group = group;
        this.channel = channel;
        this.spare = spare;
        this.gateway = gateway;
        this.stopScans = stopScans;
    }

    /**
     * Binds the admin listener of {@code config} in front of {@code gateway}.
     *
     * @param reloader      what {@code POST /admin/reload} calls; null answers 503 (no config file to re-read)
     * @param drainDeadline how long {@code POST /admin/drain} lets in-flight exchanges run (server.shutdownGrace)
     */
    public static AdminServer start(AdminConfig config, Gateway gateway, ConfigReloader reloader,
                                    Duration drainDeadline) throws InterruptedException {
        ExecutorService scans = Executors.newSingleThreadExecutor(
                new DefaultThreadFactory("gozargah-admin-subjects", true));
        try {
            return start(config, gateway, reloader, drainDeadline, scans, scans::shutdownNow);
        } catch (InterruptedException | RuntimeException e) {
            scans.shutdownNow();
            throw e;
        }
    }

    /**
     * As above, the journal scans of {@code GET /admin/subjects} run on {@code scans} (tests hold one there), and
     * {@code stopScans} runs at close.
     */
    public static AdminServer start(AdminConfig config, Gateway gateway, ConfigReloader reloader,
                                    Duration drainDeadline, Executor scans, Runnable stopScans)
            throws InterruptedException {
        AdminApi api = new AdminApi(gateway, reloader, new AdminToken(config.token()), drainDeadline,
                new AdminSubjects(gateway, scans, config.subjectResults()));
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("gozargah-admin", true),
                NioIoHandler.newFactory());
        SpareDescriptor spare = SpareDescriptor.open();
        AdminAcceptGuard guard = new AdminAcceptGuard(config.maxConnections(), spare);
        AdminTimeouts timeouts = new AdminTimeouts(config.idleTimeout().toNanos(),
                config.requestHeadTimeout().toNanos());
        try {
            Channel ch = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .handler(guard)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast("admin", new AdminConnection(api, timeouts));
                        }
                    })
                    .bind(config.host(), config.port()).sync().channel();
            log.info("admin API on {} (at most {} connections)", ch.localAddress(), config.maxConnections());
            register(gateway.metrics(), guard, timeouts);
            gateway.connectionLimits().shareReserveWith(spare);
            return new AdminServer(group, ch, spare, gateway, stopScans);
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            spare.close();
            throw e;
        }
    }

    private static void register(MetricsRegistry metrics, AdminAcceptGuard guard, AdminTimeouts timeouts) {
        metrics.gauge("gozargah_admin_connections", "Open admin connections.", guard::open);
        metrics.counter("gozargah_admin_connections_refused_total",
                "Admin connections closed at accept: admin.maxConnections were open.", guard::refused);
        metrics.counter("gozargah_admin_connections_on_spare_total", "Admin connections served on the admin"
                + " listener's spare file descriptor: the process had no other to give.", guard::lent);
        metrics.register(out -> {
            String name = "gozargah_admin_connections_timed_out_total";
            out.family(name, "counter", "Admin connections closed for waiting on their client, by timeout: idle"
                    + " (admin.idleTimeout: nothing sent, or the answer not taken), head (admin.requestHeadTimeout).");
            out.sample(name, timeouts.idleClosed().get(), "timeout", "idle");
            out.sample(name, timeouts.headClosed().get(), "timeout", "head");
        });
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Starts closing without waiting (safe from any thread, event loops included). */
    public void closeAsync() {
        gateway.connectionLimits().shareReserveWith(null);
        channel.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).addListener(f -> spare.close());
        stopScans.run();
    }

    @Override
    public void close() {
        gateway.connectionLimits().shareReserveWith(null);
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        spare.close();
        stopScans.run();
    }
}
