package io.gozargah.engine.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * SIGTERM and SIGINT as an operator means them: the first starts a graceful drain, a second one while the
 * drain runs ends the process at once with exit code 1 ("I really mean it", as Ctrl-C twice does in most
 * servers). The JVM's own handling would run shutdown hooks and exit 143 or 130, which init systems and
 * supervisors count as a failure; a drained gateway exits 0.
 * <p>
 * {@code sun.misc.Signal} lives in jdk.unsupported, exported to every module on Java 17; the launcher still
 * passes {@code --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED} for Chronicle's sake.
 */
final class ShutdownSignals {
    static final int EXIT_FORCED = 1;
    private static final String[] SIGNALS = {"TERM", "INT"};
    private static final Logger LOG = LoggerFactory.getLogger(ShutdownSignals.class);

    private final Runnable drain;
    private final IntConsumer exit;
    private final AtomicInteger received = new AtomicInteger();
    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();

    /**
     * @param drain starts the graceful shutdown; must not block (it runs on the JVM's signal thread)
     * @param exit  ends the process with the given code ({@code System::exit} outside tests)
     */
    ShutdownSignals(Runnable drain, IntConsumer exit) {
        this.drain = drain;
        this.exit = exit;
    }

    /** Replaces the handlers of SIGTERM and SIGINT; {@link #restore()} puts the previous ones back. */
    void install() {
        for (String name : SIGNALS) {
            Signal signal = new Signal(name);
            previous.put(signal, Signal.handle(signal, s -> onSignal("SIG" + s.getName())));
        }
    }

    void restore() {
        previous.forEach(Signal::handle);
        previous.clear();
    }

    /** Whether a signal has asked for shutdown. */
    boolean requested() {
        return received.get() > 0;
    }

    void onSignal(String name) {
        if (received.getAndIncrement() == 0) {
            LOG.info("{}: draining; send it again to stop at once", name);
            drain.run();
        } else {
            LOG.warn("{} during the drain: stopping now, in-flight requests are cut", name);
            exit.accept(EXIT_FORCED);
        }
    }
}
