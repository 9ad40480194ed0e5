package io.gozargah.engine.server;

import io.gozargah.engine.config.ConfigException;
import io.gozargah.engine.config.ConfigLoader;
import io.gozargah.engine.config.GatewayConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/**
 * Re-reads the gateway's config file and swaps the result in. One entry point for every way an operator asks
 * for a reload (SIGHUP, {@code gozargah reload}, the admin API). A file that does not load leaves the running
 * configuration untouched; the result says why, with file, line and field. Reloads of one gateway are
 * serialised, whichever reloader (signal handler, admin API) asks.
 */
public final class ConfigReloader {
    private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);

    /** What a reload did: {@code ok}, and a one-line message for logs and the admin API. */
    public record Result(boolean ok, String message) {
    }

    private final Path file;
    private final Gateway gateway;

    public ConfigReloader(Path file, Gateway gateway) {
        this.file = file;
        this.gateway = gateway;
    }

    public Path file() {
        return file;
    }

    public Result reload() {
        synchronized (gateway) {
            return reloadNow();
        }
    }

    private Result reloadNow() {
        GatewayConfig config;
        try {
            config = ConfigLoader.load(file);
        } catch (ConfigException e) {
            log.error("reload refused, keeping the running configuration: {}", e.getMessage());
            return new Result(false, e.getMessage());
        }
        try {
            gateway.reload(config);
        } catch (RuntimeException e) {
            log.error("reload refused, keeping the running configuration: {}: {}", file, e.getMessage());
            return new Result(false, file + ": " + e.getMessage());
        }
        return new Result(true, "reloaded " + file);
    }
}
