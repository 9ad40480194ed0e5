package io.gozargah.engine.route;

/**
 * The result of routing one request target, reused per connection. Ranges are absolute indices into the
 * buffer the target was parsed from.
 */
public final class RouteMatch {
    ServiceRoute service;
    int restStart;
    int restLength;
    int queryStart;
    int queryLength;

    public ServiceRoute service() {
        return service;
    }

    /** The part of the path after {@code /{provider}/{service}}: empty or starting with '/'. */
    public int restStart() {
        return restStart;
    }

    public int restLength() {
        return restLength;
    }

    /** The query including its leading '?', or length 0. */
    public int queryStart() {
        return queryStart;
    }

    public int queryLength() {
        return queryLength;
    }
}
