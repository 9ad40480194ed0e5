package io.gozargah.codec.testing;

import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A {@link ResourceLeakDetector} that, besides logging, records every leak it reports so a test run can
 * fail on it. Installed with {@code -Dio.netty.customResourceLeakDetector=} this class: Netty's
 * {@code ResourceLeakDetectorFactory} looks up the public {@code (Class, int)} constructor (and the
 * deprecated {@code (Class, int, long)} one) through the system class loader and creates one detector per
 * resource type, so the record is static and shared by all of them.
 *
 * <p>Netty reports a leak only when a later allocation of the same resource type polls the reference
 * queue after a GC; {@link LeakCheckExtension} arranges both.
 */
public class FailingLeakDetector<T> extends ResourceLeakDetector<T> {

    private static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();

    public FailingLeakDetector(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
    }

    /** The constructor Netty's factory tries first; {@code maxActive} has been ignored by Netty since 4.1. */
    public FailingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
        this(resourceType, samplingInterval);
    }

    /** Leaks reported so far and not yet drained. */
    public static List<String> leaks() {
        return new ArrayList<>(LEAKS);
    }

    /** Returns and forgets the leaks reported so far. */
    public static List<String> drainLeaks() {
        List<String> drained = new ArrayList<>();
        for (String leak = LEAKS.poll(); leak != null; leak = LEAKS.poll()) {
            drained.add(leak);
        }
        return drained;
    }

    /** Report even when no error logger is configured: the record, not the log, fails the build. */
    @Override
    protected boolean needReport() {
        return true;
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        LEAKS.add("LEAK: " + resourceType + ".release() was not called before it was garbage-collected." + records);
        super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        LEAKS.add("LEAK: " + resourceType + ".release() was not called before it was garbage-collected "
                + "(no access records; run at PARANOID level to get them).");
        super.reportUntracedLeak(resourceType);
    }
}
