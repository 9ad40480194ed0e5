package io.gozargah.engine.cli;

import io.gozargah.engine.server.ConfigReloader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGHUP re-reads the config file, as daemons conventionally do and as the systemd unit's {@code ExecReload}
 * asks ({@code kill -HUP $MAINPID}). A file that does not load is logged with its location and the running
 * configuration stays. Without a config file (embedded use) the signal is left alone.
 */
final class ReloadSignal {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadSignal.class);
    private static final Signal HUP = new Signal("HUP");

    private final ConfigReloader reloader;
    private SignalHandler previous;

    ReloadSignal(ConfigReloader reloader) {
        this.reloader = reloader;
    }

    void install() {
        if (reloader != null) {
            previous = Signal.handle(HUP, s -> onSignal());
        }
    }

    void restore() {
        if (previous != null) {
            Signal.handle(HUP, previous);
            previous = null;
        }
    }

    /** Runs on the JVM's signal thread; the reload is file I/O and a snapshot swap, never an event loop's work. */
    void onSignal() {
        LOG.info("SIGHUP: reloading {}", reloader.file());
        ConfigReloader.Result result = reloader.reload();
        if (result.ok()) {
            LOG.info("{}", result.message());
        }
    }
}
