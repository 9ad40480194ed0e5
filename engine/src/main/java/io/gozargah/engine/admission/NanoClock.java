package io.gozargah.engine.admission;

/**
 * A monotonic clock in nanoseconds, injectable so that tests drive time instead of sleeping.
 *
 * <p>Like {@link System#nanoTime()}, values have an arbitrary origin and may be negative or wrap around
 * {@link Long#MAX_VALUE}; only differences {@code b - a} between two readings less than 2<sup>63</sup> ns
 * apart are meaningful, so callers compare readings by subtracting, never with {@code <}.
 */
@FunctionalInterface
public interface NanoClock {

    /** The JVM's monotonic clock. */
    NanoClock SYSTEM = System::nanoTime;

    /** The current reading, in nanoseconds from an arbitrary origin. */
    long nanoTime();
}
