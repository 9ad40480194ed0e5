package io.gozargah.bench.loop;

import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * JMH's worker threads made the kind of thread the gateway's event loops run on: Netty's
 * {@code FastThreadLocalThread}s that clean up their fast thread-locals. Netty's {@code Recycler} pools objects
 * (a channel's outbound buffer entries, among others) only on such threads and makes a new one per call on any
 * other, so a benchmark of a pipeline on a plain JMH thread would count as its own allocation what an event loop
 * takes from the pool. A benchmark opts in with {@link #JMH_EXECUTOR} and {@link #JMH_EXECUTOR_CLASS} among its
 * fork's JVM options; JMH then builds its executor with this class's {@code (int, String)} constructor.
 */
public final class EventLoopThreads extends ThreadPoolExecutor {
    public static final String JMH_EXECUTOR = "-Djmh.executor=CUSTOM";
    public static final String JMH_EXECUTOR_CLASS = "-Djmh.executor.class=io.gozargah.bench.loop.EventLoopThreads";

    public EventLoopThreads(int maxThreads, String prefix) {
        super(maxThreads, maxThreads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory(prefix, true));
    }
}
