package io.gozargah.codec.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.AsciiString;
import java.util.HashMap;
import java.util.Map;

/**
 * Header fields the gateway acts on, recognised once while parsing (case-insensitively) so that the
 * engine filters and edits heads by an int id instead of comparing names again. {@link #OTHER} is 0.
 */
public final class KnownHeaders {
    public static final int OTHER = 0;
    public static final int HOST = 1;
    public static final int CONTENT_LENGTH = 2;
    public static final int TRANSFER_ENCODING = 3;
    public static final int CONNECTION = 4;
    public static final int KEEP_ALIVE = 5;
    public static final int PROXY_CONNECTION = 6;
    public static final int TE = 7;
    public static final int TRAILER = 8;
    public static final int UPGRADE = 9;
    public static final int EXPECT = 10;
    public static final int PROXY_AUTHORIZATION = 11;
    public static final int PROXY_AUTHENTICATE = 12;
    public static final int X_API_KEY = 13;
    public static final int X_FORWARDED_FOR = 14;
    public static final int X_FORWARDED_PROTO = 15;
    /** Any name starting with {@code X-Gozargah-}. */
    public static final int X_GOZARGAH = 16;
    public static final int DATE = 17;
    public static final int SERVER = 18;
    /**
     * Fields through which a client could claim another origin, host or method than the one the gateway saw
     * ({@code Forwarded}, RFC 7239, and its de-facto cousins, and the method overrides some frameworks honour):
     * never forwarded unless a service asks for one by name (see {@link #isClientClaim}).
     */
    public static final int FORWARDED = 19;
    public static final int X_REAL_IP = 20;
    public static final int TRUE_CLIENT_IP = 21;
    public static final int X_FORWARDED_HOST = 22;
    public static final int X_HTTP_METHOD_OVERRIDE = 23;
    public static final int X_HTTP_METHOD = 24;
    public static final int X_METHOD_OVERRIDE = 25;
    /**
     * W3C Trace Context (W3C Recommendation "Trace Context", §3.2, §3.3): the gateway sends and returns its own
     * {@code traceparent}, never a copy of another's, and passes a consumer's {@code tracestate} only with the
     * consumer's valid {@code traceparent}.
     */
    public static final int TRACEPARENT = 26;
    public static final int TRACESTATE = 27;

    public static final AsciiString NAME_HOST = AsciiString.cached("Host");
    public static final AsciiString NAME_CONTENT_LENGTH = AsciiString.cached("Content-Length");
    public static final AsciiString NAME_TRANSFER_ENCODING = AsciiString.cached("Transfer-Encoding");
    public static final AsciiString NAME_CONNECTION = AsciiString.cached("Connection");
    public static final AsciiString NAME_X_API_KEY = AsciiString.cached("X-Api-Key");
    public static final AsciiString NAME_X_FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
    public static final AsciiString NAME_X_FORWARDED_PROTO = AsciiString.cached("X-Forwarded-Proto");
    public static final AsciiString NAME_X_GOZARGAH_CONSUMER = AsciiString.cached("X-Gozargah-Consumer");
    public static final AsciiString NAME_X_GOZARGAH_TRANSACTION = AsciiString.cached("X-Gozargah-Transaction");

