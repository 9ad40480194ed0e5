package io.gozargah.engine.server;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.List;
import java.util.function.Supplier;

/**
 * One Netty transport: how its event loops wait for I/O and which channel classes go with them. Which one a
 * gateway runs is {@link TransportLoops#open}'s decision.
 */
public record Transport(String name, IoHandlerFactory ioHandlerFactory, Class<? extends ServerChannel> serverChannel,
                        Class<? extends SocketChannel> socketChannel) {

    /**
     * A transport that may be tried: why it cannot be used here (null when it can, as far as loading the native
     * library and probing the kernel tell), and how to make it (called only when it can).
     */
    public record Candidate(String name, Supplier<Throwable> unavailability, Supplier<Transport> transport) {
    }

    /**
     * This process's candidates, in auto's order of preference: io_uring (its rings batch a loop iteration's
     * socket operations into one system call), epoll, NIO (always there). Netty's own system properties
     * ({@code io.netty.iouring.ringSize}, {@code io.netty.iouring.cqSize}, ...) shape the io_uring rings.
     */
    public static List<Candidate> system() {
        return List.of(
                new Candidate("io_uring", IoUring::unavailabilityCause, () -> new Transport("io_uring",
                        IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class, IoUringSocketChannel.class)),
                new Candidate("epoll", Epoll::unavailabilityCause, () -> new Transport("epoll",
                        EpollIoHandler.newFactory(), EpollServerSocketChannel.class, EpollSocketChannel.class)),
                new Candidate("nio", () -> null, () -> new Transport("nio", NioIoHandler.newFactory(),
                        NioServerSocketChannel.class, NioSocketChannel.class)));
    }

    /** Daemon threads named {@code prefix-...}; a native transport makes its ring or epoll instance per loop here. */
    public EventLoopGroup newGroup(int threads, String prefix) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(prefix, true), ioHandlerFactory);
    }
}
