package io.gozargah.engine.cache;

import io.gozargah.codec.http1.HeaderBlock;
import io.gozargah.codec.http1.KnownHeaders;
import io.gozargah.engine.config.CacheConfig;
import io.gozargah.engine.subject.HeaderLookup;
import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * What HTTP caching (RFC 9111, as a shared cache) says of a consumer's request and of a provider's answer: whether
 * the request may be answered from the cache, and whether, and for how long, the answer may be kept.
 */
public final class Freshness {
    private static final AsciiString AUTHORIZATION = AsciiString.cached("authorization");
    private static final AsciiString COOKIE = AsciiString.cached("cookie");
    private static final AsciiString RANGE = AsciiString.cached("range");
    private static final AsciiString IF_MATCH = AsciiString.cached("if-match");
    private static final AsciiString IF_NONE_MATCH = AsciiString.cached("if-none-match");
    private static final AsciiString IF_MODIFIED_SINCE = AsciiString.cached("if-modified-since");
    private static final AsciiString IF_UNMODIFIED_SINCE = AsciiString.cached("if-unmodified-since");
    private static final AsciiString IF_RANGE = AsciiString.cached("if-range");
    private static final AsciiString CACHE_CONTROL = AsciiString.cached("cache-control");
    private static final AsciiString PRAGMA = AsciiString.cached("pragma");
    private static final AsciiString SET_COOKIE = AsciiString.cached("set-cookie");
    private static final AsciiString VARY = AsciiString.cached("vary");
    private static final AsciiString EXPIRES = AsciiString.cached("expires");
    private static final AsciiString AGE = AsciiString.cached("age");

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final int BYPASS = CacheDirectives.NO_CACHE | CacheDirectives.NO_STORE;
    private static final int NEVER_STORED = CacheDirectives.NO_STORE | CacheDirectives.NO_CACHE
            | CacheDirectives.PRIVATE;
    private static final int NEVER_STALE = CacheDirectives.MUST_REVALIDATE | CacheDirectives.PROXY_REVALIDATE;

    private Freshness() {
    }

    /** What a consumer's request asks of the cache. */
    public enum RequestDirective {
        /** May be answered from the cache, or wait for an identical inquiry already on its way. */
        CACHEABLE,
        /** Goes to the provider as it is; its answer is not kept. */
        PASS,
        /** Goes to the provider, on its own (not coalesced); its answer is kept when it may be. */
        REFRESH
    }

    /**
     * What a provider's answer allows.
     *
     * @param storable          whether the answer may be kept; when false the other components are zero
     * @param freshNanos        how much longer it is fresh from now: its lifetime (capped at the service's
     *                          {@code ttl}) less its age
     * @param ageSeconds        its age as it arrived (the provider's {@code Age}), to which the cache adds the time
     *                          it keeps the answer
     * @param staleIfErrorNanos how long past its freshness it may stand in for a failed provider; zero for never
     */
    public record Verdict(boolean storable, long freshNanos, long ageSeconds, long staleIfErrorNanos) {
        /** The verdict on any answer that may not be kept. */
        public static final Verdict NOT_STORABLE = new Verdict(false, 0, 0, 0);
    }

    /**
     * What {@code fields}, a request's header fields, ask of the cache.
     *
     * <p>{@link RequestDirective#PASS} when the request carries {@code Authorization} or {@code Cookie} (an answer
     * to it may be about the asker, RFC 9111 §3.5, and is not the subject's to share), or {@code Range} or a
     * conditional field ({@code If-Match}, {@code If-None-Match}, {@code If-Modified-Since},
     * {@code If-Unmodified-Since}, {@code If-Range}): the cache builds neither 206 nor 304 answers, so such requests
     * go to the provider as they are.
     *
     * <p>{@link RequestDirective#REFRESH} when {@code allowConsumerBypass} and the request's {@code Cache-Control}
     * has {@code no-cache} or {@code no-store}, or, without {@code Cache-Control}, its {@code Pragma} has
     * {@code no-cache} (RFC 9111 §5.4). Other request directives ({@code max-age=0}, {@code min-fresh}) are not
     * acted on. Without {@code allowConsumerBypass} a consumer's {@code Cache-Control} is ignored.
     *
     * <p>A {@link HeaderLookup} gives the first of repeated fields: the presence of a passing field is all that
     * counts, and only the first {@code Cache-Control} field is read, so a bypass in a second one is not seen and
     * the request is served as any other.
     *
     * <p>Allocates nothing, except when a bypass is allowed and the request carries {@code Cache-Control} or
     * {@code Pragma}.
     */
    public static RequestDirective request(HeaderLookup fields, boolean allowConsumerBypass) {
        if (fields.value(AUTHORIZATION) != null || fields.value(COOKIE) != null || fields.value(RANGE) != null
                || fields.value(IF_NONE_MATCH) != null || fields.value(IF_MODIFIED_SINCE) != null
                || fields.value(IF_MATCH) != null || fields.value(IF_UNMODIFIED_SINCE) != null
                || fields.value(IF_RANGE) != null) {
            return RequestDirective.PASS;
        }
        if (!allowConsumerBypass) {
            return RequestDirective.CACHEABLE;
        }
        CharSequence cacheControl = fields.value(CACHE_CONTROL);
        CharSequence directives = cacheControl != null ? cacheControl : fields.value(PRAGMA);
        if (directives != null && (new CacheDirectives().parse(directives).flags() & BYPASS) != 0) {
            return RequestDirective.REFRESH;
        }
        return RequestDirective.CACHEABLE;
    }

