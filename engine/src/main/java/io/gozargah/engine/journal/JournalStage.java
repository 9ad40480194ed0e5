package io.gozargah.engine.journal;

import io.gozargah.codec.journal.MethodCode;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import io.gozargah.engine.exchange.Exchange;
import io.gozargah.engine.exchange.ExchangeStage;
import io.gozargah.engine.exchange.Outcome;
import io.gozargah.engine.route.Consumer;
import io.gozargah.engine.route.ServiceRoute;
import io.gozargah.engine.upstream.UpstreamEndpoint;
import io.netty.buffer.ByteBuf;

import java.net.InetSocketAddress;
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
 * "none".
 *
 * <p>Per-exchange state (body digests, the flyweight, the client address rendered once) lives in
 * {@link Exchange#journalState()}: one object per connection, reused by every exchange on it, so the hot path
 * allocates nothing per request. Digests cannot be per event loop: exchanges of different connections on one
 * loop stream their bodies interleaved.
 */
public final class JournalStage implements ExchangeStage {
    static final String DETAIL_FULL = "the transaction journal has no room for more requests; try again shortly";
    static final String DETAIL_FAILED = "the transaction journal cannot be written; requests are refused until it is";

    private final JournalRing ring;
    private final JournalCounters counters;
    private final JournalWriterAgent writer;

    JournalStage(JournalRing ring, JournalCounters counters, JournalWriterAgent writer) {
        this.ring = ring;
        this.counters = counters;
        this.writer = writer;
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
        if (writer.failed()) {
            counters.refusals.increment();
            x.refusalDetail(DETAIL_FAILED);
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
        int length = TransactionRecordFlyweight.length(hashes);
        int index = ring.claim(length, booked);
        if (index < 0) {
            if (booked) {
                ring.release();
            }
            counters.unrecorded.increment();
            x.withhold();
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
                .responseBytes(x.responseBodyBytes());
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

    /** The client address, rendered to bytes once per connection (InetAddress.getAddress() copies). */
    private static void clientAddress(State s, InetSocketAddress address, TransactionRecordFlyweight r) {
        if (address == null) {
            return;
        }
        if (address != s.address) {
            s.address = address;
            s.addressBytes = address.getAddress() == null ? null : address.getAddress().getAddress();
            s.port = address.getPort();
        }
        if (s.addressBytes != null) {
            r.clientAddress(s.addressBytes);
        }
        r.clientPort(s.port);
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