    public static final AsciiString NAME_DATE = AsciiString.cached("Date");
    public static final AsciiString NAME_SERVER = AsciiString.cached("Server");
    public static final AsciiString NAME_EXPECT = AsciiString.cached("Expect");
    public static final AsciiString NAME_KEEP_ALIVE = AsciiString.cached("Keep-Alive");
    public static final AsciiString NAME_PROXY_CONNECTION = AsciiString.cached("Proxy-Connection");
    public static final AsciiString NAME_TE = AsciiString.cached("TE");
    public static final AsciiString NAME_TRAILER = AsciiString.cached("Trailer");
    public static final AsciiString NAME_UPGRADE = AsciiString.cached("Upgrade");
    public static final AsciiString NAME_PROXY_AUTHORIZATION = AsciiString.cached("Proxy-Authorization");
    public static final AsciiString NAME_PROXY_AUTHENTICATE = AsciiString.cached("Proxy-Authenticate");
    public static final AsciiString NAME_FORWARDED = AsciiString.cached("Forwarded");
    public static final AsciiString NAME_X_REAL_IP = AsciiString.cached("X-Real-IP");
    public static final AsciiString NAME_TRUE_CLIENT_IP = AsciiString.cached("True-Client-IP");
    public static final AsciiString NAME_X_FORWARDED_HOST = AsciiString.cached("X-Forwarded-Host");
    public static final AsciiString NAME_X_HTTP_METHOD_OVERRIDE = AsciiString.cached("X-HTTP-Method-Override");
    public static final AsciiString NAME_X_HTTP_METHOD = AsciiString.cached("X-HTTP-Method");
    public static final AsciiString NAME_X_METHOD_OVERRIDE = AsciiString.cached("X-Method-Override");
    public static final AsciiString NAME_TRACEPARENT = AsciiString.cached("traceparent");
    public static final AsciiString NAME_TRACESTATE = AsciiString.cached("tracestate");
    /** The prefix of every gateway-owned field ({@link #X_GOZARGAH}). */
    public static final AsciiString PREFIX_X_GOZARGAH = AsciiString.cached("X-Gozargah-");

    private static final byte[] LOWER_HOST = Ascii.lowerName(NAME_HOST);
    private static final byte[] LOWER_CONTENT_LENGTH = Ascii.lowerName(NAME_CONTENT_LENGTH);
    private static final byte[] LOWER_TRANSFER_ENCODING = Ascii.lowerName(NAME_TRANSFER_ENCODING);
    private static final byte[] LOWER_CONNECTION = Ascii.lowerName(NAME_CONNECTION);
    private static final byte[] LOWER_X_API_KEY = Ascii.lowerName(NAME_X_API_KEY);
    private static final byte[] LOWER_X_FORWARDED_FOR = Ascii.lowerName(NAME_X_FORWARDED_FOR);
    private static final byte[] LOWER_X_FORWARDED_PROTO = Ascii.lowerName(NAME_X_FORWARDED_PROTO);
    private static final byte[] LOWER_DATE = Ascii.lowerName(NAME_DATE);
    private static final byte[] LOWER_SERVER = Ascii.lowerName(NAME_SERVER);
    private static final byte[] LOWER_EXPECT = Ascii.lowerName(NAME_EXPECT);
    private static final byte[] LOWER_KEEP_ALIVE = Ascii.lowerName(NAME_KEEP_ALIVE);
    private static final byte[] LOWER_PROXY_CONNECTION = Ascii.lowerName(NAME_PROXY_CONNECTION);
    private static final byte[] LOWER_TE = Ascii.lowerName(NAME_TE);
    private static final byte[] LOWER_TRAILER = Ascii.lowerName(NAME_TRAILER);
    private static final byte[] LOWER_UPGRADE = Ascii.lowerName(NAME_UPGRADE);
    private static final byte[] LOWER_PROXY_AUTHORIZATION = Ascii.lowerName(NAME_PROXY_AUTHORIZATION);
    private static final byte[] LOWER_PROXY_AUTHENTICATE = Ascii.lowerName(NAME_PROXY_AUTHENTICATE);
    private static final byte[] LOWER_FORWARDED = Ascii.lowerName(NAME_FORWARDED);
    private static final byte[] LOWER_X_REAL_IP = Ascii.lowerName(NAME_X_REAL_IP);
    private static final byte[] LOWER_TRUE_CLIENT_IP = Ascii.lowerName(NAME_TRUE_CLIENT_IP);
    private static final byte[] LOWER_X_FORWARDED_HOST = Ascii.lowerName(NAME_X_FORWARDED_HOST);
    private static final byte[] LOWER_X_HTTP_METHOD_OVERRIDE = Ascii.lowerName(NAME_X_HTTP_METHOD_OVERRIDE);
    private static final byte[] LOWER_X_HTTP_METHOD = Ascii.lowerName(NAME_X_HTTP_METHOD);
    private static final byte[] LOWER_X_METHOD_OVERRIDE = Ascii.lowerName(NAME_X_METHOD_OVERRIDE);
    private static final byte[] LOWER_TRACEPARENT = Ascii.lowerName(NAME_TRACEPARENT);
    private static final byte[] LOWER_TRACESTATE = Ascii.lowerName(NAME_TRACESTATE);
    private static final byte[] LOWER_PREFIX_X_GOZARGAH = Ascii.lowerName(PREFIX_X_GOZARGAH);

