package io.gozargah.engine.exchange;

import io.gozargah.codec.http1.HttpMethod;
import io.gozargah.engine.admission.AdmissionTicket;
import io.gozargah.engine.cache.CacheResult;
import io.gozargah.engine.route.Consumer;
import io.gozargah.engine.route.RoutingSnapshot;
import io.gozargah.engine.route.ServiceRoute;
import io.gozargah.engine.server.LoopResources;
import io.gozargah.engine.upstream.UpstreamEndpoint;

import java.net.InetSocketAddress;

/**
 * The facts of one transaction, as the protocol front end learns them, for the {@link ExchangeStage}s that
 * admit, observe and record it. One instance per HTTP/1.1 connection (reset for each exchange) or per
 * HTTP/2 stream; it lives on the connection's event loop and is never shared between threads, so stages
 * may keep their own per-exchange state in it (see the fields marked for stages).
 *
 * <p>Times are {@link System#nanoTime()} values except {@link #startEpochNanos()}. Zero means "did not
 * happen": a request refused before it went upstream has {@code upstreamStartNanos == 0}.
 */
public final class Exchange {
    /** The protocol the consumer spoke. */
    public enum Protocol {
        HTTP_1_0, HTTP_1_1, HTTP_2
    }

    private final LoopResources loop;
    private InetSocketAddress clientAddress;
    private Protocol protocol = Protocol.HTTP_1_1;

    private long txMsb;
    private long txLsb;
    private long startNanos;
    private long startEpochNanos;
    private RoutingSnapshot snapshot;
    private Consumer consumer;
    private ServiceRoute service;
    private HttpMethod method = HttpMethod.OTHER;
    private UpstreamEndpoint endpoint;
    private long upstreamStartNanos;
    private int attempts;
    private long responseHeadNanos;
    private long endNanos;
    private long requestBodyBytes;
    private long responseBodyBytes;
    private int status;
    private Outcome outcome;
    private boolean admitted;
    private long retryAfterSeconds = -1;
    private String refusalDetail;
    /** For the admission stage: made on first use, kept for every exchange on this instance. */
    private AdmissionTicket admissionTicket;
    private boolean withheld;
    private int summaryReason;
    private boolean subject;
    private long subjectHashHigh;
    private long subjectHashLow;
    private CacheResult cacheResult;
    /** For the journal stage: its per-exchange-instance scratch, kept across exchanges (see JournalStage). */
    private Object journalState;

    public Exchange(LoopResources loop) {
        this.loop = loop;
    }

    /** Starts a new transaction: everything from the previous one on this instance is cleared. */
    public void start(long txMsb, long txLsb, long startNanos, long startEpochNanos) {
        this.txMsb = txMsb;
        this.txLsb = txLsb;
        this.startNanos = startNanos;
        this.startEpochNanos = startEpochNanos;
        snapshot = null;
        consumer = null;
        service = null;
        method = HttpMethod.OTHER;
        endpoint = null;
        upstreamStartNanos = 0;
        attempts = 0;
        responseHeadNanos = 0;
        endNanos = 0;
        requestBodyBytes = 0;
        responseBodyBytes = 0;
        status = 0;
        outcome = null;
        admitted = false;
        retryAfterSeconds = -1;
        refusalDetail = null;
        withheld = false;
        summaryReason = 0;
        subject = false;
        subjectHashHigh = 0;
        subjectHashLow = 0;
        cacheResult = null;
    }

    /** The event loop's own resources (pools, scratch space, per-loop state of stages). */
    public LoopResources loop() {
        return loop;
    }

    public InetSocketAddress clientAddress() {
        return clientAddress;
    }

    /** Set once per connection. */
    public void clientAddress(InetSocketAddress address) {
        this.clientAddress = address;
    }

    public Protocol protocol() {
        return protocol;
    }

    public void protocol(Protocol p) {
        this.protocol = p;
    }

    public long txMsb() {
        return txMsb;
    }

    public long txLsb() {
        return txLsb;
    }

    /** When the request head was complete (nanoTime). */
    public long startNanos() {
        return startNanos;
    }

    /** The same instant as nanoseconds since the Unix epoch. */
    public long startEpochNanos() {
        return startEpochNanos;
    }

    /** The routing snapshot the exchange started with and finishes on (null before routing). */
    public RoutingSnapshot snapshot() {
        return snapshot;
    }

    public void snapshot(RoutingSnapshot s) {
        this.snapshot = s;
    }

    /** The authenticated consumer, or null when not (yet) known. */
    public Consumer consumer() {
        return consumer;
    }

    public void consumer(Consumer c) {
        this.consumer = c;
    }

    /** The routed service, or null when the path named none. */
    public ServiceRoute service() {
        return service;
    }

    public void service(ServiceRoute s) {
        this.service = s;
    }

    public HttpMethod method() {
        return method;
    }

    public void method(HttpMethod m) {
        this.method = m;
    }

    /** The upstream endpoint chosen, or null when the request never went upstream. */
    public UpstreamEndpoint endpoint() {
        return endpoint;
    }

    public void endpoint(UpstreamEndpoint e) {
        this.endpoint = e;
    }

    /** When the request head was handed to an upstream connection (nanoTime), 0 if never. */
    /**
     * How many times the request was sent upstream: 0 when it never went, 1 for a first send alone, more for each
     * retry and each resend on a fresh connection after a reused one turned out closed.
     */
    public int attempts() {
        return attempts;
    }

