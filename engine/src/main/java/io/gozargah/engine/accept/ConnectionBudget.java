package io.gozargah.engine.accept;

import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.config.ProviderConfig;

/**
 * The consumer connection caps a gateway takes when its config leaves them out, derived at start from what the
 * process has.
 *
 * <p>Descriptors: from the limit (RLIMIT_NOFILE) come, first, those open at start (class path, journal, counters
 * file, event loops), a fixed {@link #FIXED_RESERVE} for what opens later, the admin listener's connections and
 * the two spare descriptors; then room for the upstream connections the providers' pools may open (at most half
 * of what is left: every consumer connection may have one upstream connection in flight); consumer connections
 * get the rest. So an attacker holding connections can run the consumer side out of connections, but never the
 * process out of descriptors: the admin listener, the journal and the pools keep theirs.
 *
 * <p>Heap: {@link #HEAP_BYTES_PER_CONNECTION} per connection, about four times what an idle connection holds
 * (bench/README.md, "Heap per held connection"), which leaves three quarters of the heap for the exchanges those
 * connections carry. The
 * descriptor limit a systemd unit gives (1,048,576) would otherwise allow more connections than a 512 MiB heap
 * holds, and running out of heap exits the process.
 *
 * <p>Per address: {@link #PER_ADDRESS}, or a quarter of the total when that is less. At the national peak (a
 * few thousand inquiries a second over all consumers, a typical inquiry answered in a few hundred
 * milliseconds) even the busiest organisation, all its servers behind one NAT address, has a few hundred
 * exchanges in flight: one connection each over HTTP/1.1, a hundred per connection over HTTP/2. 1024 leaves
 * room for that and for client pools that keep idle connections, while it takes 32 addresses to fill the
 * default total of a 512 MiB heap.
 *
 * @param descriptorLimit the process's descriptor limit, or -1 when unknown
 * @param openAtStart     descriptors open when the gateway started
 * @param reserved        descriptors kept for everything but consumer and upstream connections
 * @param upstreamRoom    descriptors kept for upstream connections
 * @param maxHeapBytes    the heap's maximum size
 */
public record ConnectionBudget(long descriptorLimit, long openAtStart, long reserved, long upstreamRoom,
                               long maxHeapBytes) {
    /** For what opens after start: journal cycle files, certificates and config read on reload, the JVM's own. */
    static final int FIXED_RESERVE = 256;
    /** The consumer listeners' spare and the admin listener's. */
    static final int SPARES = 2;
    static final long HEAP_BYTES_PER_CONNECTION = 16 * 1024;
    static final int PER_ADDRESS = 1024;
    /** Below this the gateway serves next to nothing; a limit that leaves less is reported, not obeyed. */
    static final int MIN_CONNECTIONS = 16;

    /** The budget of this process for {@code config} with {@code eventLoops} loops, measured now. */
    public static ConnectionBudget measure(GatewayConfig config, int eventLoops) {
        long upstream = 0;
        for (ProviderConfig p : config.providers().values()) {
            upstream += (long) p.endpoints().size() * p.maxConnectionsPerLoop() * eventLoops;
        }
        int admin = config.admin() == null ? 0 : config.admin().maxConnections();
        return of(Descriptors.limit(), Descriptors.open(), admin, upstream, Runtime.getRuntime().maxMemory());
    }

    /**
     * @param upstreamConnections most upstream connections the pools may open (endpoints x per-loop cap x loops)
     */
    static ConnectionBudget of(long descriptorLimit, long openAtStart, int adminConnections, long upstreamConnections,
                               long maxHeapBytes) {
        long reserved = Math.max(0, openAtStart) + FIXED_RESERVE + adminConnections + SPARES;
        long left = Math.max(0, descriptorLimit - reserved);
        return new ConnectionBudget(descriptorLimit, openAtStart, reserved, Math.min(upstreamConnections, left / 2),
                maxHeapBytes);
    }

    /** Consumer connections the descriptors leave room for; {@code Long.MAX_VALUE} when the limit is unknown. */
    public long byDescriptors() {
        return descriptorLimit < 0 ? Long.MAX_VALUE : Math.max(0, descriptorLimit - reserved - upstreamRoom);
    }

    /** Consumer connections the heap leaves room for. */
    public long byHeap() {
        return maxHeapBytes / HEAP_BYTES_PER_CONNECTION;
    }

    /** server.maxConnections when the config leaves it out. */
    public int defaultMaxConnections() {
        return (int) Math.max(MIN_CONNECTIONS, Math.min(Integer.MAX_VALUE, Math.min(byDescriptors(), byHeap())));
    }

    /** server.maxConnectionsPerAddress when the config leaves it out, for a total of {@code maxConnections}. */
    public static int defaultPerAddress(int maxConnections) {
        return Math.max(1, Math.min(PER_ADDRESS, maxConnections / 4));
    }

    /** What bounds the default, for the start-up log line. */
    public String basis() {
        String heap = "a " + (maxHeapBytes >> 20) + " MiB heap";
        if (descriptorLimit < 0) {
            return "from " + heap;
        }
        return "from a descriptor limit of " + descriptorLimit + " (" + reserved + " kept for the process and the"
                + " admin listener, " + upstreamRoom + " for upstream connections) and " + heap;
    }
}