    /**
     * Every known name in lower case, with the id {@link #idOf(ByteBuf, int, int)} gives it: lookups of names that are
     * already lower case (HTTP/2) get the same ids from the one classifier.
     */
    private static final Map<AsciiString, Integer> BY_LOWER_NAME = byLowerName(NAME_HOST, NAME_CONTENT_LENGTH,
            NAME_TRANSFER_ENCODING, NAME_CONNECTION, NAME_KEEP_ALIVE, NAME_PROXY_CONNECTION, NAME_TE, NAME_TRAILER,
            NAME_UPGRADE, NAME_EXPECT, NAME_PROXY_AUTHORIZATION, NAME_PROXY_AUTHENTICATE, NAME_X_API_KEY,
            NAME_X_FORWARDED_FOR, NAME_X_FORWARDED_PROTO, NAME_DATE, NAME_SERVER, NAME_FORWARDED, NAME_X_REAL_IP,
            NAME_TRUE_CLIENT_IP, NAME_X_FORWARDED_HOST, NAME_X_HTTP_METHOD_OVERRIDE, NAME_X_HTTP_METHOD,
            NAME_X_METHOD_OVERRIDE, NAME_TRACEPARENT, NAME_TRACESTATE);

    private KnownHeaders() {
    }

    /**
     * The id of the field name at {@code [start, start + length)} of {@code buf}, which must be a validated
     * token (see {@link Ascii#equalsLowerName}): dispatch on the length and the first letter, then at most
     * one case-insensitive compare a word at a time, so most names cost one byte read and none more than
     * three.
     */
    static int idOf(ByteBuf buf, int start, int length) {
        int first = buf.getByte(start) | 0x20;
        if (first == 'x' && gozargah(buf, start, length) == X_GOZARGAH) {
            // Checked before the length switch: the gateway's namespace must be recognised at every
            // length, or a consumer could pass a short X-Gozargah-* field through as if we had set it.
            return X_GOZARGAH;
        }
        switch (length) {
            case 2:
                return first == 't' ? is(buf, start, LOWER_TE, TE) : OTHER;
            case 4:
                return first == 'h' ? is(buf, start, LOWER_HOST, HOST)
                        : first == 'd' ? is(buf, start, LOWER_DATE, DATE) : OTHER;
            case 6:
                return first == 'e' ? is(buf, start, LOWER_EXPECT, EXPECT)
                        : first == 's' ? is(buf, start, LOWER_SERVER, SERVER) : OTHER;
            case 7:
                return first == 't' ? is(buf, start, LOWER_TRAILER, TRAILER)
                        : first == 'u' ? is(buf, start, LOWER_UPGRADE, UPGRADE) : OTHER;
            case 9:
                if (first == 'x') {
                    int id = is(buf, start, LOWER_X_API_KEY, X_API_KEY);
                    return id != OTHER ? id : is(buf, start, LOWER_X_REAL_IP, X_REAL_IP);
                }
                return first == 'f' ? is(buf, start, LOWER_FORWARDED, FORWARDED) : OTHER;
            case 10:
                return first == 'c' ? is(buf, start, LOWER_CONNECTION, CONNECTION)
                        : first == 'k' ? is(buf, start, LOWER_KEEP_ALIVE, KEEP_ALIVE)
                        : first == 't' ? is(buf, start, LOWER_TRACESTATE, TRACESTATE) : OTHER;
            case 11:
                return first == 't' ? is(buf, start, LOWER_TRACEPARENT, TRACEPARENT) : OTHER;
            case 13:
                return first == 'x' ? is(buf, start, LOWER_X_HTTP_METHOD, X_HTTP_METHOD) : OTHER;
            case 14:
                return first == 'c' ? is(buf, start, LOWER_CONTENT_LENGTH, CONTENT_LENGTH)
                        : first == 't' ? is(buf, start, LOWER_TRUE_CLIENT_IP, TRUE_CLIENT_IP) : OTHER;
            case 15:
                return first == 'x' ? is(buf, start, LOWER_X_FORWARDED_FOR, X_FORWARDED_FOR) : OTHER;
            case 16:
                return first == 'p' ? is(buf, start, LOWER_PROXY_CONNECTION, PROXY_CONNECTION)
                        : first == 'x' ? is(buf, start, LOWER_X_FORWARDED_HOST, X_FORWARDED_HOST) : OTHER;
            case 17:
                if (first == 't') {
                    return is(buf, start, LOWER_TRANSFER_ENCODING, TRANSFER_ENCODING);
                }
                if (first == 'x') {
                    int id = is(buf, start, LOWER_X_FORWARDED_PROTO, X_FORWARDED_PROTO);
                    return id != OTHER ? id : is(buf, start, LOWER_X_METHOD_OVERRIDE, X_METHOD_OVERRIDE);
                }
                return OTHER;
            case 18:
                return first == 'p' ? is(buf, start, LOWER_PROXY_AUTHENTICATE, PROXY_AUTHENTICATE) : OTHER;
            case 19:
                return first == 'p' ? is(buf, start, LOWER_PROXY_AUTHORIZATION, PROXY_AUTHORIZATION) : OTHER;
            case 22:
                return first == 'x' ? is(buf, start, LOWER_X_HTTP_METHOD_OVERRIDE, X_HTTP_METHOD_OVERRIDE) : OTHER;
            default:
                return OTHER;
        }
    }

