package io.gozargah.engine.server;

import io.gozargah.engine.config.ServerConfig;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's event loops and the transport they run: the accept loop and the connection loops, made and started
 * before anything is bound, so that a transport the kernel refuses is known before it serves a connection.
 *
 * <p>{@code auto} takes the first of the candidates that can be used here: io_uring, then epoll, then NIO.
 * "Can be used" is decided by making the loops: {@code IoUring.isAvailable()} only says that a one-entry probe ring
 * could be set up when the class loaded, and the loops' own rings can still be refused ({@code
 * kernel.io_uring_disabled}, a container's seccomp filter, RLIMIT_MEMLOCK on kernels before 5.12, which counts
 * every ring's memory, a failing {@code IORING_REGISTER_ENABLE_RINGS} when a loop starts). A candidate that fails
 * is shut down and the next one tried, and {@link #fallback()} says why. A transport named in the configuration
 * is that transport or a failed start.
 *
 * @param fallback why auto did not run its first choice ("io_uring: ..."), or null
 */
public record TransportLoops(Transport transport, EventLoopGroup boss, EventLoopGroup workers, String fallback) {
    /** How long a loop may take to start (its first task): a native loop sets up its ring or epoll fd there. */
    private static final long START_MILLIS = 10_000;

    public static TransportLoops open(ServerConfig.Transport wanted, int threads) {
        return open(wanted, threads, Transport.system());
    }

    /**
     * As above over {@code candidates} (in auto's order), which tests replace to play a kernel that refuses.
     *
     * @throws IllegalStateException when the wanted transport (or, for auto, none) can be used here, with one
     *                               line saying why
     */
    static TransportLoops open(ServerConfig.Transport wanted, int threads, List<Transport.Candidate> candidates) {
        List<String> refused = new ArrayList<>();
        for (Transport.Candidate c : candidates) {
            if (wanted != ServerConfig.Transport.AUTO && !c.name().equals(name(wanted))) {
                continue;
            }
            Throwable unavailable = c.unavailability().get();
            String why = unavailable != null ? describe(unavailable) : null;
            if (why == null) {
                Transport transport = null;
                EventLoopGroup boss = null;
                try {
                    transport = c.transport().get();
                    boss = transport.newGroup(1, "gozargah-accept");
                    why = started(boss);
                    if (why == null) {
                        EventLoopGroup workers = transport.newGroup(threads, "gozargah-loop");
                        why = started(workers);
                        if (why == null) {
                            return new TransportLoops(transport, boss, workers,
                                    refused.isEmpty() ? null : String.join("; ", refused));
                        }
                        shutDown(workers);
                    }
                } catch (RuntimeException | LinkageError e) {
                    // Netty wraps what the kernel said (io_uring_setup: EPERM, ENOMEM) in "failed to create a
                    // child event loop", after closing the loops it had made.
                    why = describe(e);
                }
                if (boss != null) {
                    shutDown(boss);
                }
            }
            if (wanted != ServerConfig.Transport.AUTO) {
                throw new IllegalStateException("transport " + c.name() + " requested but not available: " + why);
            }
            refused.add(c.name() + ": " + why);
        }
        throw new IllegalStateException(wanted == ServerConfig.Transport.AUTO
                ? "no transport can be used here: " + String.join("; ", refused)
                : "transport " + name(wanted) + " is not built into this gateway");
    }

    /** Shuts both groups down at once, without waiting. */
    public void shutdownNow() {
        boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
    }

    /** The configuration's name of a transport. */
    static String name(ServerConfig.Transport t) {
        return switch (t) {
            case AUTO -> "auto";
            case EPOLL -> "epoll";
            case IO_URING -> "io_uring";
            case NIO -> "nio";
        };
    }

    /**
     * Starts every loop of {@code group} (a no-op task each) and returns null when all run, else why not. A native
     * loop finishes setting up as it starts (io_uring enables its ring there); one that fails there has its
     * exception logged by Netty and shuts down, which is what is seen here.
     */
    private static String started(EventLoopGroup group) {
        List<Future<?>> first = new ArrayList<>();
        for (EventExecutor loop : group) {
            first.add(loop.submit(() -> { }));
        }
        for (Future<?> f : first) {
            if (!f.awaitUninterruptibly(START_MILLIS) || !f.isSuccess()) {
                return "an event loop did not start within " + START_MILLIS + " ms";
            }
        }
        for (EventExecutor loop : group) {
            if (loop.isShuttingDown()) {
                return "an event loop stopped as it started (its exception is logged above)";
            }
        }
        return null;
    }

    private static void shutDown(EventLoopGroup group) {
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly(START_MILLIS);
    }

    /** The innermost cause's message: what the kernel or the native library said. */
    static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
    }
}
