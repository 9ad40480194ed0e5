package io.gozargah.engine.cache;

import io.netty.buffer.ByteBuf;

/**
 * The directives of one message's {@code Cache-Control} fields (RFC 9111 §5.2) that the cache acts on, read from
 * the field values as the codec holds them (bytes of a buffer) or as a front end hands them out (characters), without
 * allocating. Several fields, or several calls to {@code parse}, accumulate as one list (RFC 9110 §5.3).
 *
 * <p>Syntax (RFC 9111 §5.2): {@code directive *( "," directive )}, {@code directive = token [ "=" ( token /
 * quoted-string ) ]}. Names compare case-insensitively; spaces around a directive and its {@code =} are tolerated;
 * a value may be quoted whatever the directive (§5.2: recipients accept both forms), and a comma inside quotes
 * ({@code private="Set-Cookie, X-Id"}) does not end the directive. Unknown directives are skipped with their values.
 *
 * <p>A delta-seconds directive ({@code max-age}, {@code s-maxage}, {@code stale-if-error}) is {@link #ABSENT}, its
 * value in seconds, or {@link #INVALID} when its value is not digits or when it appears twice: RFC 9111 §4.2.1 lets a
 * cache consider such an answer stale, and a cache that guessed which of two lifetimes the provider meant could
 * serve an answer longer than it allowed. A value past 2^31 seconds counts as 2^31 (§1.2.2).
 */
final class CacheDirectives {
    static final int NO_STORE = 1;
    static final int NO_CACHE = 1 << 1;
    static final int PRIVATE = 1 << 2;
    static final int MUST_REVALIDATE = 1 << 3;
    static final int PROXY_REVALIDATE = 1 << 4;

    static final long ABSENT = -1;
    static final long INVALID = -2;
    /** RFC 9111 §1.2.2: the greatest delta-seconds a cache needs to represent. */
    static final long MAX_DELTA_SECONDS = 1L << 31;

    private int flags;
    private long maxAge = ABSENT;
    private long sMaxAge = ABSENT;
    private long staleIfError = ABSENT;

    /** The value being parsed: a buffer's bytes, or characters when {@code buf} is null. */
    private ByteBuf buf;
    private CharSequence chars;

    int flags() {
        return flags;
    }

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    long maxAge() {
        return maxAge;
    }

    long sMaxAge() {
        return sMaxAge;
    }

    long staleIfError() {
        return staleIfError;
    }

    /** Adds the directives of the field value at {@code [from, end)} of {@code buf}. */
    CacheDirectives parse(ByteBuf buf, int from, int end) {
        this.buf = buf;
        this.chars = null;
        scan(from, end);
        this.buf = null;
        return this;
    }

    /** Adds the directives of {@code value}. */
    CacheDirectives parse(CharSequence value) {
        this.buf = null;
        this.chars = value;
        scan(0, value.length());
        this.chars = null;
        return this;
    }

    private int at(int i) {
        return buf != null ? buf.getByte(i) & 0xFF : chars.charAt(i);
    }

    private static boolean ows(int c) {
        return c == ' ' || c == '\t';
    }

    private void scan(int from, int end) {
        int i = from;
        while (i < end) {
            while (i < end && (ows(at(i)) || at(i) == ',')) {
                i++;
            }
            if (i >= end) {
                return;
            }
            int nameStart = i;
            while (i < end && at(i) != '=' && at(i) != ',' && !ows(at(i))) {
                i++;
            }
            int nameEnd = i;
            while (i < end && ows(at(i))) {
                i++;
            }
            boolean hasValue = i < end && at(i) == '=';
            int valueStart = i;
            int valueEnd = i;
            boolean clean = true;
            if (hasValue) {
                i++;
                while (i < end && ows(at(i))) {
                    i++;
                }
                if (i < end && at(i) == '"') {
                    valueStart = ++i;
                    while (i < end && at(i) != '"') {
                        i += at(i) == '\\' ? 2 : 1;
                    }
                    valueEnd = Math.min(i, end);
                    clean = i < end; // an unterminated quoted-string runs to the end of the field
                    i = Math.min(i + 1, end);
                } else {
                    valueStart = i;
                    while (i < end && at(i) != ',' && !ows(at(i))) {
                        i++;
                    }
                    valueEnd = i;
                }
                while (i < end && ows(at(i))) {
                    i++;
                }
            }
            if (i < end && at(i) != ',') {
                clean = false; // "max-age=5 10" or "no cache": skipped to the next comma
                while (i < end && at(i) != ',') {
                    i++;
                }
            }
            apply(nameStart, nameEnd, hasValue && clean, valueStart, valueEnd);
        }
    }

    private void apply(int nameStart, int nameEnd, boolean hasValue, int valueStart, int valueEnd) {
        switch (nameEnd - nameStart) {
            case 7 -> {
                if (named(nameStart, "private")) {
                    flags |= PRIVATE; // any form: private="field" too (a shared cache keeps none of it)
                } else if (named(nameStart, "max-age")) {
                    maxAge = delta(maxAge, hasValue, valueStart, valueEnd);
                }
            }
            case 8 -> {
                if (named(nameStart, "no-store")) {
                    flags |= NO_STORE;
                } else if (named(nameStart, "no-cache")) {
                    flags |= NO_CACHE; // no-cache="field" too: the cache does not revalidate
                } else if (named(nameStart, "s-maxage")) {
                    sMaxAge = delta(sMaxAge, hasValue, valueStart, valueEnd);
                }
            }
            case 14 -> {
                if (named(nameStart, "stale-if-error")) {
                    staleIfError = delta(staleIfError, hasValue, valueStart, valueEnd);
                }
            }
            case 15 -> {
                if (named(nameStart, "must-revalidate")) {
                    flags |= MUST_REVALIDATE;
                }
            }
            case 16 -> {
                if (named(nameStart, "proxy-revalidate")) {
                    flags |= PROXY_REVALIDATE;
                }
            }
            default -> {
                // not a directive the cache acts on
            }
        }
    }

    private long delta(long previous, boolean hasValue, int valueStart, int valueEnd) {
        if (previous != ABSENT || !hasValue) {
            return INVALID;
        }
        return deltaSeconds(valueStart, valueEnd);
    }

    /** Decimal digits at {@code [start, end)} as delta-seconds (RFC 9111 §1.2.2), or {@link #INVALID}. */
    private long deltaSeconds(int start, int end) {
        if (start >= end) {
            return INVALID;
        }
        long value = 0;
        for (int i = start; i < end; i++) {
            int c = at(i);
            if (c < '0' || c > '9') {
                return INVALID;
            }
            value = Math.min(MAX_DELTA_SECONDS, value * 10 + (c - '0'));
        }
        return value;
    }

    private boolean named(int start, String lowerName) {
        for (int k = 0; k < lowerName.length(); k++) {
            int c = at(start + k);
            if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != lowerName.charAt(k)) {
                return false;
            }
        }
        return true;
    }
}
