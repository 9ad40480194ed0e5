package io.gozargah.engine.server;

import io.gozargah.codec.http1.Http1Limits;
import io.gozargah.engine.admission.NanoClock;
import io.gozargah.engine.deadline.DeadlineWheel;
import io.gozargah.engine.exchange.EpochClock;
import io.gozargah.engine.exchange.TransactionIds;
import io.gozargah.engine.upstream.UpstreamPools;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.TimeUnit;

/**
 * State owned by one event loop and used only from it: its upstream pools, its transaction id generator,
 * its clock and the wheel that holds the deadlines of all its exchanges and connections, scratch space for
 * hashing API keys, and what stages keep per loop. Nothing here is locked because nothing here is shared.
 */
public final class LoopResources {
    /** Longest X-Api-Key value considered; longer ones cannot be ours and are refused unhashed. */
    public static final int MAX_API_KEY_BYTES = 256;

    private final EventLoop eventLoop;
    private final NanoClock clock;
    private final DeadlineWheel deadlines;
    private final UpstreamPools pools;
    private final TransactionIds transactionIds = new TransactionIds();
    private final EpochClock epochClock = new EpochClock();
    private final MessageDigest sha256;
    private final byte[] keyScratch = new byte[MAX_API_KEY_BYTES];
    private final byte[] digestScratch = new byte[32];
    private final byte[] copyScratch = new byte[COPY_SCRATCH_BYTES];
    /** For the journal stage: its per-loop state (the loop's refusal summary counts), made on first use. */
    private Object journalState;

    /** Bytes copied at a time from a direct buffer into {@link #copyScratch()}. */
    private static final int COPY_SCRATCH_BYTES = 8192;

    /**
     * Resources for {@code loop}, whose deadline wheel one periodic task of the loop advances from now on.
     *
     * @param upstreamChannels makes the loop's upstream channels
     * @param clock            the clock of every deadline and duration the loop's exchanges measure
     */
    LoopResources(EventLoop loop, ChannelFactory<? extends Channel> upstreamChannels, Http1Limits responseLimits,
                  WriteBufferWaterMark waterMark, NanoClock clock) {
        this.eventLoop = loop;
        this.clock = clock;
        this.deadlines = new DeadlineWheel(clock);
        this.pools = new UpstreamPools(loop, upstreamChannels, responseLimits, waterMark, clock);
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        long tick = deadlines.tickNanos();
        loop.scheduleAtFixedRate(deadlines::tick, tick, tick, TimeUnit.NANOSECONDS);
    }

    /** The event loop these resources belong to: where a stage schedules its per-loop work. */
    public EventLoop eventLoop() {
        return eventLoop;
    }

    /** The clock of the loop's exchanges and connections (System.nanoTime but in tests). */
    public NanoClock clock() {
        return clock;
    }

    /** The deadlines of every exchange and connection of the loop. */
    public DeadlineWheel deadlines() {
        return deadlines;
    }

    public UpstreamPools pools() {
        return pools;
    }

    public TransactionIds transactionIds() {
        return transactionIds;
    }

    public EpochClock epochClock() {
        return epochClock;
    }

    public MessageDigest sha256() {
        return sha256;
    }

    public byte[] keyScratch() {
        return keyScratch;
    }

    public byte[] digestScratch() {
        return digestScratch;
    }

    /** Room to copy body bytes out of a direct buffer for an API that takes arrays (the journal's body hashes). */
    public byte[] copyScratch() {
        return copyScratch;
    }

    /** The journal stage's state for this loop, or null before its first use. */
    public Object journalState() {
        return journalState;
    }

    public void journalState(Object state) {
        this.journalState = state;
    }
}
