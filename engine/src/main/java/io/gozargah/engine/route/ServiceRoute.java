package io.gozargah.engine.route;

import io.gozargah.codec.http1.HttpMethod;
import io.gozargah.codec.http1.KnownHeaders;
import io.gozargah.engine.cache.InquiryCache;
import io.gozargah.engine.retry.RetryPolicy;
import io.gozargah.engine.subject.SubjectExtractor;
import io.gozargah.engine.upstream.UpstreamEndpoint;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * A routable service in a snapshot: everything the hot path needs, precomputed as bytes and masks.
 */
public final class ServiceRoute {
    private final int id;
    private final String provider;
    private final String name;
    private final byte[] upstreamPath;
    private final int methodMask;
    private final String allow;
    private final long responseTimeoutNanos;
    private final long requestTimeoutNanos;
    private final long sendTimeoutNanos;
    private final UpstreamEndpoint[] endpoints;
    private final int journalId;
    private final boolean journalBodyHashes;
    /** Bit per {@link KnownHeaders} id of the client-claim fields this service's provider receives as sent. */
    private final long passedClaims;
    private final SubjectExtractor subject;
    private final long maxResponseBytes;
    private final RetryPolicy retry;
    /** The service's inquiry cache, shared by the loops; null when the service is not cached. */
    private final InquiryCache cache;

    ServiceRoute(int id, String provider, String name, String upstreamPath, List<String> methods,
                 long responseTimeoutNanos, long requestTimeoutNanos, long sendTimeoutNanos, UpstreamEndpoint[] endpoints,
                 int journalId, boolean journalBodyHashes,
                 Set<String> passFields) {
        this(id, provider, name, upstreamPath, methods, responseTimeoutNanos, requestTimeoutNanos, sendTimeoutNanos,
                endpoints, journalId, journalBodyHashes, passFields, null, Long.MAX_VALUE);
    }

    ServiceRoute(int id, String provider, String name, String upstreamPath, List<String> methods,
                 long responseTimeoutNanos, long requestTimeoutNanos, long sendTimeoutNanos, UpstreamEndpoint[] endpoints,
                 int journalId, boolean journalBodyHashes,
                 Set<String> passFields, SubjectExtractor subject, long maxResponseBytes) {
        this(id, provider, name, upstreamPath, methods, responseTimeoutNanos, requestTimeoutNanos, sendTimeoutNanos,
                endpoints, journalId, journalBodyHashes, passFields, subject, maxResponseBytes,
                RetryPolicy.defaults(provider));
    }

    ServiceRoute(int id, String provider, String name, String upstreamPath, List<String> methods,
                 long responseTimeoutNanos, long requestTimeoutNanos, long sendTimeoutNanos, UpstreamEndpoint[] endpoints,
                 int journalId, boolean journalBodyHashes,
                 Set<String> passFields, SubjectExtractor subject, long maxResponseBytes, RetryPolicy retry) {
        this(id, provider, name, upstreamPath, methods, responseTimeoutNanos, requestTimeoutNanos, sendTimeoutNanos,
                endpoints, journalId, journalBodyHashes, passFields, subject, maxResponseBytes, retry, null);
    }

    ServiceRoute(int id, String provider, String name, String upstreamPath, List<String> methods,
                 long responseTimeoutNanos, long requestTimeoutNanos, long sendTimeoutNanos, UpstreamEndpoint[] endpoints,
                 int journalId, boolean journalBodyHashes,
                 Set<String> passFields, SubjectExtractor subject, long maxResponseBytes, RetryPolicy retry,
                 InquiryCache cache) {
        this.id = id;
        this.cache = cache;
        this.retry = retry;
        this.maxResponseBytes = maxResponseBytes;
        this.subject = subject;
        long passed = 0;
        for (String field : passFields) {
            passed |= 1L << KnownHeaders.idOfLowerCase(field);
        }
        this.passedClaims = passed;
        this.journalId = journalId;
        this.journalBodyHashes = journalBodyHashes;
        this.provider = provider;
        this.name = name;
        // "/" maps to the empty prefix so that "/{p}/{s}/x" becomes "/x" rather than "//x".
        this.upstreamPath = "/".equals(upstreamPath) ? new byte[0] : upstreamPath.getBytes(StandardCharsets.US_ASCII);
        int mask = 0;
        for (String m : methods) {
            mask |= 1 << HttpMethod.valueOf(m).ordinal();
        }
        this.methodMask = mask;
        this.allow = String.join(", ", methods);
        this.responseTimeoutNanos = responseTimeoutNanos;
        this.requestTimeoutNanos = requestTimeoutNanos;
        this.sendTimeoutNanos = sendTimeoutNanos;
        this.endpoints = endpoints;
    }

    /** Dense id within its snapshot, 0-based: index into grant bitmaps and per-service counters. */
    public int id() {
        return id;
    }

    public String provider() {
        return provider;
    }

    public String name() {
        return name;
    }

    /** {@code provider/service}. */
    public String qualifiedName() {
        return provider + "/" + name;
    }

    /** The upstream path prefix for this service, empty when the service maps to "/". */
    public byte[] upstreamPath() {
        return upstreamPath;
    }

    public boolean allows(HttpMethod method) {
        return method != HttpMethod.OTHER && (methodMask & (1 << method.ordinal())) != 0;
    }

    /** Value of the {@code Allow} header for 405 answers (RFC 9110 §15.5.6). */
    public String allowHeader() {
        return allow;
    }

    public long responseTimeoutNanos() {
        return responseTimeoutNanos;
    }

    /** How long after its head a request may take to arrive whole (408 past it). */
    public long requestTimeoutNanos() {
        return requestTimeoutNanos;
    }

    /** How long a client may take none of a response before it is cut off. */
    public long sendTimeoutNanos() {
        return sendTimeoutNanos;
    }

    /** The largest response body the provider may send for this service ({@link Long#MAX_VALUE}: no limit). */
    public long maxResponseBytes() {
        return maxResponseBytes;
    }

    /** The service's journal dictionary id, for {@code provider/service} (0 when the journal is off). */
    public int journalId() {
        return journalId;
    }

    /** Whether the journal keeps SHA-256 hashes of this service's request and response bodies. */
    public boolean journalBodyHashes() {
        return journalBodyHashes;
    }

    /**
     * Whether the client-claim field {@code knownId} ({@link KnownHeaders#isClientClaim}) goes to this service's
     * provider as the client sent it (listed in the service's {@code passFields}).
     */
    public boolean passes(int knownId) {
        return (passedClaims & (1L << knownId)) != 0;
    }

    /** What finds the subject of this service's requests for the journal, or null when it names none. */
    public SubjectExtractor subject() {
        return subject;
    }

    public UpstreamEndpoint[] endpoints() {
        return endpoints;
    }

    /** When and how a failed request to this service is sent again, and its provider's retry budget. */
    public RetryPolicy retry() {
        return retry;
    }

    /** The service's inquiry cache (shared by every loop, kept across reloads that leave its settings); or null. */
    public InquiryCache cache() {
        return cache;
    }
}
