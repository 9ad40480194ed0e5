package io.gozargah.engine.journal;

import io.gozargah.codec.journal.MethodCode;
import io.gozargah.codec.journal.SummaryReason;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import io.gozargah.engine.cache.CacheResult;
import io.gozargah.engine.exchange.Exchange;
import io.gozargah.engine.exchange.ExchangeStage;
import io.gozargah.engine.exchange.Outcome;
import io.gozargah.engine.route.Consumer;
import io.gozargah.engine.route.ServiceRoute;
import io.gozargah.engine.server.LoopResources;
import io.gozargah.engine.upstream.UpstreamEndpoint;
import io.netty.buffer.ByteBuf;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The journal's {@link ExchangeStage}: refuses new work when the journal cannot take it (fail closed), hashes
 * bodies for services that ask for it, and writes one {@link TransactionRecordFlyweight} per exchange straight
 * into the {@link JournalRing} when it completes, before the answer's last byte is flushed.
 *
 * <p>Fields of the record: start time and transaction id as the front end set them; total duration = end -
 * start; upstream duration = from handing the request to the upstream connection until the provider's response
 * head arrived (its time to answer, not the client's time to read the body), or until the exchange ended when
 * no head arrived (timeout, failure), or -1 when it never went upstream; request and response bytes are body
 * bytes (after de-chunking); status is what the consumer was answered (0: nothing); dictionary ids are 0 for
 * "none"; attempts is how many times the request was sent upstream (0: never; each retry, and each resend on a fresh
 * connection after a reused one turned out closed, adds one); the
 * subject hash is the exchange's, when its service's extractor found one ({@link Exchange#hasSubject()}); the cache
 * result is the code of {@link Exchange#cacheResult()}, 0 when the exchange has none.
 *
 * <p>Per-exchange state (body digests, the flyweight, the client address rendered once) lives in
 * {@link Exchange#journalState()}: one object per connection, reused by every exchange on it, so the hot path
 * allocates nothing per request. Digests cannot be per event loop: exchanges of different connections on one
 * loop stream their bodies interleaved.
 *
 * <h2>Summaries instead of records</h2>
 * An exchange admission did not book a slot for (a refusal, a bad request, an abort) is counted into its event
 * loop's {@link RefusalSummaryTable} instead of getting a record of its own when someone asked for that
 * ({@link Exchange#summarize}) or when the ring has no room left for such records ({@link JournalRing}): it is
 * answered either way, and the loop writes its counts into the ring as summary records every
 * {@code journal.summaryInterval}, when the ring has room for them, and at close. Only an admitted exchange
 * whose booked slot cannot be claimed, which the ring's rules exclude, would go unanswered
 * ({@link Exchange#withhold()}).
 */
public final class JournalStage implements ExchangeStage {
    static final String DETAIL_FULL = "the transaction journal has no room for more requests; try again shortly";
    static final String DETAIL_FAILED = "the transaction journal cannot be written; requests are refused until it is";
    static final String DETAIL_SPACE = "the transaction journal's disk is nearly full; requests are refused until it has"
            + " room again";

    private final JournalRing ring;
    private final JournalCounters counters;
    private final JournalWriterAgent writer;
    private final long summaryIntervalNanos;
    private final int summaryKeys;
    /** Every loop's table, for the flush at close (added once per loop, when it first summarizes). */
    private final List<RefusalSummaryTable> tables = new CopyOnWriteArrayList<>();
    /**
     * The table of exchanges completed without an event loop (stages driven directly, in tests and embedding):
     * flushed when one completes after the interval, and at close.
     */
    private final RefusalSummaryTable detached;
    private long detachedFlushedNanos = System.nanoTime();

    JournalStage(JournalRing ring, JournalCounters counters, JournalWriterAgent writer, long summaryIntervalNanos,
                 int summaryKeys) {
        this.ring = ring;
        this.counters = counters;
        this.writer = writer;
        this.summaryIntervalNanos = summaryIntervalNanos;
        this.summaryKeys = summaryKeys;
        this.detached = new RefusalSummaryTable(summaryKeys);
        tables.add(detached);
    }

    /** What the stage keeps per exchange instance (per connection), reused across its exchanges. */
    static final class State {
        final TransactionRecordFlyweight record = new TransactionRecordFlyweight();
        final byte[] sha = new byte[TransactionRecordFlyweight.SHA256_LENGTH];
        MessageDigest requestDigest;
        MessageDigest responseDigest;
        boolean booked;
        boolean hashing;
        InetSocketAddress address;
        byte[] addressBytes;
        int port;
        /** The address as a summary table keys it: 16 stored bytes as two big-endian longs, and whether IPv6. */
        long addressHigh;
        long addressLow;
        boolean addressIpv6;

        void startHashing() {
            if (requestDigest == null) {
                requestDigest = sha256();
                responseDigest = sha256();
            } else {
                requestDigest.reset();
                responseDigest.reset();
            }
            hashing = true;
        }
    }

    private static State state(Exchange x) {
        Object s = x.journalState();
        if (s == null) {
            s = new State();
            x.journalState(s);
        }
        return (State) s;
    }

    @Override
    public Outcome admit(Exchange x) {
        if (!writer.appending()) {
            counters.refusals.increment();
            x.refusalDetail(DETAIL_FAILED);
            x.retryAfterSeconds(1);
            return Outcome.JOURNAL_UNAVAILABLE;
        }
        if (counters.spaceLow()) {
            counters.refusals.increment();
            x.refusalDetail(DETAIL_SPACE);
            x.retryAfterSeconds(1);
            return Outcome.JOURNAL_UNAVAILABLE;
        }
        if (!ring.reserve()) {
            counters.refusals.increment();
            x.refusalDetail(DETAIL_FULL);
            x.retryAfterSeconds(1);
            return Outcome.JOURNAL_UNAVAILABLE;
        }
        State s = state(x);
        s.booked = true;
        ServiceRoute service = x.service();
        if (service != null && service.journalBodyHashes()) {
            s.startHashing();
        }
        return null;
    }

    @Override
    public void requestContent(Exchange x, ByteBuf buf, int index, int length) {
        State s = (State) x.journalState();
        if (s != null && s.hashing) {
            update(s.requestDigest, buf, index, length, x.loop().copyScratch());
        }
    }

    @Override
    public void responseContent(Exchange x, ByteBuf buf, int index, int length) {
        State s = (State) x.journalState();
        if (s != null && s.hashing) {
            update(s.responseDigest, buf, index, length, x.loop().copyScratch());
        }
    }

    private static void update(MessageDigest digest, ByteBuf buf, int index, int length, byte[] scratch) {
        if (buf.hasArray()) {
            digest.update(buf.array(), buf.arrayOffset() + index, length);
            return;
        }
        for (int done = 0; done < length; ) {
            int n = Math.min(scratch.length, length - done);
            buf.getBytes(index + done, scratch, 0, n);
            digest.update(scratch, 0, n);
            done += n;
        }
    }

    @Override
    public void complete(Exchange x) {
        State s = state(x);
        boolean booked = s.booked;
        boolean hashes = s.hashing;
        s.booked = false;
        s.hashing = false;
        if (!booked && x.summaryReason() != SummaryReason.UNKNOWN) {
            summarize(x, s, x.summaryReason());
            return;
        }
        int length = TransactionRecordFlyweight.length(hashes);
        int index = ring.claim(length, booked);
        if (index < 0) {
            if (booked) {
                ring.release();
                counters.unrecorded.increment();
                x.withhold();
            } else {
                summarize(x, s, SummaryReason.JOURNAL_BACKLOG);
            }
            return;
        }
        TransactionRecordFlyweight r = s.record.wrapForWrite(ring.buffer(), index, hashes);
        long upstreamStart = x.upstreamStartNanos();
        long upstreamEnd = x.responseHeadNanos() != 0 ? x.responseHeadNanos() : x.endNanos();
        Consumer consumer = x.consumer();
        ServiceRoute service = x.service();
        UpstreamEndpoint endpoint = x.endpoint();
        Outcome outcome = x.outcome();
        r.outcomeCode(outcome == null ? OutcomeCode.UNKNOWN : OutcomeCode.of(outcome))
                .httpStatus(x.status())
                .methodCode(MethodCode.of(x.method()))
                .consumerId(consumer == null ? 0 : consumer.journalId())
                .serviceId(service == null ? 0 : service.journalId())
                .endpointId(endpoint == null ? 0 : endpoint.journalId())
                .txId(x.txMsb(), x.txLsb())
                .startEpochNanos(x.startEpochNanos())
                .totalDurationNanos(x.endNanos() - x.startNanos())
                .upstreamDurationNanos(upstreamStart == 0 ? -1 : upstreamEnd - upstreamStart)
                .requestBytes(x.requestBodyBytes())
                .responseBytes(x.responseBodyBytes())
                .attempts(Math.min(x.attempts(), 255));
        if (x.hasSubject()) {
            r.subjectHash(x.subjectHashHigh(), x.subjectHashLow());
        }
        CacheResult cacheResult = x.cacheResult();
        if (cacheResult != null) {
            r.cacheResult(cacheResult.code());
        }
        clientAddress(s, x.clientAddress(), r);
        if (hashes) {
            r.requestBodySha256(digest(s.requestDigest, s.sha));
            r.responseBodySha256(digest(s.responseDigest, s.sha));
        }
        ring.commit(index);
        if (booked) {
            ring.release();
        }
        counters.recordsClaimed.increment();
    }

    /** Counts the exchange into its loop's summary table: it is answered, and journaled as part of a count. */
    private void summarize(Exchange x, State s, int reason) {
        cacheAddress(s, x.clientAddress());
        Consumer consumer = x.consumer();
        ServiceRoute service = x.service();
        Outcome outcome = x.outcome();
        RefusalSummaryTable table = table(x);
        table.count(reason, outcome == null ? OutcomeCode.UNKNOWN : OutcomeCode.of(outcome), x.status(),
                consumer == null ? 0 : consumer.journalId(), service == null ? 0 : service.journalId(),
                s.addressHigh, s.addressLow, s.addressIpv6, x.txMsb(), x.txLsb(), x.startEpochNanos());
        counters.summarized.increment();
        if (table == detached && x.endNanos() - detachedFlushedNanos >= summaryIntervalNanos) {
            detachedFlushedNanos = x.endNanos();
            flush(detached);
        }
    }

    /**
     * The summary table of the exchange's event loop, made on the loop's first summary along with the task that
     * flushes it every interval.
     */
    private RefusalSummaryTable table(Exchange x) {
        LoopResources loop = x.loop();
        if (loop == null) {
            return detached;
        }
        RefusalSummaryTable table = (RefusalSummaryTable) loop.journalState();
        if (table == null) {
            RefusalSummaryTable made = new RefusalSummaryTable(summaryKeys);
            loop.journalState(made);
            tables.add(made);
            loop.eventLoop().scheduleWithFixedDelay(() -> flush(made), summaryIntervalNanos, summaryIntervalNanos,
                    TimeUnit.NANOSECONDS);
            table = made;
        }
        return table;
    }

    /** One loop's flush: as many of its counts as the ring has room for, without touching booked slots. */
    private void flush(RefusalSummaryTable table) {
        int written = table.flush(ring, JournalRing.Room.SUMMARY);
        if (written > 0) {
            counters.summaryRecords.add(written);
        }
    }

    /**
     * At close, once no event loop runs: every table's counts into the ring, which may now use any free byte.
     *
     * @return the exchanges still counted that found no room (0 when everything was written)
     */
    long flushAtClose() {
        long left = 0;
        for (RefusalSummaryTable table : tables) {
            counters.summaryRecords.add(table.flush(ring, JournalRing.Room.CLOSING));
            left += table.pending();
        }
        return left;
    }

    /** Exchanges counted into summaries and not yet written into the ring, over every loop (any thread, racy). */
    long summariesPending() {
        long pending = 0;
        for (RefusalSummaryTable table : tables) {
            pending += table.pending();
        }
        return pending;
    }

    /** The client address, rendered to bytes once per connection (InetAddress.getAddress() copies). */
    private static void clientAddress(State s, InetSocketAddress address, TransactionRecordFlyweight r) {
        if (address == null) {
            return;
        }
        cacheAddress(s, address);
        if (s.addressBytes != null) {
            r.clientAddress(s.addressBytes);
        }
        r.clientPort(s.port);
    }

    private static void cacheAddress(State s, InetSocketAddress address) {
        if (address == s.address) {
            return;
        }
        s.address = address;
        s.addressBytes = address == null || address.getAddress() == null ? null : address.getAddress().getAddress();
        s.port = address == null ? 0 : address.getPort();
        byte[] b = s.addressBytes;
        if (b == null) {
            s.addressHigh = 0;
            s.addressLow = 0;
            s.addressIpv6 = false;
        } else if (b.length == 4) {
            s.addressHigh = 0;
            s.addressLow = 0xFFFF_0000_0000L | (b[0] & 0xFFL) << 24 | (b[1] & 0xFFL) << 16 | (b[2] & 0xFFL) << 8
                    | b[3] & 0xFFL;
            s.addressIpv6 = false;
        } else {
            s.addressHigh = bigEndian(b, 0);
            s.addressLow = bigEndian(b, 8);
            s.addressIpv6 = true;
        }
    }

    private static long bigEndian(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | b[at + i] & 0xFFL;
        }
        return v;
    }

    private static byte[] digest(MessageDigest d, byte[] out) {
        try {
            d.digest(out, 0, out.length);
        } catch (DigestException e) {
            throw new IllegalStateException("a SHA-256 is 32 bytes", e);
        }
        return out;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
