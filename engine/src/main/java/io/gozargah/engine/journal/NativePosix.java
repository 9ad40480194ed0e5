package io.gozargah.engine.journal;

import net.openhft.posix.PosixAPI;

/**
 * Chronicle's posix binding ({@code net.openhft:posix}), or why there is none: where it finds no native access it
 * falls back to an implementation that does nothing and says it succeeded, which a caller relying on a call's
 * effect (madvise, fallocate) must not mistake for the real thing.
 */
final class NativePosix {
    private static final PosixAPI POSIX;
    private static final String UNAVAILABLE;

    static {
        PosixAPI posix = null;
        String why = null;
        try {
            posix = PosixAPI.posix();
            if (posix.getClass().getSimpleName().startsWith("NoOp")) {
                posix = null;
                why = "the posix library found no native access";
            }
        } catch (RuntimeException | LinkageError e) {
            why = e.toString();
        }
        POSIX = posix;
        UNAVAILABLE = why;
    }

    private NativePosix() {
    }

    /** The native binding, or null when there is none ({@link #unavailable()} says why). */
    static PosixAPI orNull() {
        return POSIX;
    }

    /** Why there is no native binding, or null when there is one. */
    static String unavailable() {
        return UNAVAILABLE;
    }
}
