package io.gozargah.engine.upstream;

/** Answer of {@link UpstreamPool#acquire}; called on the pool's event loop, possibly synchronously. */
public interface AcquireCallback {

    /** A connection ready for one exchange; {@code reused} when it served an earlier exchange. */
    void acquired(UpstreamConnection connection, boolean reused);

    /** No connection: connect failed ({@code overloaded} false) or the pool stayed full past the wait. */
    void acquireFailed(boolean overloaded, String detail);
}