    /** One more send of the request upstream. */
    public void countAttempt() {
        attempts++;
    }

    public long upstreamStartNanos() {
        return upstreamStartNanos;
    }

    public void upstreamStartNanos(long t) {
        this.upstreamStartNanos = t;
    }

    /** When the provider's final response head arrived (nanoTime), 0 if never. */
    public long responseHeadNanos() {
        return responseHeadNanos;
    }

    public void responseHeadNanos(long t) {
        this.responseHeadNanos = t;
    }

    /** When the exchange ended (nanoTime); set just before {@link ExchangeStage#complete}. */
    public long endNanos() {
        return endNanos;
    }

    public void endNanos(long t) {
        this.endNanos = t;
    }

    /** Request body bytes received from the consumer (after de-chunking). */
    public long requestBodyBytes() {
        return requestBodyBytes;
    }

    public void addRequestBodyBytes(long n) {
        requestBodyBytes += n;
    }

    /** Response body bytes sent to the consumer (the provider's content or the problem document). */
    public long responseBodyBytes() {
        return responseBodyBytes;
    }

    public void addResponseBodyBytes(long n) {
        responseBodyBytes += n;
    }

    /** The status answered to the consumer, 0 if no response head was sent. */
    public int status() {
        return status;
    }

    public void status(int s) {
        this.status = s;
    }

    /**
     * How it ended: {@link Outcome#PROXIED} for a provider's answer passed through whole, a gateway error, or
     * an abort. Null until the front end knows.
     */
    public Outcome outcome() {
        return outcome;
    }

    public void outcome(Outcome o) {
        this.outcome = o;
    }

    /** True once every stage admitted the exchange (it then went, or was about to go, upstream). */
    public boolean admitted() {
        return admitted;
    }

    void admitted(boolean a) {
        this.admitted = a;
    }

    /** Seconds for a {@code Retry-After} on a refusal, or -1 for none; set by the stage that refused. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public void retryAfterSeconds(long s) {
        this.retryAfterSeconds = s;
    }

    /** The problem document's {@code detail} for a refusal, set by the stage that refused (null: a generic one). */
    public String refusalDetail() {
        return refusalDetail;
    }

    public void refusalDetail(String detail) {
        this.refusalDetail = detail;
    }

    /** The admission stage's per-exchange state (not cleared by {@link #start}: the stage clears it). */
    public AdmissionTicket admissionTicket() {
        return admissionTicket;
    }

    public void admissionTicket(AdmissionTicket t) {
        this.admissionTicket = t;
    }

    /**
     * Set by a stage in {@link ExchangeStage#complete} when it could not record the exchange: the front end must
     * then not let the answer reach the consumer (it closes the connection without flushing), so that no client
     * holds a transaction id the journal lacks.
     */
    public void withhold() {
        this.withheld = true;
    }

    public boolean withheld() {
        return withheld;
    }

    /**
     * Asks the journal to count this exchange into a refusal summary instead of writing a record of its own: one
     * summary record per (reason, outcome, status, consumer, service, client address) and interval, with the
     * count and the first and last transaction id counted. For floods of refusals that would otherwise fill the
     * journal with records saying the same thing (failed authentication from one address). Any code that sees
     * the exchange before it completes may call it; the exchange is still answered as usual. Ignored for an
     * exchange that admission let through (it went upstream, so it always gets a record of its own).
     *
     * @param reason a {@link io.gozargah.codec.journal.SummaryReason} code other than {@code UNKNOWN}, e.g.
     *               {@code SummaryReason.AUTHENTICATION_FLOOD}
     */
    public void summarize(int reason) {
        if (reason <= 0 || reason > 0xFF) {
            throw new IllegalArgumentException("a summary reason is a SummaryReason code from 1 to 255, not " + reason);
        }
        this.summaryReason = reason;
    }

    /** The reason given to {@link #summarize}, or 0 when the exchange is to be journaled on its own. */
    public int summaryReason() {
        return summaryReason;
    }

    /** The journal stage's state for this exchange instance, or null before its first use. */
    public Object journalState() {
        return journalState;
    }

    public void journalState(Object state) {
        this.journalState = state;
    }

    /**
     * The keyed hash of the subject the request is about (see {@code io.gozargah.engine.subject.SubjectKey}), its
     * 16 bytes as two big-endian longs; set by the service's subject extractor before the request is forwarded,
     * journaled with the transaction. Never the subject itself.
     */
    public void subjectHash(long high, long low) {
        this.subject = true;
        this.subjectHashHigh = high;
        this.subjectHashLow = low;
    }

    /** Whether the request named a subject its service looks for. */
    public boolean hasSubject() {
        return subject;
    }

    /** The subject hash's first 8 bytes, big-endian; 0 without a subject. */
    public long subjectHashHigh() {
        return subjectHashHigh;
    }

    /** The subject hash's last 8 bytes, big-endian; 0 without a subject. */
    public long subjectHashLow() {
        return subjectHashLow;
    }

    /** What the service's cache did for this exchange, or null when it had no part in it. */
    public CacheResult cacheResult() {
        return cacheResult;
    }

    public void cacheResult(CacheResult r) {
        this.cacheResult = r;
    }
}
