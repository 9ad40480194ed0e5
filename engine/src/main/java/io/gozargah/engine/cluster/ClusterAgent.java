package io.gozargah.engine.cluster;

import io.gozargah.engine.calendar.BillingCalendar;
import io.gozargah.engine.calendar.BillingPeriod;
import io.gozargah.engine.config.ClusterConfig;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * This node's link to the rest of the cluster: one thread ({@code gozargah-cluster}) that, every sync interval
 * and whenever a lease runs low, runs {@code lease-sync.lua} on Redis for each grant and consumer with recent
 * demand or a lease to top up, give back or write back, and applies the answers to their {@link GrantLease}s.
 * The event loops only read and spend those leases; no request waits on Redis, and all Redis calls are
 * asynchronous, issued and awaited on this thread alone (as an Aeron agent owns its duty cycle).
 *
 * <h2>Quotas</h2>
 * A grant's lease is a block of its day and month quota, taken with {@code min(wanted, left)} in Redis. It is
 * topped up when it falls to half its size: with {@code leaseSize: auto} the size is half a second of this
 * node's recent demand (at least {@value #MIN_AUTO_LEASE}), so a busy node asks a few times a second, never more
 * than maxUnspentLease. A lease is given back on reload (for grants removed or whose quota changed), when a
 * drain completes and at a clean shutdown. A node that dies leaves its unspent lease counted as used: the cluster
 * then admits up to that many fewer (at most maxUnspentLease per grant).
 *
 * <h2>Rates</h2>
 * Each node reports its demand on a grant (and on a consumer's overall rate): requests per second, admitted or
 * refused, smoothed over two sync intervals. It enforces the rate times its share, its demand over the demand
 * of all live nodes (each given a small floor, so that an idle node can still admit). A node alone, or the only
 * one with recent demand, takes the whole rate. Nodes that stop reporting for nodeTimeout drop out.
 *
 * <h2>Redis away</h2>
 * A round that fails marks Redis away (one log line, {@code gozargah_cluster_redis_down} 1). Requests go on
 * spending the lease; then {@code local-share} admits up to this node's share of what the cluster had left at the
 * last sync (at most maxUnspentLease per grant), and {@code refuse} refuses. Readiness does not change. When Redis
 * answers again, what was admitted without a lease is added to the day's and month's counts.
 *
 * <p>A round stops waiting after its timeout, but a call Redis may still run is not forgotten: its answer is
 * applied when it comes. A call whose connection drops before its answer may be run again by Lettuce when it
 * reconnects (its at-least-once default): the cluster's count is then too high, never too low, so the error is
 * fewer admissions, never more.
 */
public final class ClusterAgent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterAgent.class);
    static final long MIN_AUTO_LEASE = 16;
    /** The demand a lease of {@code auto} size covers. */
    static final double AUTO_LEASE_SECONDS = 0.5;
    /** The floor of each node's weight in the shares, as a part of the total demand over the nodes. */
    static final double SHARE_FLOOR = 0.05;

    private final ClusterConfig config;
    private final BillingCalendar calendar;
    private final LongSupplier nanoClock;
    private final LongSupplier epochMillis;
    private final RedisLink redis;
    private final Duration roundTimeout;
    private final Map<String, GrantLease> grants = new ConcurrentHashMap<>();
    private final Map<String, GrantLease> consumers = new ConcurrentHashMap<>();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final Runnable wake = this::wake;

    private volatile Thread thread;
    private volatile boolean running;
    private volatile boolean redisDown;
    private volatile boolean draining;
    private volatile CompletableFuture<Void> giveBackRequested;

    private final AtomicLong leasesTaken = new AtomicLong();
    private final AtomicLong leaseTokens = new AtomicLong();
    private final AtomicLong rounds = new AtomicLong();
    private final AtomicLong failedRounds = new AtomicLong();
    private final AtomicLong writtenBack = new AtomicLong();
    private volatile double lastRoundSeconds;
    private volatile int nodes = 1;

    public ClusterAgent(ClusterConfig config, BillingCalendar calendar, LongSupplier nanoClock,
                        LongSupplier epochMillis) {
        this.config = config;
        this.calendar = calendar;
        this.nanoClock = nanoClock;
        this.epochMillis = epochMillis;
        Duration sync = config.syncInterval().multipliedBy(5);
        this.roundTimeout = sync.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : sync;
        this.redis = new RedisLink(config, roundTimeout);
    }

    public ClusterConfig config() {
        return config;
    }

    /**
     * The lease of grant {@code name} for the running configuration (the same one across reloads, so that a
     * grant keeps what it holds). A changed quota has the lease given back and taken again at the next sync.
     *
     * @param attempts requests on the grant on this node so far (admitted or refused), for its demand
     */
    public GrantLease grant(String name, long quotaDay, long quotaMonth, double rate, int burst,
                            LongSupplier attempts) {
        GrantLease lease = grants.computeIfAbsent(name,
                n -> new GrantLease(n, ClusterKeys.grantTag(config.keyPrefix(), n), wake));
        if (lease.quotaDay != quotaDay || lease.quotaMonth != quotaMonth) {
            lease.giveBack = lease.tokens(currentDay()) > 0;
        }
        if (lease.syncedDay < 0 && (quotaDay > 0 || quotaMonth > 0)) {
            // Until its first sync (Redis away at start), a node's local share of a quota is maxUnspentLease at
            // most: the documented bound of what it may admit without Redis. Its own counts cap it at the quota.
            long quota = quotaDay > 0 && quotaMonth > 0 ? Math.min(quotaDay, quotaMonth)
                    : Math.max(quotaDay, quotaMonth);
            lease.fallbackAllowance(currentDay(), Math.min(config.maxUnspentLease(), quota));
        }
        return terms(lease, quotaDay, quotaMonth, rate, burst, attempts);
    }

    /** The rate share of consumer {@code name}'s overall rate (no quota: consumers have none of their own). */
    public GrantLease consumer(String name, double rate, int burst, LongSupplier attempts) {
        GrantLease lease = consumers.computeIfAbsent(name,
                n -> new GrantLease(n, ClusterKeys.consumerTag(config.keyPrefix(), n), wake));
        return terms(lease, 0, 0, rate, burst, attempts);
    }

    private GrantLease terms(GrantLease lease, long quotaDay, long quotaMonth, double rate, int burst,
                             LongSupplier attempts) {
        lease.quotaDay = quotaDay;
        lease.quotaMonth = quotaMonth;
        lease.rate = rate;
        lease.burst = burst;
        lease.attempts = attempts;
        double share = lease.terms == RateTerms.NONE ? 1 : lease.terms.share();
        lease.terms = RateTerms.of(rate, burst, share);
        lease.inConfig = true;
        return lease;
    }

    /**
     * Marks which leases the running configuration uses (after a plan): the others are given back at the next
     * sync and no longer synced. Wakes the agent so that new grants get their first lease at once.
     */
    public void planned(Collection<GrantLease> inUse) {
        Set<GrantLease> used = new HashSet<>(inUse);
        for (GrantLease l : grants.values()) {
            l.inConfig = used.contains(l);
        }
        for (GrantLease l : consumers.values()) {
            l.inConfig = used.contains(l);
        }
        wake();
    }

    /** Whether the last round failed: Redis is away and requests past their lease take the fallback. */
    public boolean redisDown() {
        return redisDown;
    }

    /** What requests past their lease get while Redis is away. */
    public ClusterConfig.OnRedisDown onRedisDown() {
        return config.onRedisDown();
    }

    /**
     * Runs a first round (bounded by the round timeout, so a Redis that is away at start only means starting on
     * the fallback), then starts the agent's thread.
     */
    public synchronized void start() {
        if (running) {
            return;
        }
        // A cold JVM's first round (Lettuce's set-up, the connection, the script sent whole) may take longer than
        // a round's timeout on a busy machine; it is given a few seconds rather than logged as Redis away.
        syncOnce(roundTimeout.compareTo(FIRST_ROUND_TIMEOUT) > 0 ? roundTimeout : FIRST_ROUND_TIMEOUT);
        running = true;
        Thread t = new Thread(this::run, "gozargah-cluster");
        t.setDaemon(true);
        thread = t;
        t.start();
        log.info("cluster: node {} syncing with Redis at {} every {} ms (leaseSize {}, maxUnspentLease {},"
                        + " onRedisDown {}){}", config.nodeId(), redis.description(), config.syncInterval().toMillis(),
                config.autoLease() ? "auto" : config.leaseSize(), config.maxUnspentLease(),
                config.onRedisDown().text(), redisDown ? "; Redis is away: deciding locally" : "");
    }

    private void run() {
        long interval = config.syncInterval().toNanos();
        long next = nanoClock.getAsLong() + interval;
        while (running) {
            long wait = next - nanoClock.getAsLong();
            // After a failed round, wakes wait for the next interval: Redis is away, and asking again at once
            // would only spin.
            boolean woken = wakePending.get() && !redisDown;
            if (wait > 0 && !woken && giveBackRequested == null) {
                LockSupport.parkNanos(this, wait);
                continue;
            }
            wakePending.set(false);
            CompletableFuture<Void> giveBack = giveBackRequested;
            if (giveBack != null) {
                draining = true;
                syncOnce();
                giveBackRequested = null;
                giveBack.complete(null);
            } else {
                syncOnce();
            }
            next = nanoClock.getAsLong() + interval;
        }
    }

    /** Asks for a round now (a lease fell to its low-water mark, a plan changed). Cheap when one is pending. */
    void wake() {
        if (!wakePending.get() && wakePending.compareAndSet(false, true)) {
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    private long currentDay() {
        return calendar.dayIndex(epochMillis.getAsLong());
    }

    /** One entry of a round: a lease and what was sent for it. */
    private record Pending(GrantLease lease, BillingPeriod period, long giveDay, long giveMonth, long addDay,
                           long addMonth, long want, double demand, long target, long sentNanos,
                           CompletableFuture<LeaseSync.Result> result) {
    }

    /**
     * Calls a round stopped waiting for: Redis may still run them (a lease taken, usage written back), so their
     * answers are applied when they come, at the start of a later round, and their leases get no other call
     * meanwhile (which could write the same usage back twice). Touched by the agent's thread only.
     */
    private final List<Pending> overdue = new ArrayList<>();
    private final Set<GrantLease> awaited = new HashSet<>();
    /** How long an overdue call is waited for: past it, Redis has surely dropped or answered it. */
    private static final long OVERDUE_NANOS = Duration.ofSeconds(60).toNanos();
    private static final Duration FIRST_ROUND_TIMEOUT = Duration.ofSeconds(5);

    /**
     * One sync round: for each lease with something to do, one script run, all in flight together, awaited for at
     * most the round timeout. Returns whether Redis answered them all. Called by the agent's thread (and by tests,
     * step by step, instead of it: never both, the round's bookkeeping is the agent's alone).
     */
    public boolean syncOnce() {
        return syncOnce(roundTimeout);
    }

    /** {@link #syncOnce()} waiting at most {@code timeout} for Redis (tests on a busy machine give it longer). */
    public boolean syncOnce(Duration timeout) {
        long startNanos = nanoClock.getAsLong();
        BillingPeriod p = calendar.periodAt(epochMillis.getAsLong());
        RedisClusterAsyncCommands<String, String> commands;
        try {
            commands = redis.commands();
        } catch (RuntimeException e) {
            failed(e);
            return false;
        }
        settleOverdue(startNanos);
        List<Pending> pending = new ArrayList<>();
        List<GrantLease> all = new ArrayList<>(grants.values());
        all.addAll(consumers.values());
        for (GrantLease lease : all) {
            if (awaited.contains(lease)) {
                continue;
            }
            Pending call = prepare(lease, p, startNanos, commands);
            if (call != null) {
                pending.add(call);
            }
        }
        boolean ok = true;
        Throwable failure = null;
        long deadline = startNanos + timeout.toNanos();
        if (pending.isEmpty()) {
            // Nothing to sync: a PING still tells whether Redis is there (for the fallback, the metric, the log).
            try {
                commands.ping().toCompletableFuture().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
                ok = false;
                failure = e.getCause() == null ? e : e.getCause();
            }
        }
        int maxNodes = 1;
        for (Pending call : pending) {
            LeaseSync.Result r;
            try {
                r = call.result().get(Math.max(1, deadline - nanoClock.getAsLong()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (TimeoutException e) {
                ok = false;
                failure = e;
                overdue.add(call);
                awaited.add(call.lease());
                continue;
            } catch (java.util.concurrent.ExecutionException e) {
                ok = false;
                failure = e.getCause() == null ? e : e.getCause();
                continue;
            }
            apply(call, r, call.period());
            maxNodes = Math.max(maxNodes, r.nodes());
        }
        rounds.incrementAndGet();
        lastRoundSeconds = (nanoClock.getAsLong() - startNanos) / 1e9;
        if (!ok) {
            failed(failure);
            return false;
        }
        nodes = maxNodes;
        if (redisDown) {
            redisDown = false;
            log.info("cluster: Redis at {} answers again; requests admitted meanwhile without a lease are written"
                    + " back ({} so far)", redis.description(), writtenBack.get());
        }
        return true;
    }

    /** Applies the overdue calls that have been answered meanwhile; drops those that failed or are too old. */
    private void settleOverdue(long nowNanos) {
        for (var it = overdue.iterator(); it.hasNext(); ) {
            Pending call = it.next();
            CompletableFuture<LeaseSync.Result> f = call.result();
            if (f.isDone()) {
                if (!f.isCompletedExceptionally() && !f.isCancelled()) {
                    apply(call, f.join(), call.period());
                }
            } else if (nowNanos - call.sentNanos() < OVERDUE_NANOS) {
                continue;
            }
            it.remove();
            awaited.remove(call.lease());
        }
    }

    private void failed(Throwable e) {
        failedRounds.incrementAndGet();
        if (!redisDown) {
            redisDown = true;
            log.warn("cluster: Redis at {} is away ({}): admission decides locally, on the leases held and then {}",
                    redis.description(), e == null ? "no answer" : e.toString(),
                    config.onRedisDown() == ClusterConfig.OnRedisDown.LOCAL_SHARE
                            ? "on this node's share of what was left (local-share)" : "refusing (refuse)");
        }
    }

    private Pending prepare(GrantLease lease, BillingPeriod p, long nowNanos,
                            RedisClusterAsyncCommands<String, String> commands) {
        long day = p.dayIndex();
        long month = p.monthIndex();
        // Demand: requests per second since the last round, smoothed.
        LongSupplier attempts = lease.attempts;
        long count = attempts == null ? 0 : attempts.getAsLong();
        if (lease.lastAttempts >= 0 && nowNanos - lease.lastSampleNanos > 0) {
            double sample = Math.max(0, count - lease.lastAttempts) / ((nowNanos - lease.lastSampleNanos) / 1e9);
            lease.demand = lease.published || lease.demand > 0 ? 0.5 * lease.demand + 0.5 * sample : sample;
        }
        lease.lastAttempts = count;
        lease.lastSampleNanos = nowNanos;
        if (lease.demand < 1e-3) {
            lease.demand = 0;
        }

        long giveDay = 0;
        long giveMonth = 0;
        boolean keep = lease.inConfig && !draining;
        if (!keep || lease.giveBack) {
            long w = lease.drain();
            long tokens = GrantLease.count(w);
            if (GrantLease.period(w) == day) {
                giveDay = tokens;
            }
            if (GrantLease.period(w) == day || lease.leaseMonth == month) {
                giveMonth = tokens;
            }
            lease.giveBack = false;
        } else {
            long w = lease.drainStale(day);
            if (w != 0 && lease.leaseMonth == month) {
                giveMonth = GrantLease.count(w);
            }
        }
        long uDay = lease.unleasedDay();
        long uMonth = lease.unleasedMonth();
        long addDay = GrantLease.period(uDay) == day ? GrantLease.count(uDay) : 0;
        long addMonth = GrantLease.period(uMonth) == month ? GrantLease.count(uMonth) : 0;

        long want = 0;
        long target = 0;
        if (keep && lease.hasQuota()) {
            target = config.autoLease()
                    ? Math.min(config.maxUnspentLease(),
                            Math.max(MIN_AUTO_LEASE, (long) Math.ceil(lease.demand * AUTO_LEASE_SECONDS)))
                    : config.leaseSize();
            long tokens = lease.tokens(day);
            if (tokens <= target / 2) {
                want = Math.min(target, config.maxUnspentLease()) - tokens;
            }
        }
        boolean limited = lease.hasQuota() || lease.rate > 0;
        boolean publish = keep && limited && (lease.demand > 0 || lease.published);
        if (!publish && want <= 0 && giveDay == 0 && giveMonth == 0 && addDay == 0 && addMonth == 0) {
            return null;
        }
        String[] keys = {ClusterKeys.day(lease.tag, day), ClusterKeys.month(lease.tag, month),
                ClusterKeys.demand(lease.tag)};
        String[] args = {config.nodeId(), Long.toString(lease.quotaDay), Long.toString(lease.quotaMonth),
                Long.toString(p.dayEndMillis() + 3_600_000), Long.toString(p.monthEndMillis() + 3_600_000),
                Long.toString(giveDay), Long.toString(giveMonth), Long.toString(addDay), Long.toString(addMonth),
                Long.toString(Math.max(0, want)), publish ? String.format(Locale.ROOT, "%.3f", lease.demand) : "",
                Long.toString(config.nodeTimeout().toMillis())};
        CompletableFuture<LeaseSync.Result> result = LeaseSync.run(commands, new LeaseSync.Call(keys, args))
                .toCompletableFuture();
        lease.published = publish && lease.demand > 0;
        return new Pending(lease, p, giveDay, giveMonth, addDay, addMonth, Math.max(0, want),
                publish ? lease.demand : 0, target, nowNanos, result);
    }

    private void apply(Pending call, LeaseSync.Result r, BillingPeriod p) {
        GrantLease lease = call.lease();
        long day = p.dayIndex();
        long month = p.monthIndex();
        if (day == currentDay()) { // a late answer of a day that has ended leases nothing
            // Even an empty answer makes the lease today's, so that a spent lease does not look like a new day's.
            lease.add(day, month, r.taken());
            if (r.taken() > 0) {
                leasesTaken.incrementAndGet();
                leaseTokens.addAndGet(r.taken());
            }
        }
        if (call.addDay() > 0 || call.addMonth() > 0) {
            lease.written(true, day, call.addDay());
            lease.written(false, month, call.addMonth());
            writtenBack.addAndGet(Math.max(call.addDay(), call.addMonth()));
        }
        lease.usedDay = GrantLease.pack(day, r.dayUsed());
        lease.usedMonth = GrantLease.pack(month, r.monthUsed());
        lease.syncedDay = day;
        if (call.target() > 0) {
            lease.lowWater = call.target() / 2;
        }
        double share = share(call.demand(), r.totalDemand(), r.nodes());
        if (lease.rate > 0) {
            lease.terms = RateTerms.of(lease.rate, lease.burst, share);
        }
        if (lease.hasQuota()) {
            long left = Long.MAX_VALUE;
            if (lease.quotaDay > 0) {
                left = Math.min(left, lease.quotaDay - r.dayUsed());
            }
            if (lease.quotaMonth > 0) {
                left = Math.min(left, lease.quotaMonth - r.monthUsed());
            }
            lease.fallbackAllowance(day, Math.max(0, Math.min(config.maxUnspentLease(), (long) (left * share))));
        }
    }

    /**
     * This node's share: its demand over all live nodes' demand, each weighted up by a floor of
     * {@value #SHARE_FLOOR} of the total over the nodes. Alone (or without any demand reported), an equal part.
     */
    static double share(double mine, double total, int nodes) {
        if (nodes <= 1) {
            return 1;
        }
        if (total <= 0) {
            return 1.0 / nodes;
        }
        double floor = total * SHARE_FLOOR / nodes;
        return Math.min(1, (mine + floor) / (total + nodes * floor));
    }

    /**
     * Gives every lease back (a drain has finished: this node admits no more), on the agent's thread; the future
     * completes when the round is done or failed. Leases are not taken again after this.
     */
    public CompletableFuture<Void> giveBack() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!running) {
            draining = true;
            syncOnce(FIRST_ROUND_TIMEOUT);
            done.complete(null);
            return done;
        }
        giveBackRequested = done;
        LockSupport.unpark(thread);
        return done;
    }

    /** Requests admitted without a lease (Redis away) and written back since start. */
    public long writtenBack() {
        return writtenBack.get();
    }

    public long leasesTaken() {
        return leasesTaken.get();
    }

    public long leaseTokens() {
        return leaseTokens.get();
    }

    public long rounds() {
        return rounds.get();
    }

    public long failedRounds() {
        return failedRounds.get();
    }

    public double lastRoundSeconds() {
        return lastRoundSeconds;
    }

    /** Live nodes seen by the last round (the most over its grants). */
    public int nodes() {
        return nodes;
    }

    /** The lease of grant {@code name}, or null (tests, {@code stat}). */
    public GrantLease lease(String name) {
        return grants.get(name);
    }

    /** The consumer share of {@code name}, or null. */
    public GrantLease consumerLease(String name) {
        return consumers.get(name);
    }

    /** Gives the leases back (when Redis answers within the round timeout), stops the thread, closes Redis. */
    @Override
    public void close() {
        try {
            giveBack().get(roundTimeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.warn("cluster: leases not given back at shutdown: {}", e.toString());
        }
        running = false;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(roundTimeout.toMillis() * 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        redis.close();
    }
}
