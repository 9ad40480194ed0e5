package io.gozargah.engine.cli;

import io.gozargah.engine.server.ConfigReloader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGHUP as daemons use it: re-read the config file and swap it in ({@link ConfigReloader}). The reload runs on
 * its own short-lived thread, not the JVM's signal thread, so a SIGTERM arriving meanwhile is handled at once;
 * reloads are serialised by the reloader. Without this handler the JVM would treat SIGHUP as a request to exit. A
 * process started with SIGHUP ignored (nohup) cannot take it over: it says so in its log at start, and
 * {@code gozargah reload} refuses to signal it ({@link ReloadCommand#ignoresSighup}).
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
            if (previous == SignalHandler.SIG_IGN) {
                // The JVM keeps a signal ignored at its start ignored, and says so only by handing back SIG_IGN.
                LOG.warn("SIGHUP is ignored in this process (started under nohup, or by a parent that ignores it),"
                        + " and the JVM leaves it so: `gozargah reload` and kill -HUP will not reload {}; use POST"
                        + " /admin/reload on the admin listener, or start the gateway without nohup (setsid or a"
                        + " service manager detach it without ignoring SIGHUP)", reloader.file());
            }
        }
    }

    void restore() {
        if (previous != null) {
            Signal.handle(HUP, previous);
            previous = null;
        }
    }

    void onSignal() {
        Thread reload = new Thread(() -> {
            LOG.info("SIGHUP: reloading {}", reloader.file());
            ConfigReloader.Result result = reloader.reload();
            if (result.ok()) {
                LOG.info("{}", result.message());
            }
        }, "gozargah-reload");
        reload.setDaemon(true);
        reload.start();
    }
}
