package io.gozargah.engine.exchange;

import io.gozargah.codec.http1.BodyFraming;
import io.gozargah.codec.http1.HeaderBlock;
import io.gozargah.codec.http1.Http1Writer;
import io.gozargah.codec.http1.HttpMethod;
import io.gozargah.codec.http1.HttpResponseParser;
import io.gozargah.codec.http1.ParseResult;
import io.gozargah.codec.http1.KnownHeaders;
import io.gozargah.codec.http1.ResponseHead;
import io.gozargah.engine.admission.NanoClock;
import io.gozargah.engine.auth.ApiKeyAuthenticator;
import io.gozargah.engine.auth.ClientCertificate;
import io.gozargah.engine.cache.CacheFill;
import io.gozargah.engine.cache.CacheKey;
import io.gozargah.engine.cache.CacheResult;
import io.gozargah.engine.cache.CacheWaiter;
import io.gozargah.engine.cache.CachedAnswer;
import io.gozargah.engine.cache.Freshness;
import io.gozargah.engine.cache.InquiryCache;
import io.gozargah.engine.config.CacheConfig;
import io.gozargah.engine.config.FailureKind;
import io.gozargah.engine.config.RetryConfig;
import io.gozargah.engine.deadline.Deadline;
import io.gozargah.engine.deadline.DeadlineWheel;
import io.gozargah.engine.retry.RetryCounters;
import io.gozargah.engine.retry.RetryPolicy;
import io.gozargah.engine.retry.RetryReason;
import io.gozargah.engine.route.ServiceRoute;
import io.gozargah.engine.subject.SubjectExtractor;
import io.gozargah.engine.server.LoopResources;
import io.gozargah.engine.server.ServerContext;
import io.gozargah.engine.trace.TraceParent;
import io.gozargah.engine.upstream.AcquireCallback;
import io.gozargah.engine.upstream.UpstreamConnection;
import io.gozargah.engine.upstream.UpstreamEndpoint;
import io.gozargah.engine.upstream.UpstreamListener;
import io.gozargah.engine.upstream.UpstreamPool;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One transaction through the gateway, whatever protocol the consumer speaks, from its request head to the
 * release of its upstream connection: start (transaction id, {@link Exchange#start}), gate (route, authorize,
 * admit), choose the pool, render the forward head (HTTP/1.1 bytes, or HTTP/2 HEADERS for an HTTP/2 provider,
 * {@link ForwardHead}), acquire, forward head and body (sent again, within the service's retry settings and its
 * provider's retry budget, when an attempt fails before any response byte: see {@link #retryElsewhere}, and at once
 * on a fresh connection when a reused one turned out closed), the response head, its content and end, then
 * complete (the stages), withhold when a stage could not record it, and release the upstream connection (for
 * reuse only when the gateway framed the request and sent it whole). Every answer the gateway makes itself
 * (its {@link Outcome}, the problem detail, {@code Allow}, {@code Retry-After}) is decided here; the front end
 * only renders it, through {@link ClientSide}.
 *
 * <p>State is two phases, {@link RequestPhase} and {@link ResponsePhase}, each moved by one method that refuses
 * an illegal move. The deadlines (whole request, response head, send, discard) are {@link Deadline}s of the
 * loop's {@link DeadlineWheel}, made once with the driver: an HTTP/1.1 connection keeps one driver for all its
 * exchanges, so nothing here is allocated per request beyond pooled buffers.
 *
 * <p>What the front end tells the driver: {@link #onRequestHead} (or {@link #refuseHead} and
 * {@link #refuseUnparsed} for what its protocol refuses itself), {@link #onRequestContent}, {@link #onRequestEnd},
 * {@link #onRequestMalformed}, {@link #flushUpstream} at the end of its read batch,
 * {@link #onClientWritabilityChanged} and {@link #onClientGone}. While it has paused reading
 * ({@link ClientSide#pauseReading}) it delivers nothing of the request.
 */
public final class ProxyExchange implements UpstreamListener, AcquireCallback, CacheWaiter {
    private static final Logger log = LoggerFactory.getLogger(ProxyExchange.class);

    /**
     * Resends on a fresh connection after a reused one turned out closed, per exchange: a fresh connection is never
     * reused, so a second such failure is an HTTP/2 connection dying under its stream again, not a pool's stale age.
     */
    private static final int MAX_STALE_RESENDS = 2;
    /** The most of a provider's answer to a retried attempt (a 5xx) read and dropped to keep its connection. */
    private static final long RETRIED_ANSWER_DRAIN_BYTES = 64 * 1024;
    private static final long NANOS_PER_MILLI = 1_000_000;
    private static final AsciiString TX_NAME = AsciiString.cached("X-Gozargah-Transaction");
    private static final byte[] TX_HEADER_NAME = "X-Gozargah-Transaction: ".getBytes(StandardCharsets.US_ASCII);
    private static final AsciiString CONTENT_TYPE = AsciiString.cached("Content-Type");
    private static final AsciiString PROBLEM_JSON = AsciiString.cached(Problem.CONTENT_TYPE);
    private static final AsciiString ALLOW = AsciiString.cached("Allow");
    private static final AsciiString RETRY_AFTER = AsciiString.cached("Retry-After");
    private static final int TX_LINE_LENGTH = TX_HEADER_NAME.length + TransactionIds.TEXT_LENGTH + 2;
    private static final int PROBLEM_BYTES = 256;
    private static final AsciiString CACHE_NAME = AsciiString.cached("X-Gozargah-Cache");
    private static final AsciiString AGE = AsciiString.cached("Age");
    private static final AsciiString[] CACHE_VALUES = new AsciiString[CacheResult.values().length];

    static {
        for (CacheResult r : CacheResult.values()) {
            CACHE_VALUES[r.ordinal()] = AsciiString.cached(r.headerValue());
        }
    }

    private static final AsciiString LOWER_AGE = AsciiString.cached("age");
    /** What of a provider's answer the cache keeps: what reaches consumers, less its length and age (its own). */
    private static final Http1Writer.HeaderFilter KEPT_FIELDS = (h, i) -> ResponseFields.passed(h, i)
            && h.id(i) != KnownHeaders.CONTENT_LENGTH && !h.nameEquals(i, LOWER_AGE);

    private final ServerContext server;
    private final LoopResources loop;
    private final ExchangeStages stages;
    private final ClientSide client;
    private final ByteBufAllocator alloc;
    private final ExchangeGate gate;
    private final ApiKeyAuthenticator keys;
    private final ClientCertificate certificate;
    private final Exchange exchange;
    private final NanoClock clock;
    private final DeadlineWheel deadlines;
    private final Deadline requestDeadline = new Deadline(this::requestTimedOut);
    private final Deadline responseDeadline = new Deadline(this::responseTimedOut);
    private final Deadline sendDeadline = new Deadline(this::sendTimedOut);
    private final Deadline discardDeadline = new Deadline(this::discardTimedOut);
    /** The jittered wait before a retry ({@link #retryElsewhere}). */
    private final Deadline backoffDeadline = new Deadline(this::backoffOver);
    private final RetryCounters retryCounters;
    /** {@code X-Gozargah-Transaction: <id>CRLF} of the exchange in flight: rendered once, written twice. */
    private final byte[] transactionLine = new byte[TX_LINE_LENGTH];
    private final ClientForwarding forwarding;
    /** The exchange's W3C trace context: the consumer's trace or the gateway's own, with the gateway's span. */
    private final TraceParent trace = new TraceParent();

    private RequestPhase request = RequestPhase.NONE;
    private ResponsePhase response = ResponsePhase.NONE;

    // The exchange in flight: set at its start, nothing allocated for it.
    private HttpMethod method = HttpMethod.OTHER;
    private BodyFraming framing = BodyFraming.NONE;
    private long declaredLength;
    private boolean expectContinue;
    private ServiceRoute service;
    private UpstreamPool pool;
    private UpstreamConnection upstream;
    /** The forward head until it is written; kept after that only while a resend may still need it. */
    private ByteBuf forwardHead;
    /** The same for an HTTP/2 provider: its HEADERS, rendered straight from the request head. */
    private Http2Headers forwardHeaders;
    /** Whether the provider speaks HTTP/2: the body goes as DATA, its end as END_STREAM, trailers as HEADERS. */
    private boolean multiplexed;
    private int attempts;
    /** The request body bytes received when the exchange was refused: what is dropped after is counted from it. */
    private long discardFrom;
    private boolean upstreamFlushPending;
    /**
     * Acquires asked of a pool whose answer ({@link #acquired} or {@link #acquireFailed}) has not come and that were
     * not withdrawn: a connect or an HTTP/2 stream under way answers even after {@link UpstreamPool#cancel}, so a
     * driver with one outstanding is not {@link #idle} (it must not serve another exchange that the late answer
     * would be taken for).
     */
    private int pendingAcquires;
    /** The {@code Allow} value of the answer being rendered, or null. */
    private String answerAllow;

    // Retries of the exchange in flight (see "Retries" below).
    /** The service's retry settings and its provider's budget; null until the exchange is routed. */
    private RetryPolicy retryPolicy;
    /**
     * Whether the request can still be sent again: its method is one the service's retry settings name, no response
     * byte came, and its body (if any) is whole in {@link #replayBody}, within {@code retry.maxBodyBytes}.
     */
    private boolean replayable;
    /** The request body as received so far, kept for a replay while {@link #replayable}; pooled, else null. */
    private ByteBuf replayBody;
    /** Whether the request being resent was whole (SENT) when its attempt failed, or still streaming. */
    private boolean resendWhole;
    /** Whether the upstream connection of the attempt in flight had served an earlier exchange. */
    private boolean upstreamReused;
    /** Retries made (each counted against maxAttempts and the budget); resends on a fresh connection are not. */
    private int retries;
    private int staleResends;
    /** Whether the exchange counts among its provider's active requests, for the retry budget's share. */
    private boolean budgetCounted;
    /** Whether the attempt in flight (or waiting out its backoff) holds a slot of the provider's retry budget. */
    private boolean retryInFlight;
    /** The service's responseTimeout over all attempts: from the request's first whole send; 0 before it. */
    private long overallDeadlineNanos;
    /** Whether the response deadline armed is the attempt's perTryTimeout, sooner than the overall one. */
    private boolean perTryArmed;
    /** Whether a retry was made or refused by the budget: the gateway's own error then carries Retry-After. */
    private boolean retryAfterHint;

    // The inquiry cache of the exchange in flight (see "The cache" below); null, false, -1 when it has no part in it.
    /** Bumped at each exchange's start: what a {@link CacheFill} tells a waiter is checked against it. */
    private long cacheToken;
    /** The service's cache, when it was consulted for this exchange. */
    private InquiryCache cache;
    /** The driver's lookup key, rebuilt for each request; made on the first cached request. */
    private CacheKey cacheProbe;
    /** The exchange's stored key, when its answer may be kept or it waits on or leads a fill. */
    private CacheKey cacheKey;
    /** The fill this exchange leads ({@link #leading}) or waits on. */
    private CacheFill fill;
    private boolean leading;
    /** An answer past its freshness that may stand in if the provider fails (the service's staleIfError). */
    private CachedAnswer staleAnswer;
    /** The provider's answer as it is kept: head (without length) then body; null when it is not being kept. */
    private ByteBuf capture;
    private int captureHeadLength;
    /** What the provider's answer allows; set while it is captured (when not storable, only shared with waiters). */
    private Freshness.Verdict verdict;
    /** The {@code Age} of an answer served from the cache. */
    private long cacheAgeSeconds = -1;
    /** The endpoint a waiter's forward head was rendered for: it may be sent there, or retargeted, if it must go. */
    private UpstreamEndpoint waiterEndpoint;
    /** Reads kept answers' heads; made on the first one served. */
    private HttpResponseParser keptHeadParser;
    /** A waiter's wait for its fill: the service's responseTimeout from its request's start. */
    private final Deadline fillDeadline = new Deadline(this::fillTimedOut);

    /**
     * @param connection what the client connection's exchanges share
     * @param client     the front end this driver renders through
     */
    public ProxyExchange(ClientConnection connection, ClientSide client) {
        this.server = connection.server();
        this.loop = connection.loop();
        this.stages = server.stages();
        this.client = client;
        this.alloc = connection.channel().alloc();
        this.gate = connection.gate();
        this.keys = connection.keys();
        this.certificate = connection.certificate();
        this.forwarding = connection.forwarding();
        this.exchange = new Exchange(loop);
        this.clock = loop.clock();
        this.deadlines = loop.deadlines();
        this.retryCounters = server.retryCounters();
        if (forwarding.address() != null) {
            exchange.clientAddress(forwarding.address());
        }
        System.arraycopy(TX_HEADER_NAME, 0, transactionLine, 0, TX_HEADER_NAME.length);
        transactionLine[TX_LINE_LENGTH - 2] = '\r';
        transactionLine[TX_LINE_LENGTH - 1] = '\n';
    }

    // ---------------------------------------------------------------------------------------------
    // The request: start, gate, forward head, acquire
    // ---------------------------------------------------------------------------------------------

    /** A request head: the exchange starts, passes the gate, and goes upstream or is answered. */
    public void onRequestHead(RequestHeadView head) {
        start(head);
        head.readTraceParent(trace);
        if (framing == BodyFraming.CONTENT_LENGTH && declaredLength > server.maxRequestBodyBytes()) {
            declineRest(ClientSide.Abort.NO_ERROR);
            answer(Outcome.PAYLOAD_TOO_LARGE, tooLarge(), null);
            return;
        }
        Outcome refused = gate.route(exchange, head.target(), head.targetStart(), head.targetLength());
        if (refused == null) {
            // Before authorization, so a refused attempt at someone's data (403, 429) is findable by its subject too.
            SubjectExtractor.extract(exchange, head.target(), head.targetStart(), head.targetLength(),
                    head.headerLookup());
            refused = gate.authorize(exchange, head.authenticate(keys, exchange.snapshot()), keys, certificate);
        }
        if (refused != null) {
            if (gate.closesConnection()) {
                client.closeAfterExchange(); // a throttled authentication failure: nothing more from this client
            }
            answer(refused, gate.detail(), gate.allow());
            return;
        }
        service = exchange.service();
        retryPolicy = service.retry();
        replayable = retryPolicy.allows(method)
                && (framing != BodyFraming.CONTENT_LENGTH || declaredLength <= retryPolicy.maxBodyBytes());
        if (service.cache() != null && framing == BodyFraming.NONE
                && (method == HttpMethod.GET || method == HttpMethod.HEAD) && consultCache(head)) {
            return; // served from the cache
        }
        pool = loop.pools().choose(service.endpoints());
        exchange.endpoint(pool.endpoint());
        multiplexed = pool.endpoint().protocol().multiplexed();
        if (multiplexed) {
            forwardHeaders = ForwardHead.http2(head, gate.match(), service, pool.endpoint(), exchange.consumer(),
                    transactionLine, TX_HEADER_NAME.length, forwarding, trace);
        } else {
            forwardHead = ForwardHead.http1(alloc, head, gate.match(), service, pool.endpoint(),
                    exchange.consumer().headerLine(), transactionLine, forwarding.http1Lines(), trace);
        }
        moveRequest(RequestPhase.WAITING);
        if (framing != BodyFraming.NONE) {
            deadlines.schedule(requestDeadline, exchange.startNanos() + service.requestTimeoutNanos());
        }
        client.pauseReading();
        if (fill != null && !leading) {
            awaitFill();
            return;
        }
        if (!client.acquiresAfterRead()) {
            acquire();
        }
    }

    /**
     * The front end's read batch that admitted the exchange is over ({@link ClientSide#acquiresAfterRead}): the
     * exchange, if still waiting, asks for its upstream connection; with {@code go} false (the client's connection
     * failed meanwhile) it ends without touching one.
     */
    public void dispatch(boolean go) {
        if (request != RequestPhase.WAITING || upstream != null) {
            return;
        }
        if (fill != null && !leading) {
            // A waiter goes on when its fill is over, not at the end of the read batch.
            if (!go) {
                onClientGone();
            }
            return;
        }
        if (go) {
            acquire();
        } else {
            onClientGone();
        }
    }

    /** A head the front end's protocol refuses by itself (HTTP/1.1: the Host count, '_' in names): answered. */
    public void refuseHead(RequestHeadView head, Outcome outcome, String detail) {
        start(head);
        answer(outcome, detail, null);
    }

    /** Input whose framing is unknowable (a parse error before any head): answered, and the rest never read. */
    public void refuseUnparsed(Outcome outcome, String detail) {
        start(null);
        declineRest(ClientSide.Abort.PROTOCOL_ERROR);
        answer(outcome, detail, null);
    }

    private void start(RequestHeadView head) {
        moveRequest(RequestPhase.HEAD);
        long now = clock.nanoTime();
        long epochNanos = loop.epochClock().epochNanos(now);
        // The id's millisecond is the exchange's journaled start, not a second reading of the wall clock.
        TransactionIds ids = loop.transactionIds();
        ids.next(Math.floorDiv(epochNanos, NANOS_PER_MILLI));
        TransactionIds.writeText(transactionLine, TX_HEADER_NAME.length, ids.msb(), ids.lsb());
        trace.start(ids.msb(), ids.lsb());
        exchange.start(ids.msb(), ids.lsb(), now, epochNanos);
        exchange.snapshot(server.snapshot());
        method = head == null ? HttpMethod.OTHER : head.method();
        framing = head == null ? BodyFraming.NONE : head.framing();
        declaredLength = head == null ? 0 : head.declaredLength();
        expectContinue = head != null && head.expectContinue() && framing != BodyFraming.NONE;
        exchange.method(method);
        exchange.protocol(head == null ? Exchange.Protocol.HTTP_1_1 : head.protocol());
        cacheToken++;
        service = null;
        attempts = 0;
        retries = 0;
        staleResends = 0;
        replayable = false;
        overallDeadlineNanos = 0;
        retryAfterHint = false;
    }

    private void acquire() {
        if (!budgetCounted) {
            budgetCounted = true;
            retryPolicy.budget().requestStarted();
        }
        pendingAcquires++;
        pool.acquire(this);
    }

    @Override
    public void acquired(UpstreamConnection connection, boolean reused) {
        answeredAcquire();
        if (request != RequestPhase.WAITING && request != RequestPhase.RESENDING) {
            connection.unused(); // the exchange ended (answered, or its client went) while the connection came
            return;
        }
        upstream = connection;
        upstreamReused = reused;
        connection.bind(this, method);
        connection.setClientWritable(client.clientWritable());
        attempts++;
        exchange.countAttempt();
        Object head = request == RequestPhase.RESENDING ? keptForwardHead() : takeForwardHead(replayable);
        if (exchange.upstreamStartNanos() == 0) {
            exchange.upstreamStartNanos(clock.nanoTime());
        }
        Channel up = connection.channel();
        if (request == RequestPhase.RESENDING) {
            resend(connection, head);
            return;
        }
        up.write(head, up.voidPromise());
        upstreamFlushPending = true;
        if (expectContinue) {
            client.sendContinue();
            client.flush();
        }
        moveRequest(RequestPhase.STREAMING);
        client.resumeReading();
    }

    /** The forward head to write now, kept for a resend when {@code keep}. */
    private Object takeForwardHead(boolean keep) {
        if (multiplexed) {
            Object frame = new DefaultHttp2HeadersFrame(forwardHeaders, framing == BodyFraming.NONE);
            if (!keep) {
                forwardHeaders = null;
            }
            return frame;
        }
        ByteBuf head = forwardHead;
        if (keep) {
            head.retain(); // kept for a resend: its bytes never change, only the indices the write moves
        } else {
            forwardHead = null;
        }
        return head;
    }

    /**
     * The kept forward head for a resend: a duplicate from its first byte, whatever indices the first write left
     * on the kept buffer (a duplicate made only on this rare path, so the first send allocates nothing for it).
     */
    private Object keptForwardHead() {
        if (multiplexed) {
            return new DefaultHttp2HeadersFrame(forwardHeaders, framing == BodyFraming.NONE);
        }
        return forwardHead.retainedDuplicate().readerIndex(0);
    }

    @Override
    public void acquireFailed(boolean overloaded, String detail) {
        answeredAcquire();
        if (request != RequestPhase.WAITING && request != RequestPhase.RESENDING) {
            return;
        }
        log.debug("{}: {}", service.qualifiedName(), detail);
        endRetry();
        if (!overloaded) {
            endpointOutcome(FailureKind.CONNECT, 0);
        }
        // A request whose connection never opened never left: any method may go to another endpoint.
        if (!overloaded && retryPolicy.on(RetryConfig.On.CONNECT_FAILURE)
                && (request == RequestPhase.WAITING || canReplay()) && retryElsewhere(RetryReason.CONNECT_FAILURE)) {
            return;
        }
        hintRetryAfter();
        if (overloaded) {
            answer(Outcome.OVERLOADED, "the provider " + service.provider() + " is at its connection limit", null);
        } else {
            answer(Outcome.UPSTREAM_UNAVAILABLE, "the provider " + service.provider() + " could not be reached", null);
        }
    }

    private void answeredAcquire() {
        if (pendingAcquires > 0) {
            pendingAcquires--;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Retries
    // ---------------------------------------------------------------------------------------------

    /** Whether the request can be sent again now: replayable, and its head still kept. */
    private boolean canReplay() {
        return replayable && (forwardHead != null || forwardHeaders != null);
    }

    /**
     * Sends the request again on another endpoint of the provider (the same when it has one), after a jittered
     * backoff on the loop's deadline wheel, if the service's maxAttempts, the service's overall deadline and the
     * provider's retry budget all leave room (the budget only for a request the provider may have received).
     * Returns whether it will; the caller answers the failure otherwise.
     */
    private boolean retryElsewhere(RetryReason reason) {
        if (1 + retries >= retryPolicy.maxAttempts()) {
            return false;
        }
        long now = clock.nanoTime();
        long delay = retryPolicy.backoffNanos(retries + 1, ThreadLocalRandom.current().nextInt());
        if (overallDeadlineNanos != 0 && now + delay >= overallDeadlineNanos) {
            return false;
        }
        // A request the provider never received (no connection, or a stream it refused unprocessed) adds no load
        // when sent elsewhere: only retries of requests it may have worked on are held to its budget.
        boolean budgeted = reason != RetryReason.CONNECT_FAILURE && reason != RetryReason.REFUSED_STREAM;
        if (budgeted && !retryPolicy.budget().tryStartRetry()) {
            retryCounters.countBudgetExhausted();
            retryAfterHint = true;
            log.debug("{}: no retry after {}: the provider's retry budget is spent", service.qualifiedName(),
                    reason.label());
            return false;
        }
        retries++;
        retryInFlight = budgeted;
        retryAfterHint = true;
        retryCounters.retried(reason);
        UpstreamEndpoint previous = pool.chosen();
        pool.exchangeEnded(); // the failed attempt's endpoint no longer has this exchange outstanding
        pool = loop.pools().choose(service.endpoints(), previous);
        if (pool.chosen() != previous) {
            retarget(previous, pool.chosen());
        }
        exchange.endpoint(pool.chosen());
        log.debug("{}: retry {} on {} after {}", service.qualifiedName(), retries, pool.endpoint(), reason.label());
        if (request != RequestPhase.WAITING && request != RequestPhase.RESENDING) {
            beginResend();
        }
        deadlines.schedule(backoffDeadline, now + delay);
        return true;
    }

    /** The backoff before a retry is over: the connection for it is asked of the (new) endpoint's pool. */
    private void backoffOver(long now) {
        if (request == RequestPhase.WAITING || request == RequestPhase.RESENDING) {
            acquire();
        }
    }

    /** The kept forward head, rendered for {@code from}, made to read for {@code to}. */
    private void retarget(UpstreamEndpoint from, UpstreamEndpoint to) {
        if (multiplexed) {
            if (forwardHeaders != null) {
                forwardHeaders = ForwardHead.retarget(forwardHeaders, from, to);
            }
        } else if (forwardHead != null) {
            ByteBuf old = forwardHead;
            forwardHead = ForwardHead.retarget(alloc, old.duplicate().readerIndex(0), from, to);
            old.release();
        }
    }

    /** The attempt that failed goes; the request waits for its next connection without reading more of its body. */
    private void beginResend() {
        resendWhole = request == RequestPhase.SENT;
        if (request == RequestPhase.STREAMING) {
            client.pauseReading();
        }
        moveRequest(RequestPhase.RESENDING);
    }

    /**
     * Writes the request again on {@code connection}: the kept head and as much of the body as had come (all of it
     * when the request was whole), framed as the first time; a request still streaming goes on streaming.
     */
    private void resend(UpstreamConnection connection, Object head) {
        Channel up = connection.channel();
        up.write(head, up.voidPromise());
        boolean body = replayBody != null && replayBody.isReadable();
        if (multiplexed) {
            if (body) {
                up.write(new DefaultHttp2DataFrame(replayBody.retainedDuplicate(), resendWhole), up.voidPromise());
            } else if (resendWhole && framing != BodyFraming.NONE) {
                up.write(new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true), up.voidPromise());
            }
        } else if (framing == BodyFraming.CHUNKED) {
            if (body) {
                ByteBuf header = alloc.ioBuffer(12);
                Http1Writer.writeChunkHeader(header, replayBody.readableBytes());
                up.write(header, up.voidPromise());
                up.write(replayBody.retainedDuplicate(), up.voidPromise());
                ByteBuf crlf = alloc.ioBuffer(2);
                Http1Writer.writeCrlf(crlf);
                up.write(crlf, up.voidPromise());
            }
            if (resendWhole) {
                // A request whose trailers came is never replayed (they are not kept): the last chunk is bare.
                ByteBuf end = alloc.ioBuffer(8);
                Http1Writer.writeLastChunk(end);
                Http1Writer.writeCrlf(end);
                up.write(end, up.voidPromise());
            }
        } else if (body) {
            up.write(replayBody.retainedDuplicate(), up.voidPromise());
        }
        // The phase moves before the flush: a flush that fails at once reports the failure to a consistent exchange.
        if (resendWhole) {
            moveRequest(RequestPhase.SENT);
            armResponseDeadline();
            up.flush();
        } else {
            moveRequest(RequestPhase.STREAMING);
            up.flush();
            if (upstream == connection) {
                client.resumeReading();
            }
        }
    }

    /** Keeps {@code length} bytes of request body at {@code index} of {@code in} for a replay, while it may be one. */
    private void keepForReplay(ByteBuf in, int index, int length) {
        if (!replayable) {
            return;
        }
        long max = retryPolicy.maxBodyBytes();
        if (exchange.requestBodyBytes() > max) {
            replayable = false; // longer than the service keeps: this request is never sent again
            releaseReplay();
            return;
        }
        if (replayBody == null) {
            int initial = framing == BodyFraming.CONTENT_LENGTH ? (int) declaredLength : Math.min(length, (int) max);
            replayBody = alloc.buffer(Math.max(initial, 1), (int) max);
        }
        replayBody.writeBytes(in, index, length);
    }

    private void releaseReplay() {
        if (replayBody != null) {
            replayBody.release();
            replayBody = null;
        }
    }

    /** The attempt in flight ends: its slot of the provider's retry budget, if it held one, is given back. */
    private void endRetry() {
        if (retryInFlight) {
            retryInFlight = false;
            retryPolicy.budget().retryEnded();
        }
    }

    /** Retries were made, or refused by the budget: the gateway's own error says when to come back. */
    private void hintRetryAfter() {
        if (retryAfterHint) {
            exchange.retryAfterSeconds(1);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The request body
    // ---------------------------------------------------------------------------------------------

    /** Whether the front end should deliver request content now: forwarding to a writable upstream, or dropping. */
    public boolean wantsRequestContent() {
        return request == RequestPhase.DISCARDING
                || (request == RequestPhase.STREAMING && upstream != null && upstream.channel().isWritable());
    }

    /** Request content: {@code length} bytes at {@code in}'s reader index, consumed here (forwarded or dropped). */
    public void onRequestContent(ByteBuf in, int length) {
        exchange.addRequestBodyBytes(length);
        if (request == RequestPhase.DISCARDING) {
            in.skipBytes(length);
            if (exchange.requestBodyBytes() - discardFrom > server.maxDiscardBytes()) {
                // The client is asked to stop sending, without error (RFC 9113 §8.1): it was answered already.
                abortExchange(Outcome.PAYLOAD_TOO_LARGE, ClientSide.Abort.NO_ERROR);
            }
            return;
        }
        if (request != RequestPhase.STREAMING) {
            in.skipBytes(length);
            return;
        }
        if (exchange.requestBodyBytes() > server.maxRequestBodyBytes()) {
            // Only a body of unknown length gets here (a declared one was checked at the head).
            in.skipBytes(length);
            refuseMidRequest(Outcome.PAYLOAD_TOO_LARGE, tooLarge(), Outcome.PAYLOAD_TOO_LARGE);
            return;
        }
        stages.requestContent(exchange, in, in.readerIndex(), length);
        keepForReplay(in, in.readerIndex(), length);
        Channel up = upstream.channel();
        ByteBuf content = in.readRetainedSlice(length);
        if (framing == BodyFraming.CHUNKED && !multiplexed) {
            ByteBuf header = alloc.ioBuffer(12);
            Http1Writer.writeChunkHeader(header, length);
            up.write(header, up.voidPromise());
            up.write(content, up.voidPromise());
            ByteBuf crlf = alloc.ioBuffer(2);
            Http1Writer.writeCrlf(crlf);
            up.write(crlf, up.voidPromise());
        } else {
            up.write(content, up.voidPromise());
        }
        upstreamFlushPending = true;
    }

    /** The request is whole; {@code trailers} (null or empty for none) go upstream with the last chunk. */
    public void onRequestEnd(RequestFieldsView trailers) {
        if (request == RequestPhase.DISCARDING) {
            moveRequest(RequestPhase.DONE);
            finish(clock.nanoTime());
            return;
        }
        if (request != RequestPhase.STREAMING) {
            return;
        }
        if (trailers != null && !trailers.isEmpty()) {
            replayable = false; // trailers are not kept, and a replay without them would be another request
            releaseReplay();
        }
        if (multiplexed) {
            endHttp2Request(trailers);
        } else if (framing == BodyFraming.CHUNKED) {
            ByteBuf end = alloc.ioBuffer(64);
            Http1Writer.writeLastChunk(end);
            if (trailers != null && !trailers.isEmpty()) {
                trailers.writeForwardedHttp1(end, service, false);
            }
            Http1Writer.writeCrlf(end);
            upstream.channel().write(end, upstream.channel().voidPromise());
        }
        upstreamFlushPending = true;
        moveRequest(RequestPhase.SENT);
        if (response == ResponsePhase.NONE) {
            armResponseDeadline();
        }
    }

    /**
     * The end of a request to an HTTP/2 provider: its trailers as HEADERS with END_STREAM, or END_STREAM on an empty
     * DATA frame (the stream adapter puts it on the last DATA instead when that is still held); nothing when the
     * HEADERS ended the stream.
     */
    private void endHttp2Request(RequestFieldsView trailers) {
        if (framing == BodyFraming.NONE) {
            return;
        }
        Channel up = upstream.channel();
        if (trailers != null && !trailers.isEmpty()) {
            Http2Headers fields = new DefaultHttp2Headers(true, 4);
            trailers.addForwardedHttp2(fields, service, false);
            if (!fields.isEmpty()) {
                up.write(new DefaultHttp2HeadersFrame(fields, true), up.voidPromise());
                return;
            }
        }
        up.write(new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true), up.voidPromise());
    }

    /** The request's framing broke mid-body (the front end will not read on): answered if it still can be. */
    public void onRequestMalformed(Outcome outcome, String detail) {
        refuseMidRequest(outcome, detail, Outcome.CLIENT_ABORTED);
    }

    /** The end of the front end's read batch: what was written upstream goes out. */
    public void flushUpstream() {
        if (upstreamFlushPending && upstream != null) {
            upstreamFlushPending = false;
            upstream.channel().flush();
        }
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        if (request == RequestPhase.STREAMING) {
            if (writable) {
                client.resumeReading();
            } else {
                client.pauseReading();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The response
    // ---------------------------------------------------------------------------------------------

    @Override
    public void onResponseHead(ResponseHead head) {
        if (head.informational()) {
            client.sendInformational(head);
            return;
        }
        endpointOutcome(null, head.status());
        if (head.framing() == BodyFraming.CONTENT_LENGTH && head.contentLength() > service.maxResponseBytes()) {
            // Refused before a byte reaches the client; the unread body makes the connection unusable.
            answer(Outcome.RESPONSE_TOO_LARGE, "the provider " + service.provider() + " answered with "
                    + head.contentLength() + " bytes, more than the service's limit of " + service.maxResponseBytes(),
                    null);
            client.flush();
            return;
        }
        deadlines.cancel(responseDeadline);
        endRetry();
        if (retryGatewayError(head)) {
            return;
        }
        releaseForwardHead();
        releaseReplay();
        replayable = false;
        if (cacheKey != null && keepOrStandIn(head)) {
            return; // the provider failed, and a stale answer was served instead
        }
        moveResponse(ResponsePhase.STREAMING);
        exchange.responseHeadNanos(clock.nanoTime());
        exchange.status(head.status());
        client.sendResponseHead(head);
    }

    /**
     * A 502, 503 or 504 to a request sent whole, when the service retries on {@code 5xx} and may replay the request:
     * the answer is read and dropped (its connection kept when it ends cleanly) and the request goes to another
     * endpoint. Returns whether it did; when retries run out the provider's own answer passes through.
     */
    private boolean retryGatewayError(ResponseHead head) {
        int status = head.status();
        if ((status != 502 && status != 503 && status != 504) || request != RequestPhase.SENT || !canReplay()
                || !retryPolicy.on(RetryConfig.On.GATEWAY_ERROR)) {
            return false;
        }
        UpstreamConnection c = upstream;
        upstream = null;
        if (!retryElsewhere(RetryReason.GATEWAY_ERROR)) {
            upstream = c;
            return false;
        }
        c.discardResponse(RETRIED_ANSWER_DRAIN_BYTES, service.responseTimeoutNanos());
        return true;
    }

    @Override
    public void onResponseContent(ByteBuf in, int length) {
        if (response != ResponsePhase.STREAMING) {
            in.skipBytes(length);
            return;
        }
        if (length == 0) {
            return;
        }
        if (exchange.responseBodyBytes() + length > service.maxResponseBytes()) {
            // A body of undeclared length ran past the limit after its head went out: it is cut off here.
            in.skipBytes(length);
            log.debug("{}: the response passed the limit of {} bytes", service.qualifiedName(),
                    service.maxResponseBytes());
            abortExchange(Outcome.RESPONSE_TOO_LARGE, ClientSide.Abort.INTERNAL_ERROR);
            return;
        }
        if (capture != null) {
            captureContent(in, length);
        }
        stages.responseContent(exchange, in, in.readerIndex(), length);
        exchange.addResponseBodyBytes(length);
        client.sendResponseContent(in, length);
        noteClientWritability();
    }

    @Override
    public void onResponseComplete(HeaderBlock trailers) {
        client.sendResponseEnd(trailers);
        // One reading of the clock for the exchange's end, the connection's idle start and the client's idle
        // deadline: all three happen within this call.
        long now = clock.nanoTime();
        complete(Outcome.PROXIED, ResponsePhase.ENDED, now);
        if (capture != null) {
            keepCapture(trailers);
        }
        // The upstream connection is reusable only if the gateway knows exactly where the request it sent ended:
        // all of it went out, framed by the gateway (a fixed length that was sent in full, or its own chunks).
        boolean requestWhole = request == RequestPhase.SENT
                && (framing != BodyFraming.CONTENT_LENGTH || exchange.requestBodyBytes() == declaredLength);
        UpstreamConnection c = upstream;
        upstream = null;
        if (c != null) {
            c.release(requestWhole, now);
        }
        if (requestWhole) {
            moveRequest(RequestPhase.DONE);
        } else {
            // The provider answered before the request was whole: the rest of the body has nowhere to go.
            declineRest(ClientSide.Abort.NO_ERROR);
        }
        finish(now);
    }

    @Override
    public void onUpstreamFailure(boolean started, String detail) {
        upstream = null;
        deadlines.cancel(responseDeadline);
        endRetry();
        if (!started && response == ResponsePhase.NONE && resendOnFreshConnection(detail)) {
            return;
        }
        // The endpoint's failure counts (balancing, ejection) before a retry moves the exchange elsewhere.
        endpointOutcome(FailureKind.RESET, 0);
        if (!started && response == ResponsePhase.NONE && retryAfterFailure()) {
            return;
        }
        releaseForwardHead();
        releaseReplay();
        if (response == ResponsePhase.NONE) {
            log.debug("{}: {}", service.qualifiedName(), detail);
            hintRetryAfter();
            if (restComing()) {
                declineRest(ClientSide.Abort.NO_ERROR);
            }
            answer(Outcome.UPSTREAM_UNAVAILABLE, "the provider " + service.provider()
                    + " failed before giving a complete response", null);
        } else {
            log.debug("{}: response cut short: {}", service.qualifiedName(), detail);
            abortExchange(Outcome.UPSTREAM_ABORTED, ClientSide.Abort.INTERNAL_ERROR);
        }
    }

    /**
     * The attempt's connection closed or was reset before any response byte. On a reused connection that is the
     * keep-alive race (the provider closed it as the request went out), not the endpoint's failure: the request goes
     * again at once on a fresh connection of the same endpoint, outside maxAttempts and the budget. Returns whether
     * it does.
     */
    private boolean resendOnFreshConnection(String detail) {
        if (!upstreamReused || staleResends >= MAX_STALE_RESENDS || !resendable()) {
            return false;
        }
        staleResends++;
        retryCounters.retried(RetryReason.STALE_CONNECTION);
        log.debug("{}: sending again on a new connection after: {}", service.qualifiedName(), detail);
        beginResend();
        pendingAcquires++;
        pool.acquireFresh(this);
        return true;
    }

    private boolean resendable() {
        return (request == RequestPhase.SENT || request == RequestPhase.STREAMING) && canReplay();
    }

    /**
     * Any other failure before a response byte: a retry like any other ({@code reset}, or {@code refused-stream} for
     * an HTTP/2 provider) when the service's settings allow it. Returns whether the request goes again.
     */
    private boolean retryAfterFailure() {
        if (!resendable()) {
            return false;
        }
        return multiplexed
                ? retryPolicy.on(RetryConfig.On.REFUSED_STREAM) && retryElsewhere(RetryReason.REFUSED_STREAM)
                : retryPolicy.on(RetryConfig.On.RESET) && retryElsewhere(RetryReason.RESET);
    }

    @Override
    public void onUpstreamReadComplete() {
        client.flush();
        noteClientWritability();
    }

    // ---------------------------------------------------------------------------------------------
    // The cache
    // ---------------------------------------------------------------------------------------------
    //
    // A GET or HEAD without a body to a cached service, once admitted, is looked up by its key: a fresh answer is
    // served at once (hit). A GET that misses either joins the fill in flight for its key (it waits, without an
    // upstream connection, and is served a copy of the leader's answer) or opens one and leads it: its exchange
    // goes upstream as any other, its answer is captured as it passes to its own client, and at the end kept (when
    // the provider allows) and given to the waiters. A HEAD that misses, or a request whose consumer asked to
    // bypass the cache, goes upstream alone. A failure of the provider is answered from a stale entry when the
    // service's staleIfError allows.

    /**
     * Looks the request up in its service's cache: serves a fresh answer (returns true), or prepares the exchange's
     * part in the cache on its way upstream (leader, waiter, or alone) and returns false.
     */
    private boolean consultCache(RequestHeadView head) {
        InquiryCache c = service.cache();
        CacheConfig config = c.config();
        Freshness.RequestDirective directive = Freshness.request(head.headerLookup(), config.allowConsumerBypass());
        if (directive == Freshness.RequestDirective.PASS) {
            return false; // not the cache's to answer (authorized, conditional, a range): as if there were none
        }
        cache = c;
        CacheKey probe = buildKey(head, config);
        long now = c.nanoTime();
        if (directive == Freshness.RequestDirective.CACHEABLE) {
            CachedAnswer kept = c.get(probe);
            if (kept != null) {
                if (kept.freshAt(now)) {
                    serveCached(kept, CacheResult.HIT, now);
                    return true;
                }
                if (kept.staleUsableAt(now)) {
                    staleAnswer = kept;
                }
            }
        }
        if (method == HttpMethod.HEAD) {
            goingUpstream(); // a HEAD's answer has no body to keep
            return false;
        }
        cacheKey = probe.copy();
        if (directive == Freshness.RequestDirective.CACHEABLE) {
            return joinOrLead(now);
        }
        goingUpstream(); // the consumer asked for the provider's answer; it is still kept for the next one
        return false;
    }

    /**
     * Joins the fill for {@link #cacheKey} or leads a new one. Returns true when, between the lookup and the fill,
     * an answer was kept and has been served.
     */
    private boolean joinOrLead(long now) {
        fill = cache.joinOrLead(cacheKey, this, cacheToken);
        leading = fill.ledBy(this, cacheToken);
        if (!leading) {
            return false;
        }
        // The previous fill for the key may have closed just after this exchange's lookup: look once more.
        CachedAnswer kept = cache.get(cacheKey);
        if (kept != null && kept.freshAt(now)) {
            cache.endFill(releaseLead(), CacheFill.Kind.RETRY);
            serveCached(kept, CacheResult.HIT, now);
            return true;
        }
        goingUpstream();
        return false;
    }

    /** The exchange asks the provider: counted as a miss. */
    private void goingUpstream() {
        exchange.cacheResult(CacheResult.MISS);
        cache.count(CacheResult.MISS);
    }

    /** The request's key in the driver's probe: the parts its service's cache settings name. */
    private CacheKey buildKey(RequestHeadView head, CacheConfig config) {
        CacheKey probe = cacheProbe;
        if (probe == null) {
            probe = cacheProbe = new CacheKey();
        }
        probe.clear();
        ByteBuf target = head.target();
        int start = head.targetStart();
        int length = head.targetLength();
        int query = target.indexOf(start, start + length, (byte) '?');
        int pathLength = query < 0 ? length : query - start;
        if (config.keyPath()) {
            probe.append(target, start, pathLength);
        }
        if (config.keyQuery() && query >= 0) {
            probe.append(target, query, start + length - query);
        }
        probe.endPart();
        if (config.scope() == CacheConfig.Scope.CONSUMER) {
            probe.append(exchange.consumer().headerValue());
        }
        probe.endPart();
        for (AsciiString name : cache.varyNames()) {
            CharSequence value = head.headerLookup().value(name);
            if (value != null) {
                probe.append(value);
            }
            probe.endPart();
        }
        return probe.seal();
    }

    /** A waiter: its upstream side is released until its fill is over, with the service's responseTimeout. */
    private void awaitFill() {
        waiterEndpoint = pool.chosen();
        pool.exchangeEnded();
        pool = null;
        exchange.endpoint(null);
        deadlines.schedule(fillDeadline, exchange.startNanos() + service.responseTimeoutNanos());
    }

    @Override
    public Executor executor() {
        return loop.eventLoop();
    }

    @Override
    public void filled(CacheFill f, long token) {
        if (f != fill || token != cacheToken || leading || request != RequestPhase.WAITING) {
            return; // the exchange that joined is over (timed out, its client gone)
        }
        fill = null;
        switch (f.kind()) {
            case ANSWER -> {
                deadlines.cancel(fillDeadline);
                serveCached(f.answer(), f.answerResult(), cache.nanoTime());
            }
            case FAILURE -> {
                deadlines.cancel(fillDeadline);
                if (!standsInFor(f.outcome())) {
                    exchange.cacheResult(CacheResult.COALESCED);
                    cache.count(CacheResult.COALESCED);
                    if (f.retryAfterSeconds() >= 0) {
                        exchange.retryAfterSeconds(f.retryAfterSeconds());
                    }
                    answer(f.outcome(), f.detail(), null);
                }
            }
            case RETRY -> {
                long now = cache.nanoTime();
                CachedAnswer kept = cache.get(cacheKey);
                if (kept != null && kept.freshAt(now)) {
                    deadlines.cancel(fillDeadline);
                    serveCached(kept, CacheResult.HIT, now);
                } else if (!joinOrLead(now) && leading) {
                    sendUpstream();
                }
            }
            default -> {
                goingUpstream();
                sendUpstream();
            }
        }
        client.flush();
    }

    /** A former waiter asks the provider itself: an endpoint is chosen again, its forward head retargeted. */
    private void sendUpstream() {
        deadlines.cancel(fillDeadline);
        pool = loop.pools().choose(service.endpoints());
        if (pool.chosen() != waiterEndpoint) {
            retarget(waiterEndpoint, pool.chosen());
        }
        exchange.endpoint(pool.chosen());
        acquire();
    }

    /** A waiter's fill took longer than the service's responseTimeout: it leaves, the others wait on. */
    private void fillTimedOut(long now) {
        if (fill == null || leading || request != RequestPhase.WAITING) {
            return;
        }
        fill.leave(this, cacheToken);
        fill = null;
        exchange.cacheResult(CacheResult.COALESCED);
        answer(Outcome.UPSTREAM_TIMEOUT, "the provider " + service.provider() + " did not answer within "
                + TimeUnit.NANOSECONDS.toMillis(service.responseTimeoutNanos()) + " ms", null);
        client.flush();
    }

    /**
     * Serves a kept answer as the provider's: its head read as any provider's (so both protocols render it as they
     * render a proxied one), its body unless the request is a HEAD, and the end. Mirrors {@link #answer}: the
     * request (bodiless) may still have its end to come, which is then read and dropped.
     */
    private void serveCached(CachedAnswer kept, CacheResult result, long now) {
        abandonUpstream();
        if (restComing()) {
            moveRequest(RequestPhase.DISCARDING);
        }
        cache.count(result);
        exchange.cacheResult(result);
        cacheAgeSeconds = kept.ageSeconds(now);
        // Wrapped, not copied: the array is never written, and the front ends copy or slice what they send.
        ByteBuf buf = Unpooled.wrappedBuffer(kept.bytes());
        HttpResponseParser parser = keptHeadParser;
        if (parser == null) {
            parser = keptHeadParser = new HttpResponseParser(server.responseLimits());
        }
        parser.reset();
        parser.expectResponseTo(method);
        if (parser.parse(buf) == ParseResult.ERROR) {
            // Only a head kept near the response head limit could grow past it by its own Content-Length.
            buf.release();
            log.warn("{}: a kept answer's head could not be read again: {}", service.qualifiedName(), parser.error());
            cache.purge();
            answer(Outcome.UPSTREAM_UNAVAILABLE, "the gateway could not read a kept answer", null);
            return;
        }
        exchange.responseHeadNanos(clock.nanoTime());
        exchange.status(kept.status());
        moveResponse(ResponsePhase.STREAMING);
        client.sendResponseHead(parser.head());
        int bodyLength = kept.bodyLength();
        if (method != HttpMethod.HEAD && bodyLength > 0) {
            buf.readerIndex(kept.headLength());
            stages.responseContent(exchange, buf, kept.headLength(), bodyLength);
            exchange.addResponseBodyBytes(bodyLength);
            client.sendResponseContent(buf, bodyLength);
        }
        client.sendResponseEnd(parser.trailers());
        buf.release();
        long end = clock.nanoTime();
        complete(Outcome.PROXIED, ResponsePhase.ENDED, end);
        if (request == RequestPhase.SENT || request == RequestPhase.RESENDING) {
            moveRequest(RequestPhase.DONE);
        }
        if (request == RequestPhase.DONE) {
            finish(end);
        } else {
            client.resumeReading(); // DISCARDING: the request's end is still to come
        }
    }

    /**
     * The provider could not be reached or did not answer ({@code outcome}): a stale answer the service's staleIfError
     * still allows is served instead, and given to the fill's waiters. Returns whether it was.
     */
    private boolean standsInFor(Outcome outcome) {
        if (staleAnswer == null || (outcome != Outcome.UPSTREAM_UNAVAILABLE && outcome != Outcome.UPSTREAM_TIMEOUT
                && outcome != Outcome.OVERLOADED)) {
            return false;
        }
        long now = cache.nanoTime();
        if (!staleAnswer.staleUsableAt(now)) {
            return false;
        }
        CachedAnswer stale = staleAnswer;
        CacheFill led = releaseLead();
        if (led != null) {
            cache.fillWithAnswer(led, stale, false, CacheResult.STALE);
        }
        serveCached(stale, CacheResult.STALE, now);
        return true;
    }

    /**
     * The provider's answer to a request whose answer may be kept: a 5xx is replaced by a stale answer when there is
     * one (returns true: the provider's answer is read and dropped on its connection); otherwise the answer is
     * captured if it may be kept or shared with the fill's waiters, and the waiters sent upstream themselves if not.
     */
    private boolean keepOrStandIn(ResponseHead head) {
        int status = head.status();
        if (status >= 500 && staleAnswer != null && staleAnswer.staleUsableAt(cache.nanoTime())) {
            UpstreamConnection c = upstream;
            upstream = null;
            c.discardResponse(RETRIED_ANSWER_DRAIN_BYTES, service.responseTimeoutNanos());
            standsInFor(Outcome.UPSTREAM_UNAVAILABLE);
            return true;
        }
        CacheConfig config = cache.config();
        verdict = Freshness.response(head.headers(), status, config,
                TimeUnit.NANOSECONDS.toMillis(loop.epochClock().epochNanos(clock.nanoTime())));
        // A provider's error is shared with the waiters (they asked the same at the same time), not kept.
        boolean shareable = verdict.storable() || (status >= 500 && Freshness.shareable(head.headers()));
        long maxEntry = config.maxEntryBytes();
        if (!shareable || head.headLength() + 64L > maxEntry
                || (head.framing() == BodyFraming.CONTENT_LENGTH
                        && head.headLength() + head.contentLength() > maxEntry)) {
            bypassWaiters();
            return false;
        }
        long expected = head.headLength() + 64L + Math.max(0, head.contentLength());
        capture = alloc.heapBuffer((int) Math.min(expected, maxEntry));
        Http1Writer.writeStatusLine(capture, head);
        Http1Writer.copyHeaders(capture, head.headers(), KEPT_FIELDS);
        captureHeadLength = capture.writerIndex();
        return false;
    }

    /** Response content passing to the client, captured while the answer fits the service's maxEntryBytes. */
    private void captureContent(ByteBuf in, int length) {
        if (capture.writerIndex() + length > cache.config().maxEntryBytes()) {
            dropCapture();
            bypassWaiters();
            return;
        }
        capture.writeBytes(in, in.readerIndex(), length);
    }

    /** The captured answer is whole: kept (when it may be) and given to the fill's waiters. */
    private void keepCapture(HeaderBlock trailers) {
        if (trailers.size() != 0) {
            dropCapture(); // trailers are not kept: the answer would be another one without them
            bypassWaiters();
            return;
        }
        int bodyLength = capture.writerIndex() - captureHeadLength;
        byte[] lengthLine = ("Content-Length: " + bodyLength + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = new byte[captureHeadLength + lengthLine.length + bodyLength];
        capture.getBytes(0, bytes, 0, captureHeadLength);
        System.arraycopy(lengthLine, 0, bytes, captureHeadLength, lengthLine.length);
        capture.getBytes(captureHeadLength, bytes, captureHeadLength + lengthLine.length, bodyLength);
        dropCapture();
        boolean storable = verdict.storable();
        long now = cache.nanoTime();
        long freshUntil = now + (storable ? verdict.freshNanos() : 0);
        long staleUntil = freshUntil + (storable ? verdict.staleIfErrorNanos() : 0);
        CachedAnswer answer = new CachedAnswer(bytes, captureHeadLength + lengthLine.length, exchange.status(), now,
                freshUntil, staleUntil, verdict.ageSeconds());
        CacheFill led = releaseLead();
        if (led != null) {
            cache.fillWithAnswer(led, answer, storable, CacheResult.COALESCED);
        } else if (storable) {
            cache.put(cacheKey, answer);
        }
    }

    private void dropCapture() {
        if (capture != null) {
            capture.release();
            capture = null;
        }
    }

    /** The leader's answer is not to be shared: its waiters go to the provider themselves. */
    private void bypassWaiters() {
        CacheFill led = releaseLead();
        if (led != null) {
            cache.endFill(led, CacheFill.Kind.BYPASS);
        }
    }

    /** The fill this exchange leads, to be closed by the caller (null when it leads none): it leads it no more. */
    private CacheFill releaseLead() {
        if (fill == null || !leading) {
            return null;
        }
        CacheFill led = fill;
        fill = null;
        leading = false;
        return led;
    }

    /** The exchange's part in the cache ends: a fill it leads without an answer lets its waiters ask again. */
    private void endCache() {
        dropCapture();
        deadlines.cancel(fillDeadline);
        if (fill != null) {
            if (leading) {
                cache.endFill(fill, CacheFill.Kind.RETRY);
            } else {
                fill.leave(this, cacheToken);
            }
            fill = null;
        }
        leading = false;
        cache = null;
        cacheKey = null;
        staleAnswer = null;
        verdict = null;
        cacheAgeSeconds = -1;
        waiterEndpoint = null;
    }

    // ---------------------------------------------------------------------------------------------
    // Answers made by the gateway
    // ---------------------------------------------------------------------------------------------

    /**
     * Answers the exchange with a problem document. The rest of the request, if any is still coming, is read and
     * dropped when the protocol keeps its connection that way and it is small enough; otherwise it is declined
     * (HTTP/1.1 closes after the answer, HTTP/2 resets the stream after it). A client awaiting 100-continue may
     * never send its body, so it is always declined.
     */
    private void answer(Outcome outcome, String detail, String allow) {
        if (cache != null && standsInFor(outcome)) {
            return; // a stale answer was served instead
        }
        CacheFill led = releaseLead();
        if (led != null) {
            // The waiters fail as the leader did, each under its own transaction id.
            cache.fillWithFailure(led, outcome, detail, exchange.retryAfterSeconds());
        }
        abandonUpstream();
        if (restComing()) {
            if (framing == BodyFraming.NONE) {
                moveRequest(RequestPhase.DISCARDING); // only the request's end is still to come
            } else if (expectContinue || !client.discardsRequestRest() || (framing == BodyFraming.CONTENT_LENGTH
                    && declaredLength - exchange.requestBodyBytes() > server.maxDiscardBytes())) {
                // Reading a large declared body only to drop it would let any client, with or without a key, hold
                // the connection (and a descriptor) for as long as it likes.
                declineRest(outcome == Outcome.BAD_REQUEST ? ClientSide.Abort.PROTOCOL_ERROR : ClientSide.Abort.NO_ERROR);
            } else {
                // Dropped only up to maxDiscardBytes and within the head timeout.
                moveRequest(RequestPhase.DISCARDING);
                discardFrom = exchange.requestBodyBytes();
                deadlines.schedule(discardDeadline, clock.nanoTime() + server.requestHeadTimeoutNanos());
            }
        }
        ByteBuf body = alloc.heapBuffer(PROBLEM_BYTES);
        Problem.writeBody(body, outcome, detail, exchange.txMsb(), exchange.txLsb());
        exchange.status(outcome.status());
        boolean withBody = method != HttpMethod.HEAD;
        if (withBody) {
            exchange.addResponseBodyBytes(body.readableBytes());
        }
        answerAllow = allow;
        client.sendAnswer(outcome.status(), body, withBody);
        answerAllow = null;
        long now = clock.nanoTime();
        complete(outcome, ResponsePhase.ENDED, now);
        if (request == RequestPhase.SENT || request == RequestPhase.RESENDING) {
            moveRequest(RequestPhase.DONE);
        }
        if (request == RequestPhase.DONE) {
            finish(now);
        } else {
            client.resumeReading(); // DISCARDING: read the rest and drop it
        }
    }

    /** A refusal found while the body streams: an answer if none started, else the exchange is cut short. */
    private void refuseMidRequest(Outcome outcome, String detail, Outcome ifAnswering) {
        abandonUpstream();
        if (response == ResponsePhase.NONE) {
            if (restComing()) {
                declineRest(outcome == Outcome.BAD_REQUEST ? ClientSide.Abort.PROTOCOL_ERROR
                        : ClientSide.Abort.NO_ERROR);
            }
            answer(outcome, detail, null);
        } else {
            abortExchange(ifAnswering, ClientSide.Abort.PROTOCOL_ERROR);
        }
    }

    private String tooLarge() {
        return "the request body exceeds " + server.maxRequestBodyBytes() + " bytes";
    }

    // ---------------------------------------------------------------------------------------------
    // Deadlines
    // ---------------------------------------------------------------------------------------------

    /**
     * The response head's deadline for the attempt in flight: the service's responseTimeout from the request's first
     * whole send, over all its attempts, or the retry settings' perTryTimeout from now when that is sooner.
     */
    private void armResponseDeadline() {
        long now = clock.nanoTime();
        if (overallDeadlineNanos == 0) {
            overallDeadlineNanos = now + service.responseTimeoutNanos();
        }
        long perTry = retryPolicy.perTryTimeoutNanos();
        perTryArmed = perTry > 0 && now + perTry < overallDeadlineNanos;
        deadlines.schedule(responseDeadline, perTryArmed ? now + perTry : overallDeadlineNanos);
    }

    /**
     * The request did not arrive whole within the service's requestTimeout, however steadily it came: 408 if
     * nothing has been answered yet, else the exchange is cut short. The half-sent upstream request is closed:
     * mid-request its framing is not at a message boundary.
     */
    private void requestTimedOut(long now) {
        if (request != RequestPhase.WAITING && request != RequestPhase.STREAMING && request != RequestPhase.RESENDING) {
            return;
        }
        String detail = "the request did not arrive whole within "
                + TimeUnit.NANOSECONDS.toMillis(service.requestTimeoutNanos()) + " ms of its head";
        if (response == ResponsePhase.NONE) {
            abandonUpstream();
            declineRest(ClientSide.Abort.NO_ERROR);
            answer(Outcome.REQUEST_TIMEOUT, detail, null);
            client.flush();
        } else {
            abortExchange(Outcome.REQUEST_TIMEOUT, ClientSide.Abort.CANCEL);
        }
    }

    /** The provider gave no response head within the service's responseTimeout of the request's end: 504. */
    private void responseTimedOut(long now) {
        if (response != ResponsePhase.NONE || upstream == null) {
            return;
        }
        endpointOutcome(FailureKind.TIMEOUT, 0);
        endRetry();
        if (perTryArmed && request == RequestPhase.SENT && canReplay() && retryPolicy.on(RetryConfig.On.TIMEOUT)) {
            // Only a per-try timeout gets here: the attempt's connection is closed, its answer would have no taker.
            UpstreamConnection c = upstream;
            upstream = null;
            if (retryElsewhere(RetryReason.TIMEOUT)) {
                c.close();
                return;
            }
            upstream = c;
        }
        hintRetryAfter();
        long waited = perTryArmed ? retryPolicy.perTryTimeoutNanos() : service.responseTimeoutNanos();
        answer(Outcome.UPSTREAM_TIMEOUT, "the provider " + service.provider() + " did not answer within "
                + TimeUnit.NANOSECONDS.toMillis(waited) + " ms", null);
        client.flush();
    }

    /**
     * The client took none of its response for the sendTimeout: cut off, whether or not the provider has finished,
     * so that a client that stops reading cannot hold the exchange, its buffered response and (while the provider
     * still sends) an upstream connection for as long as it likes.
     */
    private void sendTimedOut(long now) {
        if (request == RequestPhase.NONE) {
            return;
        }
        log.debug("client {} took none of the response for {} ms", exchange.clientAddress(),
                TimeUnit.NANOSECONDS.toMillis(sendTimeoutNanos()));
        abortExchange(Outcome.SEND_TIMEOUT, ClientSide.Abort.CANCEL);
    }

    /** A refused request's rest was not dropped within the head timeout. */
    private void discardTimedOut(long now) {
        if (request == RequestPhase.DISCARDING) {
            abortExchange(Outcome.REQUEST_TIMEOUT, ClientSide.Abort.NO_ERROR);
        }
    }

    /** The service's sendTimeout, or the server's idle timeout for an answer made before a service was known. */
    private long sendTimeoutNanos() {
        return service != null ? service.sendTimeoutNanos() : server.idleTimeoutNanos();
    }

    /** The client's writability changed (its channel, or its stream's window). */
    public void onClientWritabilityChanged(boolean writable) {
        if (upstream != null) {
            upstream.setClientWritable(writable);
        }
        if (writable) {
            deadlines.cancel(sendDeadline);
        } else if (request != RequestPhase.NONE && !sendDeadline.scheduled()) {
            deadlines.schedule(sendDeadline, clock.nanoTime() + sendTimeoutNanos());
        }
    }

    /** After a write: a client that cannot take more stops the upstream and starts the send clock. */
    private void noteClientWritability() {
        if (!client.clientWritable()) {
            onClientWritabilityChanged(false);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Complete, withhold, release
    // ---------------------------------------------------------------------------------------------

    /** Tells the stages the exchange is over (once), before its last byte is flushed. */
    private void complete(Outcome outcome, ResponsePhase end) {
        complete(outcome, end, clock.nanoTime());
    }

    /** {@link #complete(Outcome, ResponsePhase)} at {@code nowNanos}, a reading of the loop's clock just taken. */
    private void complete(Outcome outcome, ResponsePhase end, long nowNanos) {
        if (response.completed()) {
            return;
        }
        moveResponse(end);
        stages.complete(exchange, outcome, nowNanos);
        if (exchange.withheld()) {
            client.withhold();
        }
    }

    /** The exchange cannot end normally: completed with {@code outcome} and ended by the front end. */
    private void abortExchange(Outcome outcome, ClientSide.Abort code) {
        CacheFill led = releaseLead();
        if (led != null) {
            if (outcome == Outcome.UPSTREAM_ABORTED) {
                cache.fillWithFailure(led, Outcome.UPSTREAM_UNAVAILABLE, "the provider " + service.provider()
                        + " failed before giving a complete response", -1);
            } else {
                cache.endFill(led, CacheFill.Kind.RETRY); // this client's own end: the waiters ask again
            }
        }
        abandonUpstream();
        complete(outcome, ResponsePhase.ABORTED);
        if (request != RequestPhase.DONE) {
            moveRequest(RequestPhase.DONE);
        }
        client.abort(code);
    }

    /** Nothing more of the request is read for this exchange; the front end ends it its own way. */
    private void declineRest(ClientSide.Abort code) {
        moveRequest(RequestPhase.DONE);
        client.declineRequestRest(code);
    }

    private boolean restComing() {
        return request == RequestPhase.HEAD || request == RequestPhase.WAITING || request == RequestPhase.STREAMING
                || (request == RequestPhase.RESENDING && !resendWhole);
    }

    /**
     * The client's connection closed, or its stream was reset: a request not yet upstream never reaches it, one
     * partly or wholly sent is cancelled by closing its upstream connection (the provider must not take a
     * truncated request for a whole one). An HTTP/2 stream reset after its request was sent whole may instead hand
     * the upstream connection to {@link UpstreamConnection#discardResponse} before calling this, to keep it. The
     * outcome is {@link Outcome#CLIENT_ABORTED}, or {@link Outcome#SHUTDOWN_ABORTED} when the gateway closed the
     * connection at its drain deadline.
     */
    public void onClientGone() {
        if (request == RequestPhase.NONE) {
            return;
        }
        abandonUpstream();
        complete(server.pastDrainDeadline() ? Outcome.SHUTDOWN_ABORTED : Outcome.CLIENT_ABORTED, ResponsePhase.ABORTED);
        if (request != RequestPhase.DONE) {
            moveRequest(RequestPhase.DONE);
        }
        reset();
    }

    /**
     * The client cancelled this exchange but keeps its connection (an HTTP/2 stream reset): a request sent whole is
     * answered upstream anyway, so the response is read and dropped there (up to {@code maxDrainedBytes}, within the
     * service's responseTimeout) and the connection goes back to the pool instead of the reset costing a new one.
     */
    public void onClientCancelled(long maxDrainedBytes) {
        if (request == RequestPhase.SENT && upstream != null) {
            deadlines.cancel(responseDeadline);
            releaseForwardHead();
            UpstreamConnection c = upstream;
            upstream = null;
            c.discardResponse(maxDrainedBytes, service.responseTimeoutNanos());
        }
        onClientGone();
    }

    /** Both sides are over: the front end goes on with its next exchange (or closes). */
    /** Ends the exchange on both sides; {@code nowNanos} is a reading of the loop's clock just taken. */
    private void finish(long nowNanos) {
        reset();
        client.exchangeOver(nowNanos);
    }

    private void reset() {
        moveRequest(RequestPhase.NONE);
        moveResponse(ResponsePhase.NONE);
        deadlines.cancel(requestDeadline);
        deadlines.cancel(responseDeadline);
        deadlines.cancel(sendDeadline);
        deadlines.cancel(discardDeadline);
        deadlines.cancel(backoffDeadline);
        releaseForwardHead();
        releaseReplay();
        endRetry();
        endCache();
        if (budgetCounted) {
            budgetCounted = false;
            retryPolicy.budget().requestEnded();
        }
        retryPolicy = null;
        service = null;
        if (pool != null) {
            pool.exchangeEnded();
            pool = null;
        }
    }

    /**
     * What the chosen endpoint did for this exchange, for its balancing and outlier ejection: a failure of
     * {@code failure}'s kind, or (null) a response head of {@code status}.
     */
    private void endpointOutcome(FailureKind failure, int status) {
        if (pool == null) {
            return;
        }
        if (failure != null) {
            pool.failed(failure);
        } else {
            pool.responded(status);
        }
    }

    /** Drops the upstream side: the connection is closed, never reused; a pending acquisition is withdrawn. */
    private void abandonUpstream() {
        deadlines.cancel(responseDeadline);
        deadlines.cancel(backoffDeadline);
        releaseForwardHead();
        releaseReplay();
        replayable = false;
        endRetry();
        if (upstream != null) {
            UpstreamConnection c = upstream;
            upstream = null;
            c.close();
        }
        if ((request == RequestPhase.WAITING || request == RequestPhase.RESENDING) && pool != null) {
            if (pool.cancel(this) && pendingAcquires > 0) {
                pendingAcquires--;
            }
        }
    }

    private void releaseForwardHead() {
        if (forwardHead != null) {
            forwardHead.release();
            forwardHead = null;
        }
        forwardHeaders = null;
    }

    // ---------------------------------------------------------------------------------------------
    // Phases, and what the front end reads of the exchange
    // ---------------------------------------------------------------------------------------------

    /** The one way the request phase moves: an illegal move throws (see {@link RequestPhase#to}). */
    private void moveRequest(RequestPhase next) {
        request = request.to(next);
        if (next != RequestPhase.WAITING && next != RequestPhase.STREAMING && next != RequestPhase.RESENDING) {
            deadlines.cancel(requestDeadline);
        }
        if (next != RequestPhase.DISCARDING) {
            deadlines.cancel(discardDeadline);
        }
    }

    /** The one way the response phase moves: an illegal move throws (see {@link ResponsePhase#to}). */
    private void moveResponse(ResponsePhase next) {
        response = response.to(next);
    }

    /** Whether an exchange is in flight. */
    public boolean active() {
        return request != RequestPhase.NONE;
    }

    /**
     * Whether nothing can call into this driver any more until its next exchange starts: no exchange in flight, no
     * deadline scheduled, no pool acquire outstanding and no upstream connection bound (a connection's listener is
     * cleared as it is released, closed or handed to {@link UpstreamConnection#discardResponse}). Such a driver may
     * serve another client stream.
     */
    public boolean idle() {
        return request == RequestPhase.NONE && response == ResponsePhase.NONE && pendingAcquires == 0
                && upstream == null && !requestDeadline.scheduled() && !responseDeadline.scheduled()
                && !sendDeadline.scheduled() && !discardDeadline.scheduled() && !backoffDeadline.scheduled()
                && !fillDeadline.scheduled();
    }

    public RequestPhase requestPhase() {
        return request;
    }

    public ResponsePhase responsePhase() {
        return response;
    }

    /** The facts of the exchange in flight (or the last one). */
    public Exchange exchange() {
        return exchange;
    }

    /**
     * Adds the fields the gateway puts on a provider's response: {@code X-Gozargah-Transaction}, the exchange's
     * {@code traceparent} (the gateway's span: the provider's, if any, was not passed on) and the stages' fields
     * (rate-limit state). The transaction id's bytes are the driver's own, as they stay until its next exchange.
     */
    public void writeResponseFields(HeaderSink sink) {
        sink.header(TX_NAME, transactionLine, TX_HEADER_NAME.length, TransactionIds.TEXT_LENGTH);
        writeCacheFields(sink);
        writeTraceAndStageFields(sink);
    }

    /**
     * {@code X-Gozargah-Cache} when the service's cache had a part in the exchange, and {@code Age} when it
     * answered.
     */
    private void writeCacheFields(HeaderSink sink) {
        CacheResult result = exchange.cacheResult();
        if (result != null) {
            sink.header(CACHE_NAME, CACHE_VALUES[result.ordinal()]);
            if (cacheAgeSeconds >= 0) {
                sink.header(AGE, cacheAgeSeconds);
            }
        }
    }

    /**
     * Adds the fields of the gateway's own answer ({@link ClientSide#sendAnswer}) whose problem document is
     * {@code bodyLength} bytes: its type and length, the transaction id, {@code Allow} and {@code Retry-After} when
     * the answer has them, the {@code traceparent} and the stages' fields.
     */
    public void writeAnswerFields(HeaderSink sink, int bodyLength) {
        sink.header(CONTENT_TYPE, PROBLEM_JSON);
        sink.header(KnownHeaders.NAME_CONTENT_LENGTH, bodyLength);
        sink.header(TX_NAME, transactionLine, TX_HEADER_NAME.length, TransactionIds.TEXT_LENGTH);
        if (answerAllow != null) {
            sink.header(ALLOW, answerAllow);
        }
        long retryAfterSeconds = exchange.retryAfterSeconds();
        if (retryAfterSeconds >= 0) {
            sink.header(RETRY_AFTER, retryAfterSeconds);
        }
        writeCacheFields(sink);
        writeTraceAndStageFields(sink);
    }

    private void writeTraceAndStageFields(HeaderSink sink) {
        sink.header(TraceParent.NAME, trace.value(), trace.valueOffset(), TraceParent.VALUE_LENGTH);
        stages.responseHeaders(exchange, sink);
    }
}
