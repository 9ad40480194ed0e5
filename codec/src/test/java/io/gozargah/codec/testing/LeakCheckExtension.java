package io.gozargah.codec.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a buffer leak while it ran (or when a leak from an earlier class
 * surfaces only now). Registered for every test through {@code META-INF/services} and JUnit's extension
 * auto-detection ({@code junit-platform.properties}), so no test can forget it.
 *
 * <p>After the class it forces a GC and then allocates and releases a few buffers: Netty polls its
 * reference queue, and so reports collected-but-unreleased buffers, only when it tracks a new one.
 */
public final class LeakCheckExtension implements AfterAllCallback {

    private static final int GC_ROUNDS = 3;
    private static final long ENQUEUE_TIMEOUT_MILLIS = 1000;

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        collectAndNudge();
        List<String> leaks = FailingLeakDetector.drainLeaks();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " buffer leak(s) reported while running "
                    + context.getDisplayName() + ":\n" + String.join("\n\n", leaks));
        }
    }

    /** Collects garbage and allocates, so that leaked buffers are found and reported now. */
    public static void collectAndNudge() throws InterruptedException {
        for (int round = 0; round < GC_ROUNDS; round++) {
            // The reference handler enqueues cleared references after the GC, asynchronously: wait until
            // a sentinel cleared by the same GC has been enqueued, rather than for a guessed time.
            ReferenceQueue<Object> queue = new ReferenceQueue<>();
            PhantomReference<Object> sentinel = new PhantomReference<>(new Object(), queue);
            System.gc();
            queue.remove(ENQUEUE_TIMEOUT_MILLIS);
            Reference.reachabilityFence(sentinel);
            nudge();
        }
    }

    private static void nudge() {
        release(PooledByteBufAllocator.DEFAULT.heapBuffer(16));
        release(PooledByteBufAllocator.DEFAULT.directBuffer(16));
        release(ByteBufAllocator.DEFAULT.buffer(16));
        release(Unpooled.directBuffer(16));
    }

    private static void release(ByteBuf buf) {
        buf.release();
    }
}
