package io.gozargah.engine.exchange;

import io.gozargah.codec.journal.SummaryReason;
import io.gozargah.engine.admission.AddressRateLimiter;
import io.gozargah.engine.auth.ApiKeyAuthenticator;
import io.gozargah.engine.auth.AuthFailureThrottle;
import io.gozargah.engine.auth.ClientCertificate;
import io.gozargah.engine.route.Consumer;
import io.gozargah.engine.route.PathRouter;
import io.gozargah.engine.route.RouteMatch;
import io.gozargah.engine.route.RoutingSnapshot;
import io.gozargah.engine.route.ServiceRoute;
import io.netty.buffer.ByteBuf;

import java.net.InetSocketAddress;

/**
 * The checks every request passes before it may go upstream, whatever protocol it came in: the path is
 * routed, the consumer identified (API key, client certificate, or both naming the same consumer), its
 * grant and the method checked, and the exchange stages asked to admit it. Both front ends (HTTP/1.1 and
 * HTTP/2) call it in the same two steps, so a request is refused the same way and with the same problem
 * detail whichever it spoke.
 *
 * <p>A failed authentication is counted against its client address ({@link AuthFailureThrottle}): past the
 * address's limit it is answered {@code 429 rate-limited} instead of 401 and the front end closes the connection
 * after the answer ({@link #closesConnection()}); a flood's failures are journaled as counts, not one by one.
 *
 * <p>One per connection (HTTP/1.1, or HTTP/2 for all its streams), used on its event loop; the match, the
 * refusal's detail and {@link #closesConnection()} are valid until the next call.
 */
public final class ExchangeGate {
    private final ExchangeStages stages;
    private final AuthFailureThrottle authFailures;
    private final RouteMatch match = new RouteMatch();
    private PathRouter.Verdict verdict;
    private String detail;
    private String allow;
    private boolean closesConnection;
    /** The client address whose throttle key is {@link #addressKey} (one per connection: computed once). */
    private InetSocketAddress keyedAddress;
    private long addressKey;

    public ExchangeGate(ExchangeStages stages, AuthFailureThrottle authFailures) {
        this.stages = stages;
        this.authFailures = authFailures;
        this.addressKey = AuthFailureThrottle.key(null);
    }

    /**
     * Routes the request-target {@code target[start, start + length)}; null when routing may go on (the
     * path named a service, or none: that is answered after authentication), else the refusal.
     */
    public Outcome route(Exchange x, ByteBuf target, int start, int length) {
        allow = null;
        detail = null;
        closesConnection = false;
        verdict = PathRouter.route(x.snapshot(), target, start, length, match);
        if (verdict == PathRouter.Verdict.BAD_PATH) {
            detail = "the request path is not acceptable: dot-segments, encoded separators,"
                    + " empty segments and malformed escapes are refused";
            return Outcome.BAD_REQUEST;
        }
        if (verdict == PathRouter.Verdict.ROUTED) {
            x.service(match.service());
        }
        return null;
    }

    /**
     * Identifies the consumer from the API key result ({@code byKey}, with {@code keys} saying how it went)
     * and the connection's {@code certificate}, then checks the route, grant and method and runs admission.
     * Null when the exchange may go upstream ({@link Exchange#consumer()} and {@link Exchange#service()} are
     * set), else the refusal with {@link #detail()} and {@link #allow()}.
     */
    public Outcome authorize(Exchange x, Consumer byKey, ApiKeyAuthenticator keys, ClientCertificate certificate) {
        closesConnection = false;
        RoutingSnapshot snapshot = x.snapshot();
        Consumer consumer = identify(snapshot, byKey, keys, certificate);
        x.consumer(consumer);
        if (consumer == null) {
            return failedAuthentication(x);
        }
        if (verdict == PathRouter.Verdict.UNKNOWN_SERVICE) {
            detail = "no service at this path; paths are /{provider}/{service}[/...]";
            return Outcome.UNKNOWN_SERVICE;
        }
        ServiceRoute service = match.service();
        if (!consumer.granted(service)) {
            detail = "consumer " + consumer.name() + " has no grant for " + service.qualifiedName();
            return Outcome.FORBIDDEN;
        }
        if (!service.allows(x.method())) {
            detail = service.qualifiedName() + " allows " + service.allowHeader();
            allow = service.allowHeader();
            return Outcome.METHOD_NOT_ALLOWED;
        }
        Outcome refused = stages.admit(x);
        if (refused != null) {
            String d = x.refusalDetail();
            detail = d != null ? d : refused.title();
        }
        return refused;
    }

    /**
     * A request that identified nobody, counted against its client address: 401 while the address is within its
     * limit, else 429 with {@code Retry-After} and the connection closed after it. A 429, and a 401 of an address
     * throttled since it last had its full burst, is journaled as part of the address's flood summary, without the
     * service, so that a flood over many paths is one count per address, not one per service.
     */
    private Outcome failedAuthentication(Exchange x) {
        InetSocketAddress address = x.clientAddress();
        if (address != keyedAddress) {
            keyedAddress = address;
            addressKey = AuthFailureThrottle.key(address);
        }
        long result = authFailures.failed(addressKey, x.startNanos());
        if (result == AddressRateLimiter.ADMITTED) {
            return Outcome.UNAUTHENTICATED;
        }
        x.service(null);
        x.summarize(SummaryReason.AUTHENTICATION_FLOOD);
        if (!AuthFailureThrottle.isThrottled(result)) {
            return Outcome.UNAUTHENTICATED;
        }
        x.retryAfterSeconds(authFailures.retryAfterSeconds(result));
        detail = authFailures.detail(result, address);
        closesConnection = true;
        return Outcome.RATE_LIMITED;
    }

    /**
     * Deny by default. A key alone or a certificate alone identifies its consumer; when both are presented
     * they must name the same one, so a leaked key cannot be used from another organisation's certificate
     * (and the other way round). A certificate that did not verify counts as absent.
     */
    private Consumer identify(RoutingSnapshot snapshot, Consumer byKey, ApiKeyAuthenticator keys,
                              ClientCertificate certificate) {
        if (!certificate.present()) {
            if (byKey == null) {
                detail = certificate.wasRejected()
                        ? keys.failureDetail() + "; the client certificate did not verify (unknown issuer, expired"
                        + " or not yet valid) and was ignored"
                        : keys.failureDetail();
            }
            return byKey;
        }
        Consumer byCertificate = certificate.consumer(snapshot);
        if (!keys.keyPresented()) {
            if (byCertificate == null) {
                detail = "the client certificate " + certificate.fingerprintText() + " belongs to no consumer";
            }
            return byCertificate;
        }
        if (byKey == null) {
            detail = keys.failureDetail();
            return null;
        }
        if (byCertificate != byKey) {
            detail = "the API key names consumer " + byKey.name() + " but the client certificate "
                    + (byCertificate == null ? certificate.fingerprintText() + " names no consumer"
                    : "names consumer " + byCertificate.name()) + "; both must name the same consumer";
            return null;
        }
        return byKey;
    }

    /** What the last route or authorize call matched. */
    public RouteMatch match() {
        return match;
    }

    /** The problem detail of the last refusal. */
    public String detail() {
        return detail;
    }

    /**
     * Whether the last refusal ends the connection once it is answered (a throttled authentication failure):
     * HTTP/1.1 answers with {@code Connection: close}, HTTP/2 sends GOAWAY after the answer.
     */
    public boolean closesConnection() {
        return closesConnection;
    }

    /** The {@code Allow} value of a 405, else null. */
    public String allow() {
        return allow;
    }
}
