package io.gozargah.codec.http1;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;

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
    private static final byte[] LOWER_PREFIX_X_GOZARGAH = Ascii.lowerName(PREFIX_X_GOZARGAH);

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
                return first == 'x' ? is(buf, start, LOWER_X_API_KEY, X_API_KEY) : OTHER;
            case 10:
                return first == 'c' ? is(buf, start, LOWER_CONNECTION, CONNECTION)
                        : first == 'k' ? is(buf, start, LOWER_KEEP_ALIVE, KEEP_ALIVE) : OTHER;
            case 14:
                return first == 'c' ? is(buf, start, LOWER_CONTENT_LENGTH, CONTENT_LENGTH) : OTHER;
            case 15:
                return first == 'x' ? is(buf, start, LOWER_X_FORWARDED_FOR, X_FORWARDED_FOR) : OTHER;
            case 16:
                return first == 'p' ? is(buf, start, LOWER_PROXY_CONNECTION, PROXY_CONNECTION) : OTHER;
            case 17:
                if (first == 't') {
                    return is(buf, start, LOWER_TRANSFER_ENCODING, TRANSFER_ENCODING);
                }
                return first == 'x' ? is(buf, start, LOWER_X_FORWARDED_PROTO, X_FORWARDED_PROTO) : OTHER;
            case 18:
                return first == 'p' ? is(buf, start, LOWER_PROXY_AUTHENTICATE, PROXY_AUTHENTICATE) : OTHER;
            case 19:
                return first == 'p' ? is(buf, start, LOWER_PROXY_AUTHORIZATION, PROXY_AUTHORIZATION) : OTHER;
            default:
                return OTHER;
        }
    }

    /** The fields RFC 9110 §7.6.1 makes hop-by-hop whatever the Connection header says. */
    static boolean alwaysHopByHop(int id) {
        return id == CONNECTION || id == KEEP_ALIVE || id == PROXY_CONNECTION || id == TE
                || id == TRANSFER_ENCODING || id == UPGRADE;
    }

    private static int is(ByteBuf buf, int start, byte[] lowerName, int id) {
        return Ascii.equalsLowerName(buf, start, lowerName) ? id : OTHER;
    }

    private static int gozargah(ByteBuf buf, int start, int length) {
        return length > LOWER_PREFIX_X_GOZARGAH.length && Ascii.equalsLowerName(buf, start, LOWER_PREFIX_X_GOZARGAH)
                ? X_GOZARGAH : OTHER;
    }
}
