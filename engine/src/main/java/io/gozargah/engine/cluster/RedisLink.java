package io.gozargah.engine.cluster;

import io.gozargah.engine.config.ClusterConfig;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The connection to the cluster's Redis, through Lettuce: a standalone server or a Sentinel-watched master
 * ({@link RedisClient}; a {@code redis-sentinel://} URI lists the sentinels), or a Redis Cluster
 * ({@link RedisClusterClient}) when several {@code redis://} seed nodes are given.
 *
 * <p>Lettuce runs on Netty; it gets its own {@link ClientResources} of one I/O thread and one computation
 * thread instead of the gateway's event loops. A stalled Redis, a reconnect storm or Lettuce's own work
 * (decoding replies, completing futures, topology refreshes) then never takes time from a loop that serves
 * consumers, and Redis traffic, a few calls per sync interval, needs no more than one thread.
 *
 * <p>Commands are never queued while disconnected ({@code REJECT_COMMANDS}): a sync round against an absent
 * Redis fails at once, and the node decides locally. Connecting gives up after {@code commandTimeout}. Commands
 * themselves get no timeout from Lettuce: the agent stops waiting for a round after its own timeout but keeps
 * the calls, whose late answers (a lease Redis did take) it still applies. Lettuce reconnects in the background,
 * at least once a second.
 */
public final class RedisLink implements AutoCloseable {
    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final boolean cluster;
    private final String description;
    private StatefulConnection<String, String> connection;
    private RedisClusterAsyncCommands<String, String> commands;

    public RedisLink(ClusterConfig config, Duration commandTimeout) {
        // Reconnect attempts back off from 10 ms to at most 1 s (Lettuce's default goes to 30 s): a Redis that
        // returns is used again within a second, and the usage counted meanwhile is written back.
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2,
                        TimeUnit.MILLISECONDS))
                .build();
        List<RedisURI> uris = new ArrayList<>();
        for (String text : config.redis()) {
            RedisURI uri = RedisURI.create(text);
            uri.setTimeout(commandTimeout);
            uris.add(uri);
        }
        this.description = String.join(", ", config.redis());
        SocketOptions socket = SocketOptions.builder().connectTimeout(commandTimeout).build();
        boolean sentinel = config.redis().get(0).contains("-sentinel://");
        this.cluster = uris.size() > 1 && !sentinel;
        if (cluster) {
            RedisClusterClient c = RedisClusterClient.create(resources, uris);
            c.setOptions(ClusterClientOptions.builder().socketOptions(socket)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
            this.client = c;
        } else {
            RedisClient c = RedisClient.create(resources, uris.get(0));
            c.setOptions(ClientOptions.builder().socketOptions(socket)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
            this.client = c;
        }
    }

    /**
     * The asynchronous commands, connecting first when not connected yet. Blocks for at most the command
     * timeout while connecting: call it from the cluster agent's thread (or a CLI), never from an event loop.
     *
     * @throws io.lettuce.core.RedisException when Redis cannot be reached
     */
    public synchronized RedisClusterAsyncCommands<String, String> commands() {
        if (commands == null) {
            if (cluster) {
                var c = ((RedisClusterClient) client).connect(StringCodec.UTF8);
                connection = c;
                commands = c.async();
            } else {
                var c = ((RedisClient) client).connect(StringCodec.UTF8);
                connection = c;
                commands = c.async();
            }
        }
        return commands;
    }

    /** The URIs, for log lines and {@code stat}. */
    public String description() {
        return description;
    }

    /**
     * Closes the connection, the client and its threads without waiting for them: the gateway stops on Netty's
     * global executor, and Lettuce completes its shutdown there too, so waiting for it there would never end.
     */
    @Override
    public synchronized void close() {
        CompletableFuture<Void> closed = connection == null ? CompletableFuture.completedFuture(null)
                : connection.closeAsync();
        closed.handle((v, e) -> client.shutdownAsync(0, 2, TimeUnit.SECONDS))
                .thenCompose(f -> f)
                .whenComplete((v, e) -> resources.shutdown(0, 2, TimeUnit.SECONDS));
    }
}