    /**
     * What the provider's answer of {@code status} with header fields {@code head} allows the cache of a service
     * with {@code config}, received at {@code nowEpochMillis}.
     *
     * <p>Not storable when the status is not among the service's {@code statuses}; when a {@code Cache-Control}
     * field has {@code no-store}, {@code private} (any form) or {@code no-cache} (any form: the cache does not
     * revalidate); when the answer sets a cookie; when its {@code Vary} is {@code *} or names a field the service's
     * {@code varyHeaders} do not (the key would not tell such answers apart); or when it is not fresh.
     *
     * <p>Its freshness lifetime (RFC 9111 §4.2.1) is {@code s-maxage} if present, else {@code max-age}, else
     * {@code Expires} less {@code Date} (the time of receipt when {@code Date} is absent or invalid), else the
     * service's {@code ttl}; never more than {@code ttl}. An invalid or repeated {@code s-maxage} or {@code max-age}
     * counts as stale (RFC 9111 §4.2.1), as do an invalid {@code Expires} (§5.3: "0" means already expired) and two
     * {@code Expires} fields; {@code Expires} is ignored when {@code max-age} or {@code s-maxage} is present (§5.3).
     * It is fresh for its lifetime less its {@code Age} (a non-negative integer, else 0): the cap bounds an answer's
     * whole age, not only its time in this cache. Its age is the provider's {@code Age} alone, not also the time
     * since its {@code Date}, so a provider whose clock is off does not make every answer look old.
     *
     * <p>It may stand in for a failed provider for the service's {@code staleIfError}, or the answer's
     * {@code stale-if-error} (RFC 5861 §4) when that is shorter (an invalid one: never). {@code must-revalidate} and
     * {@code proxy-revalidate} forbid it (RFC 9111 §4.2.4), and so does {@code s-maxage}, which carries
     * proxy-revalidate for a shared cache (§5.2.2.10), unless the answer also gives {@code stale-if-error}.
     *
     * <p>Allocates a little (the directive reader, the verdict of a storable answer, the text of a date when the
     * lifetime comes from {@code Expires}).
     */
    public static Verdict response(HeaderBlock head, int status, CacheConfig config, long nowEpochMillis) {
        if (!config.keepsStatus(status)) {
            return Verdict.NOT_STORABLE;
        }
        ByteBuf buf = head.buffer();
        CacheDirectives cc = new CacheDirectives();
        int expires = -1;
        int date = -1;
        int age = -1;
        boolean twoExpires = false;
        for (int i = 0; i < head.size(); i++) {
            if (head.nameEquals(i, CACHE_CONTROL)) {
                cc.parse(buf, head.valueStart(i), head.valueStart(i) + head.valueLength(i));
            } else if (head.nameEquals(i, SET_COOKIE)) {
                return Verdict.NOT_STORABLE;
            } else if (head.nameEquals(i, VARY)) {
                if (!varyListed(buf, head.valueStart(i), head.valueStart(i) + head.valueLength(i),
                        config.varyHeaders())) {
                    return Verdict.NOT_STORABLE;
                }
            } else if (head.nameEquals(i, EXPIRES)) {
                twoExpires |= expires >= 0;
                expires = i;
            } else if (head.id(i) == KnownHeaders.DATE) {
                date = date < 0 ? i : date;
            } else if (head.nameEquals(i, AGE)) {
                age = age < 0 ? i : age;
            }
        }
        if ((cc.flags() & NEVER_STORED) != 0) {
            return Verdict.NOT_STORABLE;
        }
        long ttlNanos = config.ttl().toNanos();
        long lifetimeNanos;
        long explicitSeconds = cc.sMaxAge() != CacheDirectives.ABSENT ? cc.sMaxAge() : cc.maxAge();
        if (explicitSeconds == CacheDirectives.INVALID) {
            return Verdict.NOT_STORABLE;
        } else if (explicitSeconds != CacheDirectives.ABSENT) {
            lifetimeNanos = Math.min(ttlNanos, explicitSeconds * NANOS_PER_SECOND);
        } else if (expires >= 0) {
            long expiresMillis = twoExpires ? Long.MIN_VALUE : epochMillis(head, expires);
            if (expiresMillis == Long.MIN_VALUE) {
                return Verdict.NOT_STORABLE;
            }
            long dateMillis = date < 0 ? Long.MIN_VALUE : epochMillis(head, date);
            long fromMillis = dateMillis == Long.MIN_VALUE ? nowEpochMillis : dateMillis;
            long lifetimeMillis = expiresMillis - fromMillis;
            lifetimeNanos = lifetimeMillis <= 0 ? 0
                    : Math.min(ttlNanos, Math.min(lifetimeMillis, Long.MAX_VALUE / NANOS_PER_MILLI) * NANOS_PER_MILLI);
        } else {
            lifetimeNanos = ttlNanos;
        }
        long ageSeconds = age < 0 ? 0
                : ageSeconds(buf, head.valueStart(age), head.valueStart(age) + head.valueLength(age));
        long freshNanos = lifetimeNanos - ageSeconds * NANOS_PER_SECOND;
        if (freshNanos <= 0) {
            return Verdict.NOT_STORABLE;
        }
        return new Verdict(true, freshNanos, ageSeconds, staleIfErrorNanos(cc, config));
    }

