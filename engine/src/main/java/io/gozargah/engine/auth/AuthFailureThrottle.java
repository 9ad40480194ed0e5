package io.gozargah.engine.auth;

import io.gozargah.engine.admission.AddressRateLimiter;
import io.gozargah.engine.admission.GcraRateLimiter;
import io.gozargah.engine.config.AuthFailuresConfig;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * Failed authentications counted per client address (IPv4 address, IPv6 /64) against {@code server.authFailures}:
 * past the address's burst and rate a failure is throttled, which its caller answers {@code 429 rate-limited}
 * with {@code Retry-After}, closing the connection, and journals as part of a count. Only failures are counted:
 * a request that authenticates is never asked about, so a consumer with a valid key is never held back by what
 * others at its address do, and keys (256 random bits) are not guessed however fast anyone tries. One per gateway,
 * shared by the event loops (the table is lock-free).
 *
 * <p>The answers, as {@link #failed} gives them:
 * <ul>
 * <li>{@link AddressRateLimiter#ADMITTED}: within the limit: 401, with a record of its own, so the first failures
 * of an address are seen one by one;</li>
 * <li>{@link AddressRateLimiter#ADMITTED_WHILE_REFUSING}: within the rate, but the address has been throttled
 * since it last had its full burst: 401, counted into the flood's summary;</li>
 * <li>anything else: throttled (the address is past its limit, or the table has no room for it: see
 * {@link AddressRateLimiter}), 429, counted into the summary.</li>
 * </ul>
 */
public final class AuthFailureThrottle {
    /** No throttle: every failure is {@link AddressRateLimiter#ADMITTED}. */
    public static final AuthFailureThrottle OFF = new AuthFailureThrottle(null, null);

    /** The key of a connection whose client address is not an IP address (none in production; embedded tests). */
    private static final long UNKNOWN_ADDRESS = 0xFF00_0000_0000_0001L;

    private final AddressRateLimiter limiter;
    private final AuthFailuresConfig config;
    private final String limitText;
    private final LongAdder throttled = new LongAdder();

    private AuthFailureThrottle(AddressRateLimiter limiter, AuthFailuresConfig config) {
        this.limiter = limiter;
        this.config = config;
        this.limitText = config == null ? ""
                : "more than " + config.burst() + " at once or " + rateText(config.perSecond());
    }

    /** The throttle of {@code config}, with a fresh table and a random seed for its hash; {@link #OFF} if disabled. */
    public static AuthFailureThrottle of(AuthFailuresConfig config) {
        if (!config.enabled()) {
            return OFF;
        }
        return new AuthFailureThrottle(new AddressRateLimiter(config.perSecond(), config.burst(), config.addresses(),
                new SecureRandom().nextLong()), config);
    }

    /** The key {@link #failed} takes for a connection's client address (allocates: once per connection). */
    public static long key(InetSocketAddress address) {
        return address == null || address.getAddress() == null ? UNKNOWN_ADDRESS
                : AddressRateLimiter.key(address.getAddress());
    }

    /**
     * Counts one failed authentication from the address with {@code addressKey} at {@code nowNanos}.
     *
     * @return {@link AddressRateLimiter#ADMITTED} (401, own record), {@link AddressRateLimiter#ADMITTED_WHILE_REFUSING}
     *         (401, summarized), or a refusal (429, summarized; {@link #retryAfterSeconds}, {@link #detail})
     */
    public long failed(long addressKey, long nowNanos) {
        if (limiter == null) {
            return AddressRateLimiter.ADMITTED;
        }
        long result = limiter.tryAcquire(addressKey, nowNanos);
        if (!AddressRateLimiter.isAdmitted(result)) {
            throttled.increment();
        }
        return result;
    }

    /** Whether a {@link #failed} result is a throttled failure (429). */
    public static boolean isThrottled(long result) {
        return !AddressRateLimiter.isAdmitted(result);
    }

    /** The {@code Retry-After} of a throttled failure: whole seconds until the address may fail again, at least 1. */
    public long retryAfterSeconds(long result) {
        return GcraRateLimiter.retryAfterSeconds(limiter.waitNanos(result));
    }

    /** The problem detail of a throttled failure from {@code address} (allocates: a throttled connection closes). */
    public String detail(long result, InetSocketAddress address) {
        if (result == AddressRateLimiter.NO_ROOM) {
            return "authentication is failing from too many client addresses at once, so a failure from one not yet"
                    + " counted is refused: retry after Retry-After seconds with a valid API key or client certificate;"
                    + " the connection is closed";
        }
        String from = address == null || address.getAddress() == null ? "this client address"
                : "client address " + address.getAddress().getHostAddress();
        return "authentication failed too often from " + from + " (" + limitText + ", counted per IPv4 address or"
                + " IPv6 /64): it is throttled, its failed requests are refused until it slows down; retry after"
                + " Retry-After seconds with a valid API key or client certificate; the connection is closed";
    }

    /** Failures answered 429 since start, {@link #noRoomRefusals()} included. */
    public long throttled() {
        return throttled.sum();
    }

    /** Failures answered 429 because the table had no room for their address. */
    public long noRoomRefusals() {
        return limiter == null ? 0 : limiter.noRoomRefusals();
    }

    /** Addresses whose failures are being counted at {@code nowNanos} (short of their full burst). */
    public int addresses(long nowNanos) {
        return limiter == null ? 0 : limiter.addresses(nowNanos);
    }

    /** Slots of the table (0 when off). */
    public int slots() {
        return limiter == null ? 0 : limiter.slots();
    }

    /** {@code 10 a second}, {@code 30 a minute}, {@code 5 an hour}: the rate as the config could have said it. */
    static String rateText(double perSecond) {
        if (perSecond >= 1) {
            return number(perSecond) + " a second";
        }
        return perSecond * 60 >= 1 ? number(perSecond * 60) + " a minute" : number(perSecond * 3600) + " an hour";
    }

    private static String number(double n) {
        return BigDecimal.valueOf(n).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }
}