    /**
     * The id of a field name that is already lower case, as HTTP/2 requires (RFC 9113 §8.2): the same ids as
     * {@link #idOf(ByteBuf, int, int)} gives the HTTP/1.1 spelling of the name.
     */
    public static int idOfLowerCase(CharSequence name) {
        if (name.length() > PREFIX_X_GOZARGAH.length()
                && AsciiString.regionMatches(name, true, 0, PREFIX_X_GOZARGAH, 0, PREFIX_X_GOZARGAH.length())) {
            return X_GOZARGAH;
        }
        Integer id = BY_LOWER_NAME.get(name instanceof AsciiString ? name : new AsciiString(name));
        return id == null ? OTHER : id;
    }

    /**
     * Whether {@code id} is a field through which a client claims something only the gateway may say: where
     * the request came from ({@code Forwarded}, {@code X-Real-IP}, {@code True-Client-IP},
     * {@code X-Forwarded-Host}) or which method it really is (the method overrides).
     */
    public static boolean isClientClaim(int id) {
        return id >= FORWARDED && id <= X_METHOD_OVERRIDE;
    }

    /** The fields RFC 9110 §7.6.1 makes hop-by-hop whatever the Connection header says. */
    static boolean alwaysHopByHop(int id) {
        return id == CONNECTION || id == KEEP_ALIVE || id == PROXY_CONNECTION || id == TE
                || id == TRANSFER_ENCODING || id == UPGRADE;
    }

    private static Map<AsciiString, Integer> byLowerName(AsciiString... names) {
        Map<AsciiString, Integer> byName = new HashMap<>();
        for (AsciiString name : names) {
            AsciiString lower = new AsciiString(Ascii.lowerName(name));
            ByteBuf buf = Unpooled.wrappedBuffer(lower.array());
            byName.put(lower, idOf(buf, 0, lower.length()));
        }
        return Map.copyOf(byName);
    }

    private static int is(ByteBuf buf, int start, byte[] lowerName, int id) {
        return Ascii.equalsLowerName(buf, start, lowerName) ? id : OTHER;
    }

    private static int gozargah(ByteBuf buf, int start, int length) {
        return length > LOWER_PREFIX_X_GOZARGAH.length && Ascii.equalsLowerName(buf, start, LOWER_PREFIX_X_GOZARGAH)
                ? X_GOZARGAH : OTHER;
    }
}
