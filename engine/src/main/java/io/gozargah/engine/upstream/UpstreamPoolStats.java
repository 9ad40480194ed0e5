package io.gozargah.engine.upstream;

/**
 * One pool's connection counts, read on its event loop.
 *
 * @param endpoint the endpoint's URL as configured
 * @param open     connections open or being opened (busy and idle)
 * @param idle     open connections waiting in the pool
 * @param created  connections opened over the pool's life
 */
public record UpstreamPoolStats(String endpoint, int open, int idle, long created) {
}
