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

    private KnownHeaders() {
    }

    /**
     * The id of the field name at {@code [start, start + length)} of {@code buf}: dispatch on the length,
     * then one case-insensitive compare, so recognising a name costs about one pass over it.
     */
    static int idOf(ByteBuf buf, int start, int length) {
        switch (length) {
            case 2:
                return is(buf, start, NAME_TE, TE);
            case 4:
                return is(buf, start, NAME_HOST, HOST) | is(buf, start, NAME_DATE, DATE);
            case 6:
                return is(buf, start, NAME_EXPECT, EXPECT) | is(buf, start, NAME_SERVER, SERVER);
            case 7:
                return is(buf, start, NAME_TRAILER, TRAILER) | is(buf, start, NAME_UPGRADE, UPGRADE);
            case 9:
                return is(buf, start, NAME_X_API_KEY, X_API_KEY);
            case 10:
                return is(buf, start, NAME_CONNECTION, CONNECTION) | is(buf, start, NAME_KEEP_ALIVE, KEEP_ALIVE);
            case 14:
                return is(buf, start, NAME_CONTENT_LENGTH, CONTENT_LENGTH);
            case 15:
                return is(buf, start, NAME_X_FORWARDED_FOR, X_FORWARDED_FOR);
            case 16:
                return is(buf, start, NAME_PROXY_CONNECTION, PROXY_CONNECTION);
            case 17:
                return is(buf, start, NAME_TRANSFER_ENCODING, TRANSFER_ENCODING)
                        | is(buf, start, NAME_X_FORWARDED_PROTO, X_FORWARDED_PROTO)
                        | gozargah(buf, start, length);
            case 18:
                return is(buf, start, NAME_PROXY_AUTHENTICATE, PROXY_AUTHENTICATE) | gozargah(buf, start, length);
            case 19:
                return is(buf, start, NAME_PROXY_AUTHORIZATION, PROXY_AUTHORIZATION) | gozargah(buf, start, length);
            default:
                return gozargah(buf, start, length);
        }
    }

    /** The fields RFC 9110 §7.6.1 makes hop-by-hop whatever the Connection header says. */
    static boolean alwaysHopByHop(int id) {
        return id == CONNECTION || id == KEEP_ALIVE || id == PROXY_CONNECTION || id == TE
                || id == TRANSFER_ENCODING || id == UPGRADE;
    }

    private static int is(ByteBuf buf, int start, AsciiString name, int id) {
        return Ascii.equalsIgnoreCase(buf, start, name) ? id : OTHER;
    }

    private static int gozargah(ByteBuf buf, int start, int length) {
        return length > PREFIX_X_GOZARGAH.length() && Ascii.equalsIgnoreCase(buf, start, PREFIX_X_GOZARGAH)
                ? X_GOZARGAH : OTHER;
    }
}
