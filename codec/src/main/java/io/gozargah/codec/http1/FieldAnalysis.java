package io.gozargah.codec.http1;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;

/**
 * What a complete header section says about framing and connection handling: Content-Length,
 * Transfer-Encoding, Connection options, Expect and Host. Reused by its parser; computed once per head
 * after the section is complete, because a Connection option may name a field that came before it.
 */
final class FieldAnalysis {

    private static final AsciiString CHUNKED = AsciiString.cached("chunked");
    private static final AsciiString CLOSE = AsciiString.cached("close");
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final AsciiString CONTINUE = AsciiString.cached("100-continue");
    private static final byte[] LOWER_CLOSE = Ascii.lowerName(CLOSE);
    private static final byte[] LOWER_KEEP_ALIVE = Ascii.lowerName(KEEP_ALIVE);
    private static final long MAX_DIGIT_PREFIX = Long.MAX_VALUE / 10;

    /** Requests only: refuse Connection options that name a framing or routing field (see {@link #option}). */
    private final boolean refuseFramingOptions;

    /** The Content-Length value, or -1 when there is none. */
    long contentLength;
    boolean transferEncoding;
    /** Transfer-Encoding is present and its final coding is chunked. */
    boolean chunked;
    boolean close;
    boolean keepAlive;
    boolean expectContinue;
    int hostCount;

    /** @param request the fields are a request's (Connection options naming framing fields are refused) */
    FieldAnalysis(boolean request) {
        this.refuseFramingOptions = request;
    }

    /** Analyses {@code headers}; returns the first framing error or null. Marks Connection-named fields hop-by-hop. */
    Http1Error analyze(HeaderBlock headers) {
        contentLength = -1;
        transferEncoding = false;
        chunked = false;
        close = false;
        keepAlive = false;
        expectContinue = false;
        hostCount = 0;
        Http1Error error = null;
        for (int i = 0; i < headers.size() && error == null; i++) {
            switch (headers.id(i)) {
                case KnownHeaders.CONTENT_LENGTH:
                    error = contentLength(headers, i);
                    break;
                case KnownHeaders.TRANSFER_ENCODING:
                    error = transferCodings(headers, i);
                    break;
                case KnownHeaders.CONNECTION:
                    error = connectionOptions(headers, i);
                    break;
                case KnownHeaders.EXPECT:
                    expectContinue |= headers.valueEquals(i, CONTINUE);
                    break;
                case KnownHeaders.HOST:
                    hostCount++;
                    break;
                default:
                    break;
            }
        }
        if (error == null && transferEncoding && contentLength >= 0) {
            // RFC 9112 §6.1: a message with both is a request-smuggling vector; an intermediary must not
            // forward it, and choosing either length would be a guess.
            error = Http1Error.CONTENT_LENGTH_AND_TRANSFER_ENCODING;
        }
        return error;
    }

    /**
     * RFC 9110 §8.6: Content-Length = 1*DIGIT. A list ("5, 5") and a repeated field are both rejected
     * rather than collapsed (RFC 9112 §6.3 rule 5 allows either; rejecting is the strict choice).
     */
    private Http1Error contentLength(HeaderBlock headers, int i) {
        if (contentLength >= 0) {
            return Http1Error.DUPLICATE_CONTENT_LENGTH;
        }
        int length = headers.valueLength(i);
        if (length == 0) {
            return Http1Error.BAD_CONTENT_LENGTH;
        }
        ByteBuf buf = headers.buffer();
        int start = headers.valueStart(i);
        long value = 0;
        for (int k = 0; k < length; k++) {
            byte b = buf.getByte(start + k);
            if (!Ascii.isDigit(b)) {
                return Http1Error.BAD_CONTENT_LENGTH;
            }
            int digit = b - '0';
            if (value > MAX_DIGIT_PREFIX || (value == MAX_DIGIT_PREFIX && digit > Long.MAX_VALUE % 10)) {
                return Http1Error.BAD_CONTENT_LENGTH;
            }
            value = value * 10 + digit;
        }
        contentLength = value;
        return null;
    }

