package io.gozargah.engine.admin;

import io.gozargah.engine.config.AdminConfig;
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
import java.util.concurrent.TimeUnit;

/**
 * The operator's HTTP listener: metrics, health, readiness, services, consumers, reload, drain. It has its own
 * single event loop, so a scrape never runs on a consumer loop and the API still answers while those drain;
 * requests are parsed by the gateway's own HTTP/1.1 codec ({@link AdminConnection}). Bound to 127.0.0.1 by
 * default; every endpoint but {@code /health} and {@code /ready} needs the bearer token.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    private final EventLoopGroup group;
    private final Channel channel;

    private AdminServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Binds the admin listener of {@code config} in front of {@code gateway}.
     *
     * @param reloader      what {@code POST /admin/reload} calls; null answers 503 (no config file to re-read)
     * @param drainDeadline how long {@code POST /admin/drain} lets in-flight exchanges run (server.shutdownGrace)
     */
    public static AdminServer start(AdminConfig config, Gateway gateway, ConfigReloader reloader,
                                    Duration drainDeadline) throws InterruptedException {
        AdminApi api = new AdminApi(gateway, reloader, new AdminToken(config.token()), drainDeadline);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("gozargah-admin", true),
                NioIoHandler.newFactory());
        try {
            Channel ch = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast("admin", new AdminConnection(api));
                        }
                    })
                    .bind(config.host(), config.port()).sync().channel();
            log.info("admin API on {}", ch.localAddress());
            return new AdminServer(group, ch);
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Starts closing without waiting (safe from any thread, event loops included). */
    public void closeAsync() {
        channel.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
