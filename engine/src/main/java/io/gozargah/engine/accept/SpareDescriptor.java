package io.gozargah.engine.accept;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One descriptor held open on {@code /dev/null} for a listener to give up when an accept fails for want of a
 * descriptor: closing it lets the next accept succeed, so the pending connection can be taken off the backlog
 * (and closed, or served) instead of the accept failing again at every wake-up. Reopened as soon as there is a
 * descriptor to take. Acquired and released on one event loop only; {@link #held()} may be read anywhere.
 */
public final class SpareDescriptor implements AutoCloseable {
    private static final Path DEV_NULL = Path.of("/dev/null");

    private volatile FileChannel held;

    /** A spare, held if a descriptor can be had now. */
    public static SpareDescriptor open() {
        SpareDescriptor spare = new SpareDescriptor();
        spare.tryAcquire();
        return spare;
    }

    public boolean held() {
        return held != null;
    }

    /** Holds a descriptor again if none is held; false when the process has none to give. */
    public boolean tryAcquire() {
        if (held == null) {
            try {
                held = FileChannel.open(DEV_NULL, StandardOpenOption.READ);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /** Closes the held descriptor, so that the next descriptor the process opens gets it. */
    public void release() {
        FileChannel h = held;
        if (h != null) {
            held = null; // first: a listener that sees the descriptor free also sees the spare given up
            try {
                h.close();
            } catch (IOException e) {
                // closing /dev/null does not fail in a way that leaves the descriptor open
            }
        }
    }

    @Override
    public void close() {
        release();
    }
}