    /**
     * RFC 9112 §6.1 and §7: the codings of all Transfer-Encoding fields form one list in order. Only
     * chunked is supported, because the gateway forwards bodies without decoding them and strips
     * Transfer-Encoding as hop-by-hop: any other coding would reach the next hop undeclared.
     */
    private Http1Error transferCodings(HeaderBlock headers, int i) {
        ByteBuf buf = headers.buffer();
        int pos = headers.valueStart(i);
        int end = pos + headers.valueLength(i);
        boolean sawCoding = false;
        boolean unsupported = false;
        while (pos <= end) {
            int elementEnd = pos;
            while (elementEnd < end && buf.getByte(elementEnd) != Ascii.COMMA) {
                elementEnd++;
            }
            int nameStart = pos;
            while (nameStart < elementEnd && Ascii.isOws(buf.getByte(nameStart))) {
                nameStart++;
            }
            int nameEnd = nameStart;
            while (nameEnd < elementEnd && Ascii.isTchar(buf.getByte(nameEnd))) {
                nameEnd++;
            }
            int rest = nameEnd;
            while (rest < elementEnd && Ascii.isOws(buf.getByte(rest))) {
                rest++;
            }
            if (rest != elementEnd) {
                // Parameters (";q=...") are defined for no coding we support; anything else is not a token list.
                return Http1Error.BAD_TRANSFER_ENCODING;
            }
            if (nameEnd > nameStart) {
                sawCoding = true;
                if (chunked) {
                    // chunked must be the final coding and is applied once (RFC 9112 §6.1).
                    return Http1Error.BAD_TRANSFER_ENCODING;
                }
                if (nameEnd - nameStart == CHUNKED.length() && Ascii.equalsIgnoreCase(buf, nameStart, CHUNKED)) {
                    chunked = true;
                } else {
                    unsupported = true;
                }
            }
            pos = elementEnd + 1;
        }
        if (!sawCoding && !transferEncoding) {
            return Http1Error.BAD_TRANSFER_ENCODING;
        }
        transferEncoding = true;
        if (unsupported && chunked) {
            return Http1Error.UNSUPPORTED_TRANSFER_CODING;
        }
        return null;
    }

    /** RFC 9110 §7.6.1: connection options; every option other than close and keep-alive names a field. */
    private Http1Error connectionOptions(HeaderBlock headers, int i) {
        ByteBuf buf = headers.buffer();
        int pos = headers.valueStart(i);
        int end = pos + headers.valueLength(i);
        while (pos < end) {
            int comma = buf.indexOf(pos, end, Ascii.COMMA);
            int tokenEnd = comma < 0 ? end : comma;
            int start = pos;
            int stop = tokenEnd;
            while (start < stop && Ascii.isOws(buf.getByte(start))) {
                start++;
            }
            while (stop > start && Ascii.isOws(buf.getByte(stop - 1))) {
                stop--;
            }
            Http1Error e = option(headers, buf, start, stop - start);
            if (e != null) {
                return e;
            }
            pos = tokenEnd + 1;
        }
        return null;
    }

    /**
     * One connection option. In a request, an option naming a field that frames or routes the message
     * (Content-Length, Transfer-Encoding, Host, Trailer) or one of the gateway's own {@code X-Gozargah-*}
     * is refused: a proxy that honours it drops the field, and an upstream that then frames the body
     * differently reads it as a further request (request smuggling). TE and Upgrade are hop-by-hop already
     * and RFC 9110 §10.1.4 and §7.8 require a sender to name them, so naming them changes nothing.
     */
    private Http1Error option(HeaderBlock headers, ByteBuf buf, int start, int length) {
        if (length == 0) {
            return null;
        }
        if (refuseFramingOptions && Ascii.endOfRun(buf, start, start + length, Ascii.TCHARS) == start + length) {
            switch (KnownHeaders.idOf(buf, start, length)) {
                case KnownHeaders.CONTENT_LENGTH:
                case KnownHeaders.TRANSFER_ENCODING:
                case KnownHeaders.HOST:
                case KnownHeaders.TRAILER:
                case KnownHeaders.X_GOZARGAH:
                    return Http1Error.CONNECTION_NAMES_FRAMING_FIELD;
                default:
                    break;
            }
        }
        // A field value holds no CTL but HTAB, as Ascii.equalsLowerName requires.
        if (length == LOWER_CLOSE.length && Ascii.equalsLowerName(buf, start, LOWER_CLOSE)) {
            close = true;
            return null;
        }
        if (length == LOWER_KEEP_ALIVE.length && Ascii.equalsLowerName(buf, start, LOWER_KEEP_ALIVE)) {
            keepAlive = true;
            return null;
        }
        for (int j = 0; j < headers.size(); j++) {
            if (headers.nameLength(j) == length && Ascii.equalsIgnoreCase(buf, headers.nameStart(j), length, buf, start)) {
                headers.markHopByHop(j);
            }
        }
        return null;
    }
}
