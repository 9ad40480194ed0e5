package io.gozargah.engine.cli;

import io.gozargah.engine.server.ConfigReloader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * SIGHUP as daemons use it: re-read the config file and swap it in ({@link ConfigReloader}). The reload runs on
 * its own short-lived thread, not the JVM's signal thread, so a SIGTERM arriving meanwhile is handled at once;
 * reloads are serialised by the reloader. Without this handler the JVM would treat SIGHUP as a request to exit. A
 * process started with SIGHUP ignored (nohup) cannot take it over: it says so in its log at start, and
 * {@code gozargah reload} refuses to signal it ({@link ReloadCommand#ignoresSighup}). Each reload's outcome is
 * also written to the outcome file, when there is one ({@link ReloadOutcome}), for {@code gozargah reload} to
 * report.
 */
final class ReloadSignal {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadSignal.class);
    private static final Signal HUP = new Signal("HUP");

    private final ConfigReloader reloader;
    private final Path outcomes;
    private final AtomicLong reloads = new AtomicLong();
    private SignalHandler previous;

    /** {@code outcomes}: where each reload's outcome is written, or null for nowhere (no pid file). */
    ReloadSignal(ConfigReloader reloader, Path outcomes) {
        this.reloader = reloader;
        this.outcomes = outcomes;
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
            synchronized (this) {
                // one at a time, so the outcome file's sequence follows the order the reloads ran in
                ConfigReloader.Result result = reloader.reload();
                if (result.ok()) {
                    LOG.info("{}", result.message());
                }
                report(new ReloadOutcome(ProcessHandle.current().pid(), reloads.incrementAndGet(), result.ok(),
                        result.message()));
            }
        }, "gozargah-reload");
        reload.setDaemon(true);
        reload.start();
    }

    private void report(ReloadOutcome outcome) {
        if (outcomes == null) {
            return;
        }
        try {
            outcome.write(outcomes);
        } catch (IOException e) {
            LOG.error("cannot write the reload outcome to {}: {}; `gozargah reload` will not learn it", outcomes,
                    e.toString());
        }
    }
}
