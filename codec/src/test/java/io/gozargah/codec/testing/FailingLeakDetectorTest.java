package io.gozargah.codec.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves the leak check can fail a build: a deliberately leaked buffer is recorded. The record is drained
 * here, so {@link LeakCheckExtension} finds nothing left for this class and the build stays green.
 */
class FailingLeakDetectorTest {

    private static final int ATTEMPTS = 20;

    @Test
    void shouldBeTheDetectorNettyCreates() {
        ResourceLeakDetector<Object> detector =
                ResourceLeakDetectorFactory.instance().newResourceLeakDetector(Object.class);
        assertEquals(FailingLeakDetector.class, detector.getClass(),
                "-Dio.netty.customResourceLeakDetector is not in effect");
        assertEquals(ResourceLeakDetector.Level.PARANOID, ResourceLeakDetector.getLevel());
    }

    @Test
    void shouldRecordALeakedBufferThenForgetItWhenDrained() throws InterruptedException {
        FailingLeakDetector.drainLeaks();
        leakABuffer();
        List<String> leaks = List.of();
        for (int attempt = 0; attempt < ATTEMPTS && leaks.isEmpty(); attempt++) {
            LeakCheckExtension.collectAndNudge();
            leaks = FailingLeakDetector.leaks();
        }
        assertTrue(!leaks.isEmpty(), "a leaked buffer was not reported");
        assertTrue(leaks.get(0).contains("ByteBuf"), leaks.get(0));
        assertTrue(leaks.get(0).contains("leakABuffer"), "the record names where the buffer was touched");
        FailingLeakDetector.drainLeaks();
        assertTrue(FailingLeakDetector.leaks().isEmpty());
    }

    /** Allocates a buffer, touches it, and drops it unreleased: a leak, on purpose. */
    private static void leakABuffer() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.heapBuffer(8);
        leaked.writeLong(42L);
        leaked.touch("leakABuffer");
    }
}
