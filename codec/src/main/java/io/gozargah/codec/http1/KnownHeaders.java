package io.gozargah.codec.http1;

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

    private KnownHeaders() {
    }
}