    /**
     * Whether an answer that is not kept may still be given to the waiters of its fill (a provider's error: they
     * asked the same question at the same moment): not when it is for its consumer alone ({@code private}, or it
     * sets a cookie) or may not be held at all ({@code no-store}).
     */
    public static boolean shareable(HeaderBlock head) {
        CacheDirectives cc = new CacheDirectives();
        for (int i = 0; i < head.size(); i++) {
            if (head.nameEquals(i, SET_COOKIE)) {
                return false;
            }
            if (head.nameEquals(i, CACHE_CONTROL)) {
                cc.parse(head.buffer(), head.valueStart(i), head.valueStart(i) + head.valueLength(i));
            }
        }
        return (cc.flags() & (CacheDirectives.PRIVATE | CacheDirectives.NO_STORE)) == 0;
    }

    private static long staleIfErrorNanos(CacheDirectives cc, CacheConfig config) {
        long configured = config.staleIfError().toNanos();
        if (configured == 0 || (cc.flags() & NEVER_STALE) != 0) {
            return 0;
        }
        long given = cc.staleIfError();
        if (given == CacheDirectives.INVALID) {
            return 0;
        }
        if (given == CacheDirectives.ABSENT) {
            return cc.sMaxAge() == CacheDirectives.ABSENT ? configured : 0;
        }
        return Math.min(configured, given * NANOS_PER_SECOND);
    }

    /**
     * Whether every field name the {@code Vary} value at {@code [from, end)} lists is among {@code listed} (lower
     * case); {@code *} never is (RFC 9110 §12.5.5: the answer varies on more than the request's fields).
     */
    private static boolean varyListed(ByteBuf buf, int from, int end, List<String> listed) {
        int i = from;
        while (i < end) {
            while (i < end && (buf.getByte(i) == ' ' || buf.getByte(i) == '\t' || buf.getByte(i) == ',')) {
                i++;
            }
            int start = i;
            while (i < end && buf.getByte(i) != ',' && buf.getByte(i) != ' ' && buf.getByte(i) != '\t') {
                i++;
            }
            if (i > start && !listedName(buf, start, i, listed)) {
                return false;
            }
        }
        return true;
    }

    private static boolean listedName(ByteBuf buf, int start, int end, List<String> listed) {
        for (int n = 0; n < listed.size(); n++) {
            String name = listed.get(n);
            if (name.length() == end - start && equalsLowerCase(buf, start, name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean equalsLowerCase(ByteBuf buf, int start, String lowerName) {
        for (int k = 0; k < lowerName.length(); k++) {
            int c = buf.getByte(start + k);
            if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != lowerName.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** {@code Age} at {@code [start, end)} (RFC 9111 §5.1): delta-seconds capped at 2^31, or 0 when not digits. */
    private static long ageSeconds(ByteBuf buf, int start, int end) {
        if (start >= end) {
            return 0;
        }
        long value = 0;
        for (int i = start; i < end; i++) {
            int c = buf.getByte(i);
            if (c < '0' || c > '9') {
                return 0;
            }
            value = Math.min(CacheDirectives.MAX_DELTA_SECONDS, value * 10 + (c - '0'));
        }
        return value;
    }

    /**
     * Field {@code i}'s value as an HTTP-date in IMF-fixdate form ({@code Sun, 06 Nov 1994 08:49:37 GMT}, RFC 9110
     * §5.6.7), or {@link Long#MIN_VALUE} when it is not one. The obsolete RFC 850 and asctime forms are not read:
     * an {@code Expires} in them counts as invalid (the answer is not kept), a {@code Date} as absent. Only on the
     * path of answers that give {@code Expires} without {@code max-age}.
     */
    private static long epochMillis(HeaderBlock head, int i) {
        try {
            return ZonedDateTime.parse(head.value(i), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            return Long.MIN_VALUE;
        }
    }
}
