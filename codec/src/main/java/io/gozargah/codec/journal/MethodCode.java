package io.gozargah.codec.journal;

import io.gozargah.codec.http1.HttpMethod;

/**
 * The persisted one-byte code of a request method. Explicit values rather than {@code HttpMethod.ordinal()}:
 * reordering the enum must not change what old journals mean. Never renumber, only add.
 */
public final class MethodCode {
    public static final int UNKNOWN = 0;
    public static final int GET = 1;
    public static final int HEAD = 2;
    public static final int POST = 3;
    public static final int PUT = 4;
    public static final int DELETE = 5;
    public static final int PATCH = 6;
    public static final int OPTIONS = 7;
    public static final int TRACE = 8;
    public static final int CONNECT = 9;
    /** A valid token that is none of the above; the journal does not keep its name. */
    public static final int OTHER = 255;

    private MethodCode() {
    }

    public static int of(HttpMethod method) {
        return switch (method) {
            case GET -> GET;
            case HEAD -> HEAD;
            case POST -> POST;
            case PUT -> PUT;
            case DELETE -> DELETE;
            case PATCH -> PATCH;
            case OPTIONS -> OPTIONS;
            case TRACE -> TRACE;
            case CONNECT -> CONNECT;
            case OTHER -> OTHER;
        };
    }

    /** The method for {@code code}; {@link HttpMethod#OTHER} for {@link #OTHER}, {@link #UNKNOWN} or a code not listed. */
    public static HttpMethod toMethod(int code) {
        return switch (code) {
            case GET -> HttpMethod.GET;
            case HEAD -> HttpMethod.HEAD;
            case POST -> HttpMethod.POST;
            case PUT -> HttpMethod.PUT;
            case DELETE -> HttpMethod.DELETE;
            case PATCH -> HttpMethod.PATCH;
            case OPTIONS -> HttpMethod.OPTIONS;
            case TRACE -> HttpMethod.TRACE;
            case CONNECT -> HttpMethod.CONNECT;
            default -> HttpMethod.OTHER;
        };
    }
}
