package io.gozargah.engine.cluster;

import io.gozargah.engine.metrics.MetricsRegistry;

/** The cluster agent's health as metrics; registered only when {@code admission.cluster} is on. */
public final class ClusterMetrics {
    private ClusterMetrics() {
    }

    public static void register(ClusterAgent agent, MetricsRegistry metrics) {
        metrics.gauge("gozargah_cluster_redis_down", "1 while the cluster's Redis does not answer and admission"
                + " decides locally (on the leases held, then admission.cluster.onRedisDown), else 0.",
                () -> agent.redisDown() ? 1 : 0);
        metrics.counter("gozargah_cluster_leases_total", "Blocks of grants' quotas this node took from Redis.",
                agent::leasesTaken);
        metrics.counter("gozargah_cluster_lease_requests_total", "Requests of grants' quotas leased from Redis"
                + " (the sum of the blocks).", agent::leaseTokens);
        metrics.counter("gozargah_cluster_written_back_total", "Requests admitted on the local-share fallback while"
                + " Redis was away, then written back to the cluster's counts.", agent::writtenBack);
        metrics.counter("gozargah_cluster_syncs_total", "Sync rounds with Redis.", agent::rounds);
        metrics.counter("gozargah_cluster_sync_failures_total", "Sync rounds Redis did not answer in time.",
                agent::failedRounds);
        metrics.gauge("gozargah_cluster_sync_seconds", "How long the last sync round took (its Redis round trips,"
                + " in flight together).", agent::lastRoundSeconds);
        metrics.gauge("gozargah_cluster_nodes", "Live nodes seen by the last sync round (reporting demand within"
                + " nodeTimeout).", agent::nodes);
    }
}
