package io.gozargah.engine.accept;

import io.gozargah.engine.config.ListenerConfig;
import io.gozargah.engine.config.ServerConfig;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The consumer listeners' connection limits: server.maxConnections over all of them, each listener's own
 * maxConnections, server.maxConnectionsPerAddress, and the spare descriptor. One {@link AcceptGate} per
 * listener enforces them on the accept loop; connections are counted down on their own event loops as they
 * close. Not reloadable: a gateway keeps the limits it started with.
 */
public final class ConnectionLimits implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConnectionLimits.class);

    private final ConnectionCap total;
    private final AddressCounts addresses;
    private final int maxConnectionsPerAddress;
    private final SpareDescriptor spare;
    private final EventLoop acceptLoop;
    private final List<AcceptGate> gates = new CopyOnWriteArrayList<>();
    private final Runnable refresh = this::refresh;
    private volatile SpareDescriptor adminSpare;

    private ConnectionLimits(int maxConnections, int maxConnectionsPerAddress, SpareDescriptor spare,
                             EventLoop acceptLoop) {
        this.total = new ConnectionCap(maxConnections);
        this.maxConnectionsPerAddress = maxConnectionsPerAddress;
        this.addresses = new AddressCounts(maxConnectionsPerAddress);
        this.spare = spare;
        this.acceptLoop = acceptLoop;
    }

    /**
     * The limits of {@code server}, those it leaves out taken from {@code budget}, enforced on {@code acceptLoop}
     * (the loop of every consumer listener's server channel). Says at start what they are and where they come
     * from, and warns when a configured cap is more than the descriptors leave room for.
     */
    public static ConnectionLimits start(ServerConfig server, ConnectionBudget budget, EventLoop acceptLoop) {
        int max = server.maxConnections() > 0 ? server.maxConnections() : budget.defaultMaxConnections();
        int perAddress = server.maxConnectionsPerAddress() > 0 ? server.maxConnectionsPerAddress()
                : ConnectionBudget.defaultPerAddress(max);
        log.info("consumer connections: at most {} ({}), {} per client address ({})", max,
                server.maxConnections() > 0 ? "server.maxConnections" : budget.basis(), perAddress,
                server.maxConnectionsPerAddress() > 0 ? "server.maxConnectionsPerAddress"
                        : "the default, or a quarter of the total when less");
        if (max > budget.byDescriptors()) {
            log.warn("{} consumer connections may run the process out of file descriptors: {} leaves room for"
                    + " {} besides the process's own and upstream connections; raise the limit (LimitNOFILE,"
                    + " ulimit -n){}", max, budget.descriptorLimit() < 0 ? "the limit" : "a limit of "
                    + budget.descriptorLimit(), budget.byDescriptors(), server.maxConnections() > 0
                    ? " or lower server.maxConnections" : "");
        }
        SpareDescriptor spare = SpareDescriptor.open();
        if (!spare.held()) {
            log.warn("no spare file descriptor could be opened: the process is already out of them");
        }
        return new ConnectionLimits(max, perAddress, spare, acceptLoop);
    }

    /** The handler to put first on {@code listener}'s server channel (ServerBootstrap.handler). */
    public ChannelHandler gate(ListenerConfig listener) {
        AcceptGate gate = new AcceptGate(this, listener.name(),
                listener.maxConnections() > 0 ? new ConnectionCap(listener.maxConnections()) : null);
        gates.add(gate);
        return gate;
    }

    ConnectionCap total() {
        return total;
    }

    AddressCounts addresses() {
        return addresses;
    }

    int maxConnectionsPerAddress() {
        return maxConnectionsPerAddress;
    }

    SpareDescriptor spare() {
        return spare;
    }

    /**
     * Shares the reserve with the admin listener's spare: while it is given up, the consumer listeners take no
     * connection, so that the descriptor it freed goes to the admin connection it was given up for rather than to
     * the next attacker in the backlog. Null: the admin listener is gone.
     */
    public void shareReserveWith(SpareDescriptor admin) {
        this.adminSpare = admin;
    }

    /** On the accept loop: whether a new connection may have a descriptor (both spares held, or held again now). */
    boolean reserveHeld() {
        SpareDescriptor admin = adminSpare;
        return spare.tryAcquire() && (admin == null || admin.held());
    }

    /** On the connection's event loop, when an admitted connection closes. */
    void closed(InetAddress address, AtomicInteger perAddress, ConnectionCap listenerCap) {
        if (perAddress != null) {
            addresses.release(address, perAddress);
        }
        boolean reopened = total.release();
        if (listenerCap != null) {
            reopened |= listenerCap.release();
        }
        released(reopened);
    }

    /** After a cap's release: when it reopened, the accept loop resumes the listeners it had stopped. */
    void released(boolean reopened) {
        if (reopened) {
            try {
                acceptLoop.execute(refresh);
            } catch (RejectedExecutionException stopping) {
                // the gateway is stopping: there is nothing to resume
            }
        }
    }

    /** On the accept loop: every listener accepts or not as its caps now say. */
    void refresh() {
        for (AcceptGate gate : gates) {
            gate.update();
        }
    }

    /** The limits and what the gates have done (any thread). */
    public AcceptStats stats() {
        List<ListenerAcceptStats> listeners = new ArrayList<>(gates.size());
        for (AcceptGate gate : gates) {
            listeners.add(gate.stats());
        }
        return new AcceptStats(total.max(), maxConnectionsPerAddress, total.open(), addresses.size(),
                List.copyOf(listeners));
    }

    /** Gives the spare descriptor back; once the accept loop has stopped. */
    @Override
    public void close() {
        spare.close();
    }
}
