package io.gozargah.engine.server;

import io.gozargah.engine.config.ServerConfig;
import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which transport {@link TransportLoops#open} runs, over candidates that play the kernel: every one is NIO
 * underneath, named io_uring, epoll or nio, and made unavailable, or refused when a loop sets up its ring (the
 * handler's constructor, as io_uring_setup failing) or starts it (the handler's initialize, as enabling the ring
 * failing).
 */
class TransportLoopsTest {
    private static final String EPERM = "io_uring_setup(...) failed: Operation not permitted";

    /** The loops every handler of the candidates ran on, to see that a refused candidate's are all shut down. */
    private final List<EventExecutor> loopsMade = new ArrayList<>();
    private TransportLoops opened;

    @AfterEach
    void shutDown() throws InterruptedException {
        if (opened != null) {
            opened.shutdownNow();
            assertTrue(opened.workers().terminationFuture().await(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldPreferIoUringWhenItsRingsAreSetUp() {
        opened = TransportLoops.open(ServerConfig.Transport.AUTO, 2,
                List.of(working("io_uring"), working("epoll"), working("nio")));
        assertEquals("io_uring", opened.transport().name());
        assertNull(opened.fallback());
        assertEquals(3, loopsMade.size(), "one accept loop and two connection loops");
    }

    @Test
    void shouldFallBackToEpollWhenIoUringIsNotAvailable() {
        opened = TransportLoops.open(ServerConfig.Transport.AUTO, 2, List.of(
                unavailable("io_uring", new UnsupportedOperationException("kernel.io_uring_disabled is 2")),
                working("epoll"), working("nio")));
        assertEquals("epoll", opened.transport().name());
        assertEquals("io_uring: kernel.io_uring_disabled is 2", opened.fallback());
    }

    @Test
    void shouldFallBackToEpollWhenTheKernelRefusesALoopsRing() throws InterruptedException {
        // The accept loop's ring is set up, the second connection loop's is refused (RLIMIT_MEMLOCK, seccomp).
        opened = TransportLoops.open(ServerConfig.Transport.AUTO, 2,
                List.of(refusedAtSetup("io_uring", 3), working("epoll"), working("nio")));
        assertEquals("epoll", opened.transport().name());
        assertEquals("io_uring: " + EPERM, opened.fallback());
        assertRefusedLoopsShutDown(2);
    }

    @Test
    void shouldFallBackToEpollWhenALoopCannotStartItsRing() throws InterruptedException {
        opened = TransportLoops.open(ServerConfig.Transport.AUTO, 2,
                List.of(refusedAtStart("io_uring"), working("epoll"), working("nio")));
        assertEquals("epoll", opened.transport().name());
        assertTrue(opened.fallback().startsWith("io_uring: an event loop stopped as it started"), opened.fallback());
        assertRefusedLoopsShutDown(1);
    }

    @Test
    void shouldFallBackToNioWhenNeitherNativeTransportCanRun() {
        opened = TransportLoops.open(ServerConfig.Transport.AUTO, 1, List.of(refusedAtSetup("io_uring", 1),
                unavailable("epoll", new UnsatisfiedLinkError("no netty_transport_native_epoll")), working("nio")));
        assertEquals("nio", opened.transport().name());
        assertEquals("io_uring: " + EPERM + "; epoll: no netty_transport_native_epoll", opened.fallback());
    }

    @Test
    void shouldRunTheConfiguredTransportOnly() {
        opened = TransportLoops.open(ServerConfig.Transport.EPOLL, 1,
                List.of(working("io_uring"), working("epoll"), working("nio")));
        assertEquals("epoll", opened.transport().name());
        assertNull(opened.fallback());
    }

    @Test
    void shouldFailTheStartWhenTheConfiguredIoUringRingIsRefused() throws InterruptedException {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TransportLoops.open(
                ServerConfig.Transport.IO_URING, 2,
                List.of(refusedAtSetup("io_uring", 2), working("epoll"), working("nio"))));
        assertEquals("transport io_uring requested but not available: " + EPERM, e.getMessage());
        assertEquals(1, loopsMade.size(), "the accept loop only, neither epoll nor nio tried");
        assertRefusedLoopsShutDown(1);
    }

    @Test
    void shouldFailTheStartWhenTheConfiguredEpollIsNotAvailable() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TransportLoops.open(
                ServerConfig.Transport.EPOLL, 2, List.of(working("io_uring"),
                        unavailable("epoll", new UnsatisfiedLinkError("no netty_transport_native_epoll")),
                        working("nio"))));
        assertEquals("transport epoll requested but not available: no netty_transport_native_epoll",
                e.getMessage());
        assertTrue(loopsMade.isEmpty(), "io_uring was not tried: " + loopsMade);
    }

    /** The first {@code made} loops (those of the refused candidate) are shut down, none left running. */
    private void assertRefusedLoopsShutDown(int made) throws InterruptedException {
        for (EventExecutor loop : loopsMade.subList(0, made)) {
            assertTrue(loop.terminationFuture().await(10, TimeUnit.SECONDS), loop + " still runs");
        }
    }

    private Transport.Candidate working(String name) {
        return candidate(name, NioIoHandler.newFactory());
    }

    private static Transport.Candidate unavailable(String name, Throwable cause) {
        return new Transport.Candidate(name, () -> cause, () -> {
            throw new AssertionError(name + " made although unavailable");
        });
    }

    /** The {@code nth} loop made (counting from 1) is refused its ring as the loop is constructed. */
    private Transport.Candidate refusedAtSetup(String name, int nth) {
        IoHandlerFactory nio = NioIoHandler.newFactory();
        AtomicInteger made = new AtomicInteger();
        return candidate(name, executor -> {
            if (made.incrementAndGet() == nth) {
                throw new UncheckedIOException(new IOException(EPERM));
            }
            return nio.newHandler(executor);
        });
    }

    /** Every loop fails as it starts, after its handler was made. */
    private Transport.Candidate refusedAtStart(String name) {
        IoHandlerFactory nio = NioIoHandler.newFactory();
        return candidate(name, executor -> new FailingToStart(nio.newHandler(executor)));
    }

    private Transport.Candidate candidate(String name, IoHandlerFactory handlers) {
        IoHandlerFactory recording = executor -> {
            IoHandler handler = handlers.newHandler(executor);
            synchronized (loopsMade) {
                loopsMade.add((EventExecutor) executor);
            }
            return handler;
        };
        return new Transport.Candidate(name, () -> null,
                () -> new Transport(name, recording, NioServerSocketChannel.class, NioSocketChannel.class));
    }

    /** NIO, except that it fails in initialize (as io_uring's IORING_REGISTER_ENABLE_RINGS would). */
    private record FailingToStart(IoHandler nio) implements IoHandler {
        @Override
        public void initialize() {
            throw new UncheckedIOException(new IOException("io_uring_register(ENABLE_RINGS) failed"));
        }

        @Override
        public int run(IoHandlerContext context) {
            return nio.run(context);
        }

        @Override
        public void prepareToDestroy() {
            nio.prepareToDestroy();
        }

        @Override
        public void destroy() {
            nio.destroy();
        }

        @Override
        public IoRegistration register(IoHandle handle) throws Exception {
            return nio.register(handle);
        }

        @Override
        public void wakeup() {
            nio.wakeup();
        }

        @Override
        public boolean isCompatible(Class<? extends IoHandle> handleType) {
            return nio.isCompatible(handleType);
        }
    }
}
