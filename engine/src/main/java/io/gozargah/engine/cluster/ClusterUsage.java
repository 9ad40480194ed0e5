package io.gozargah.engine.cluster;

import io.gozargah.engine.calendar.BillingPeriod;
import io.gozargah.engine.config.ClusterConfig;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The cluster's counts of grants, read from Redis for {@code gozargah stat}: what the day and the month have
 * leased out (spent by any node or held unspent in a lease) and how many nodes reported demand within
 * nodeTimeout. Reads only; never writes a key.
 */
public final class ClusterUsage {
    /** One grant's cluster counts. */
    public record Usage(String grant, long day, long month, int nodes) {
    }

    private ClusterUsage() {
    }

    /**
     * The counts of {@code grants} ({@code consumer provider/service}) in period {@code p}.
     *
     * @throws IllegalStateException when Redis does not answer within {@code timeout}
     */
    public static List<Usage> read(ClusterConfig config, BillingPeriod p, List<String> grants, Duration timeout) {
        try (RedisLink link = new RedisLink(config, timeout)) {
            RedisClusterAsyncCommands<String, String> redis = link.commands();
            List<CompletableFuture<String>> days = new ArrayList<>();
            List<CompletableFuture<String>> months = new ArrayList<>();
            List<CompletableFuture<Map<String, String>>> demands = new ArrayList<>();
            CompletableFuture<List<String>> time = redis.time().toCompletableFuture();
            for (String g : grants) {
                String tag = ClusterKeys.grantTag(config.keyPrefix(), g);
                days.add(redis.get(ClusterKeys.day(tag, p.dayIndex())).toCompletableFuture());
                months.add(redis.get(ClusterKeys.month(tag, p.monthIndex())).toCompletableFuture());
                demands.add(redis.hgetall(ClusterKeys.demand(tag)).toCompletableFuture());
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            List<String> t = time.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            long nowMs = Long.parseLong(t.get(0)) * 1000 + Long.parseLong(t.get(1)) / 1000;
            List<Usage> out = new ArrayList<>();
            for (int i = 0; i < grants.size(); i++) {
                long left = Math.max(1, deadline - System.nanoTime());
                String day = days.get(i).get(left, TimeUnit.NANOSECONDS);
                String month = months.get(i).get(left, TimeUnit.NANOSECONDS);
                int nodes = 0;
                for (String report : demands.get(i).get(left, TimeUnit.NANOSECONDS).values()) {
                    int colon = report.indexOf(':');
                    if (colon > 0 && nowMs - Long.parseLong(report.substring(colon + 1))
                            <= config.nodeTimeout().toMillis()) {
                        nodes++;
                    }
                }
                out.add(new Usage(grants.get(i), day == null ? 0 : Long.parseLong(day),
                        month == null ? 0 : Long.parseLong(month), nodes));
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException(cause.getMessage() == null ? cause.toString() : cause.getMessage(), e);
        }
    }
}
