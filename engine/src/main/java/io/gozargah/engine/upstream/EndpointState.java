package io.gozargah.engine.upstream;

/**
 * One provider endpoint as the admin API and the metrics show it.
 *
 * @param provider        the provider's name
 * @param endpoint        the endpoint's URL as configured
 * @param weight          its weight within its tier
 * @param backup          whether it is a backup
 * @param healthy         what the active health checks say (true without them)
 * @param ejectedForMillis how much longer it stays ejected, 0 when it is not
 * @param ejections       ejections over the gateway's life (kept across reloads)
 * @param outstanding     exchanges in flight to it, over every loop
 * @param successes       exchanges it answered with a response head below 500
 * @param failures        exchanges it failed: connect failures, resets, timeouts and 5xx answers
 */
public record EndpointState(String provider, String endpoint, int weight, boolean backup, boolean healthy,
                            long ejectedForMillis, long ejections, int outstanding, long successes, long failures) {

    /** Whether the balancer would choose it outside panic: healthy and not ejected. */
    public boolean usable() {
        return healthy && ejectedForMillis == 0;
    }

    /** Successes over all reported outcomes, or -1 before any. */
    public double successRate() {
        long all = successes + failures;
        return all == 0 ? -1 : (double) successes / all;
    }
}
