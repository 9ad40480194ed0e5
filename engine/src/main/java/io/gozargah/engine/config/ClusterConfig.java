package io.gozargah.engine.config;

import java.time.Duration;
import java.util.List;

/**
 * The {@code admission.cluster:} section: several gateways holding one set of quotas and rates through Redis.
 * Absent (or {@code enabled: false}) means off: the gateway counts alone, as a single node does.
 *
 * @param redis           Redis URIs: one {@code redis://} or {@code rediss://} for a standalone server, one
 *                        {@code redis-sentinel://} listing the sentinels (and the master's name as its fragment),
 *                        or several {@code redis://} seed nodes of a Redis Cluster
 * @param leaseSize       requests of a grant's day and month quota a node takes from Redis at once; 0 for
 *                        {@code auto} (from the grant's recent rate on this node, so that it asks a few times a
 *                        second at most)
 * @param syncInterval    how often a node publishes its demand, reads the shares and tops up its leases
 * @param onRedisDown     what a node does once its lease of a grant is spent while Redis cannot be reached
 * @param maxUnspentLease the most of one grant's quota a node holds unspent: a lease never makes it larger, and
 *                        the {@code local-share} fallback admits at most this many; so the cluster is off its
 *                        quota by at most this much per grant for each node that dies
 * @param nodeTimeout     a node whose demand has not been refreshed for this long drops out of the shares
 * @param nodeId          this node's name in Redis (default: host name and process id)
 * @param keyPrefix       the prefix of every key this gateway writes, so that two clusters can share one Redis
 */
public record ClusterConfig(List<String> redis, long leaseSize, Duration syncInterval, OnRedisDown onRedisDown,
                            long maxUnspentLease, Duration nodeTimeout, String nodeId, String keyPrefix) {

    public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofMillis(100);
    public static final long DEFAULT_MAX_UNSPENT_LEASE = 1000;
    public static final Duration DEFAULT_NODE_TIMEOUT = Duration.ofSeconds(3);
    public static final String DEFAULT_KEY_PREFIX = "gozargah";

    /** What a node does when its lease is spent and Redis is away. */
    public enum OnRedisDown {
        /**
         * Goes on admitting up to its share (from the last sync) of what the cluster had left, at most
         * maxUnspentLease per grant, and writes that usage back to Redis when it returns.
         */
        LOCAL_SHARE("local-share"),
        /** Refuses requests of grants with a quota (503 overloaded) until Redis returns. */
        REFUSE("refuse");

        private final String text;

        OnRedisDown(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    public ClusterConfig {
        redis = List.copyOf(redis);
    }

    /** Whether the lease size follows the rate ({@code leaseSize: auto}). */
    public boolean autoLease() {
        return leaseSize == 0;
    }

    /** The default node id: the host's name and this process's id. */
    public static String defaultNodeId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
