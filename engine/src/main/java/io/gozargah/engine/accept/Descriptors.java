package io.gozargah.engine.accept;

import com.sun.management.UnixOperatingSystemMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/** The process's file descriptors as the operating system reports them. */
public final class Descriptors {
    private static final OperatingSystemMXBean OS = ManagementFactory.getOperatingSystemMXBean();

    private Descriptors() {
    }

    /**
     * The descriptor limit (RLIMIT_NOFILE) the process runs with, or -1 where the platform does not say. HotSpot
     * raises the soft limit to the hard one at start (-XX:+MaxFDLimit), so this is the hard limit it was given.
     */
    public static long limit() {
        return OS instanceof UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : -1;
    }

    /**
     * Descriptors open now, or -1 when they cannot be counted: counting lists /proc/self/fd, which takes a
     * descriptor itself, so it fails exactly when they have run out (the JDK throws an InternalError then).
     */
    public static long open() {
        if (!(OS instanceof UnixOperatingSystemMXBean unix)) {
            return -1;
        }
        try {
            return unix.getOpenFileDescriptorCount();
        } catch (InternalError | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Whether {@code failure} says the process (EMFILE, "Too many open files") or the whole system (ENFILE, "Too
     * many open files in system") has no descriptor left. Netty's native transports and the JDK both put the C
     * library's message for the error number in theirs, so the message is the one test that covers all of them.
     */
    public static boolean exhausted(Throwable failure) {
        return failure instanceof IOException && failure.getMessage() != null
                && failure.getMessage().contains("Too many open files");
    }
}
