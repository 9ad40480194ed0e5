package io.gozargah.engine.server;

import io.gozargah.engine.config.GatewayConfig;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The running gateway: event loops, listeners, routing snapshot. Built by the engine work; this skeleton
 * fixes the API the CLI and tests use.
 */
public final class Gateway implements AutoCloseable {

    private Gateway() {
    }

    /** Starts event loops and binds every listener; returns once all are bound (throws if any cannot bind). */
    public static Gateway start(GatewayConfig config) throws InterruptedException {
        throw new UnsupportedOperationException();
    }

    /** The bound addresses, in listener order (useful when a config asks for port 0). */
    public List<InetSocketAddress> boundAddresses() {
        throw new UnsupportedOperationException();
    }

    /**
     * Stops accepting, lets in-flight exchanges finish within {@code deadline}, closes idle and then all
     * connections, and stops the event loops. The future completes when everything is closed.
     */
    public CompletableFuture<Void> shutdownGracefully(Duration deadline) {
        throw new UnsupportedOperationException();
    }

    /** Completes when the gateway has fully stopped. */
    public CompletableFuture<Void> terminationFuture() {
        throw new UnsupportedOperationException();
    }

    /** Immediate shutdown (tests). */
    @Override
    public void close() {
        throw new UnsupportedOperationException();
    }
}
