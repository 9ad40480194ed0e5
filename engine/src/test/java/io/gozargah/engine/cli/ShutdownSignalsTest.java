package io.gozargah.engine.cli;

import org.junit.jupiter.api.Test;
import sun.misc.Signal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShutdownSignalsTest {

    @Test
    void shouldDrainOnFirstSignalAndExit1OnSecond() {
        AtomicInteger drains = new AtomicInteger();
        List<Integer> exits = new ArrayList<>();
        ShutdownSignals signals = new ShutdownSignals(drains::incrementAndGet, exits::add);
        assertFalse(signals.requested());

        signals.onSignal("SIGTERM");
        assertEquals(1, drains.get());
        assertEquals(List.of(), exits);
        assertTrue(signals.requested());

        signals.onSignal("SIGINT");
        assertEquals(1, drains.get());
        assertEquals(List.of(1), exits);
    }

    @Test
    void shouldHandleARealSignalInsteadOfTheJvmDefault() throws Exception {
        CompletableFuture<Void> drained = new CompletableFuture<>();
        ShutdownSignals signals = new ShutdownSignals(() -> drained.complete(null),
                code -> drained.completeExceptionally(new AssertionError("exit " + code)));
        signals.install();
        try {
            // Without our handler, SIGINT would end this test JVM.
            Signal.raise(new Signal("INT"));
            drained.get(10, TimeUnit.SECONDS);
        } finally {
            signals.restore();
        }
    }
}
