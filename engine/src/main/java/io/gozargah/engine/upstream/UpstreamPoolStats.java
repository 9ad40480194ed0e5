package io.gozargah.engine.upstream;

/**
 * One pool's connection counts, read on its event loop.
 *
 * @param endpoint the endpoint's URL as configured
 * @param open     connections open or being opened (busy and idle)
 * @param idle     open connections waiting in the pool
 * @param created  connections opened over the pool's life
 * @param outstanding exchanges that chose the endpoint and have not ended
 * @param successes   exchanges the endpoint answered with a response head below 500
 * @param failures    exchanges the endpoint failed: connect failures, resets, timeouts and 5xx answers
 */
public record UpstreamPoolStats(String endpoint, int open, int idle, long created, int outstanding, long successes,
                                long failures) {

    /** The two readings summed (one endpoint's pools on two loops). */
    public UpstreamPoolStats plus(UpstreamPoolStats o) {
        return new UpstreamPoolStats(endpoint, open + o.open, idle + o.idle, created + o.created,
                outstanding + o.outstanding, successes + o.successes, failures + o.failures);
    }
}
