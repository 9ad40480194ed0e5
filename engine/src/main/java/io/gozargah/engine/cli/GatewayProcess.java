package io.gozargah.engine.cli;

import io.gozargah.engine.admin.AdminServer;
import io.gozargah.engine.portal.PortalServer;
import io.gozargah.engine.config.ConfigException;
import io.gozargah.engine.config.ConfigLoader;
import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.config.ListenerConfig;
import io.gozargah.engine.journal.JournalStartException;
import io.gozargah.engine.server.ConfigReloader;
import io.gozargah.engine.server.Gateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * The life of a gateway process, shared by {@code run} and {@code demo}: load the config, start, serve until
 * a signal, drain within the config's grace, report an exit code.
 */
final class GatewayProcess {
    /**
     * Past the grace period the gateway is closing connections; if it has not finished this much later
     * something is stuck, and the process exits 1 rather than hang a deploy.
     */
    static final Duration STUCK_MARGIN = Duration.ofSeconds(5);

    /**
     * The logger, looked up when a gateway first logs: every command builds a GatewayProcess, and a logger made
     * with it would start logback (its XML configuration and some 600 classes, a third of keygen's start) in
     * tools that never log.
     */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(GatewayProcess.class);
    }

    /** Where configs come from: {@link ConfigLoader#load} outside tests. */
    @FunctionalInterface
    interface ConfigSource {
        GatewayConfig load(Path file) throws ConfigException;
    }

    private final ConfigSource configs;
    private final IntConsumer exit;

    GatewayProcess(ConfigSource configs, IntConsumer exit) {
        this.configs = configs;
        this.exit = exit;
    }

    /** Loads {@code file}; a missing file or a bad config is a {@link CliFailure} with the located message. */
    GatewayConfig load(Path file) throws CliFailure {
        try {
            if (!Files.isRegularFile(file)) {
                throw new ConfigException(file, 0, null,
                        Files.exists(file) ? "not a regular file" : "no such file");
            }
            return configs.load(file);
        } catch (ConfigException e) {
            throw CliFailure.badConfig(e.getMessage(), e);
        }
    }

    /** A listener of the gateway's own beside its consumer listeners: started, it says how to close it. */
    @FunctionalInterface
    private interface SideListener {
        Runnable start() throws InterruptedException;
    }

    /**
     * Starts {@code listener}, closed when the gateway stops; if it cannot start, the gateway is closed and a
     * listener that cannot bind is a one-line {@link CliFailure} naming {@code what} and its address.
     */
    private static void startBeside(Gateway gateway, String what, String host, int port, SideListener listener)
            throws CliFailure, InterruptedException {
        try {
            Runnable close = listener.start();
            gateway.terminationFuture().whenComplete((ok, failure) -> close.run());
        } catch (InterruptedException e) {
            gateway.close();
            throw e;
        } catch (Exception e) { // Netty's bind throws its BindException unchecked
            gateway.close();
            IOException io = ioCause(e);
            if (io == null) {
                throw e;
            }
            throw CliFailure.runtime("cannot start " + what + " on " + host + ":" + port + ": " + io.getMessage(), e);
        }
    }

    /**
     * Starts the gateway and, when the config has them, its admin and portal listeners (closed when the gateway
     * stops); a listener that cannot bind is a one-line {@link CliFailure}, not a stack trace.
     */
    static Gateway start(GatewayConfig config) throws CliFailure, InterruptedException {
        Gateway gateway = startGateway(config);
        if (config.admin() != null) {
            startBeside(gateway, "the admin API", config.admin().host(), config.admin().port(), () -> {
                AdminServer admin = AdminServer.start(config.admin(), gateway, reloader(gateway),
                        config.server().shutdownGrace());
                return admin::closeAsync;
            });
        }
        if (config.portal() != null) {
            startBeside(gateway, "the portal", config.portal().host(), config.portal().port(), () -> {
                PortalServer portal = PortalServer.start(config.portal(), gateway);
                return portal::closeAsync;
            });
        }
        return gateway;
    }

    /** Re-reads the file the running config came from (null when it came from none). */
    static ConfigReloader reloader(Gateway gateway) {
        Path source = gateway.snapshot().config().source();
        return source == null ? null : new ConfigReloader(source, gateway);
    }

    private static Gateway startGateway(GatewayConfig config) throws CliFailure, InterruptedException {
        try {
            Gateway gateway = Gateway.start(config);
            List<ListenerConfig> listeners = config.server().listeners();
            List<InetSocketAddress> bound = gateway.boundAddresses();
            for (int i = 0; i < bound.size(); i++) {
                String name = i < listeners.size() ? listeners.get(i).name() : "listener-" + i;
                Log.LOG.info("listening: {} on {}", name, hostPort(bound.get(i)));
            }
            return gateway;
        } catch (InterruptedException e) {
            throw e;
        } catch (UncheckedIOException | JournalStartException e) {
            throw CliFailure.runtime(e.getMessage(), e);
        } catch (Exception e) {
            // Netty's sync() rethrows a bind failure (a checked IOException) undeclared: look for it by type
            IOException io = ioCause(e);
            if (io == null) {
                throw e;
            }
            throw CliFailure.runtime("cannot start the gateway on " + describe(config.server().listeners()) + ": "
                    + io.getMessage(), e);
        }
    }

    /**
     * Writes the pid file (when {@code pidFile} is not null), then blocks until the gateway has stopped:
     * SIGTERM/SIGINT drain it, SIGHUP reloads {@code configFile} (and reports the outcome beside the pid file,
     * {@link ReloadOutcome}). Exit code 0 when a signal drained it, 1 when
     * it stopped on its own, its drain failed, or the drain outlived grace plus {@link #STUCK_MARGIN}. The
     * gateway is closed if the pid file cannot be written.
     */
    int serve(Gateway gateway, GatewayConfig config, Path configFile, Path pidFile) throws CliFailure {
        PidFile pid = null;
        Path outcomes = pidFile == null ? null : ReloadOutcome.fileFor(pidFile);
        try {
            if (pidFile != null) {
                pid = PidFile.write(pidFile);
                Files.deleteIfExists(outcomes);
            }
            ConfigReloader reloader = new ConfigReloader(configFile, gateway);
            return serveUntilSignalled(gateway, config.server().shutdownGrace(), reloader, outcomes);
        } catch (IOException e) {
            gateway.close();
            throw CliFailure.runtime("cannot remove the old reload outcome " + outcomes + ": " + e, e);
        } catch (CliFailure | RuntimeException e) {
            gateway.close();
            throw e;
        } finally {
            if (pid != null) {
                pid.close();
                try {
                    Files.deleteIfExists(outcomes);
                } catch (IOException ignored) {
                    // a stale outcome names a dead process, which `reload` disregards
                }
            }
        }
    }

    private int serveUntilSignalled(Gateway gateway, Duration grace, ConfigReloader reloader, Path outcomes) {
        CompletableFuture<Integer> exitCode = new CompletableFuture<>();
        ShutdownSignals signals = new ShutdownSignals(() -> drain(gateway, grace, exitCode), exit);
        ReloadSignal reload = new ReloadSignal(reloader, outcomes);
        signals.install();
        reload.install();
        try {
            gateway.terminationFuture().whenComplete((ok, failure) -> {
                if (failure != null || !signals.requested()) {
                    Log.LOG.error("the gateway stopped without being asked to", failure);
                    exitCode.complete(Main.EXIT_FAILURE);
                } else {
                    exitCode.complete(Main.EXIT_OK);
                }
            });
            int code = exitCode.join();
            Log.LOG.info("stopped (exit code {})", code);
            return code;
        } finally {
            reload.restore();
            signals.restore();
        }
    }

    private static void drain(Gateway gateway, Duration grace, CompletableFuture<Integer> exitCode) {
        gateway.shutdownGracefully(grace).whenComplete((ok, failure) -> {
            if (failure != null) {
                Log.LOG.error("graceful shutdown failed", failure);
                exitCode.complete(Main.EXIT_FAILURE);
            } else {
                exitCode.complete(Main.EXIT_OK);
            }
        });
        CompletableFuture.delayedExecutor(grace.plus(STUCK_MARGIN).toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (exitCode.complete(Main.EXIT_FAILURE)) {
                Log.LOG.error("the drain did not finish within {} plus {}; giving up", grace, STUCK_MARGIN);
            }
        });
    }

    private static IOException ioCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException io) {
                return io;
            }
        }
        return null;
    }

    private static String describe(List<ListenerConfig> listeners) {
        return String.join(", ", listeners.stream().map(l -> l.name() + " " + l.host() + ":" + l.port()).toList());
    }

    static String hostPort(InetSocketAddress address) {
        String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
