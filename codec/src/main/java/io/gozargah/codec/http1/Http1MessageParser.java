package io.gozargah.codec.http1;

import io.netty.buffer.ByteBuf;

/**
 * The part of HTTP/1.1 message parsing that requests and responses share (RFC 9112 §2, §5, §6, §7): line
 * scanning, header and trailer sections, and body framing. The start line and the framing decision are
 * the subclass's. An explicit state machine with one {@code switch}; bad input moves it to ERROR, where it
 * stays until {@link #reset()}.
 *
 * <p>While a head or trailer section is incomplete nothing is consumed: positions are kept relative to the
 * reader index, {@link #scanned} says how far the section has been looked at, and the next call resumes
 * there, so feeding a head byte by byte costs one pass over it, not one per byte.
 *
 * <p>Lines are found with the buffer's bulk search for LF and validated with byte-class runs
 * ({@link Ascii#endOfRun}), never byte by byte through {@code getByte}, whose bounds and liveness checks
 * would cost more than the parsing. A bare CR (RFC 9112 §2.2) inside a complete line makes that line's
 * own validation fail, because no byte class a valid line may hold includes CR; only then is the line
 * searched for one, so that BARE_CR still wins over whatever else is wrong with the line.
 */
abstract class Http1MessageParser {

    private enum State {
        /** Before or inside the start line; nothing of the message consumed yet. */
        START_LINE,
        /** Start line accepted; scanning field lines up to the empty line. */
        HEADERS,
        /** HEAD reported for a message without body; the next call completes it. */
        NO_BODY,
        /** {@link #remaining} bytes of a Content-Length body left. */
        FIXED_BODY,
        /** A response body that ends when the connection closes. */
        CLOSE_DELIMITED_BODY,
        /** Expecting a chunk-size line (RFC 9112 §7.1). */
        CHUNK_SIZE,
        /** {@link #remaining} bytes of chunk data left. */
        CHUNK_DATA,
        /** Expecting the CRLF that ends chunk data. */
        CHUNK_DATA_END,
        /** After the last chunk: trailer fields up to the empty line (RFC 9112 §7.1.2). */
        TRAILERS,
        /** Sticky until {@link #reset()}. */
        ERROR
    }

    /** {@link #findLineEnd} results other than the LF's position. */
    private static final int INCOMPLETE = -1;
    private static final int OVER_LIMIT = -2;
    private static final int BARE_CR_FOUND = -3;

    final Http1Limits limits;
    final FieldAnalysis fields;
    final HeaderBlock headers = new HeaderBlock();
    final HeaderBlock trailers = new HeaderBlock();

    private State state = State.START_LINE;
    /** Bytes past the reader index already scanned in the current section. */
    private int scanned;
    /** Start, relative to the reader index, of the line being scanned. */
    private int lineStart;
    /** Start, relative to the reader index, of the field section being scanned. */
    private int sectionStart;
    private long remaining;
    private int bodyBytes;
    private Http1Error error;

    /** @param request whether the messages are requests (their Connection options are checked more strictly) */
    Http1MessageParser(Http1Limits limits, boolean request) {
        this.limits = limits;
        this.fields = new FieldAnalysis(request);
    }

    /**
     * Parses the start line at {@code [base + start, base + start + length)} (CRLF excluded) into pending
     * state, keeping positions relative to {@code base}. Returns an error or null.
     */
    abstract Http1Error startLine(ByteBuf in, int base, int start, int length);

    /** The error for a start line longer than {@link Http1Limits#maxStartLineBytes()}. */
    abstract Http1Error startLineTooLong();

    /**
     * The head is complete and {@link #headers} published with positions relative to {@code base}: publish
     * the start line, analyse the fields and choose the framing. Returns an error or null.
     */
    abstract Http1Error headComplete(ByteBuf in, int base, int headLength);

    abstract BodyFraming framing();

    abstract long contentLength();

    final ParseResult parseMessage(ByteBuf in) {
        for (;;) {
            switch (state) {
                case ERROR:
                    return ParseResult.ERROR;
                case START_LINE: {
                    int lf = findLineEnd(in, limits.maxStartLineBytes() + 2);
                    if (lf < 0) {
                        return lineProblem(lf, startLineTooLong());
                    }
                    if (!endsWithCr(in, 0, lf)) {
                        return failLine(in, 0, lf, Http1Error.BARE_LF);
                    }
                    if (lf == 1) {
                        // RFC 9112 §2.2: a server SHOULD ignore empty lines before a request-line. Responses
                        // get the same robustness (an upstream's stray CRLF after a body), which llhttp also
                        // grants. Nothing of a head is pending yet, so the line can be consumed at once.
                        in.skipBytes(2);
                        scanned = 0;
                        continue;
                    }
                    Http1Error e = startLine(in, in.readerIndex(), 0, lf - 1);
                    if (e != null) {
                        return failLine(in, 0, lf, e);
                    }
                    sectionStart = lf + 1;
                    lineStart = lf + 1;
                    headers.clearPending();
                    state = State.HEADERS;
                    continue;
                }
                case HEADERS: {
                    ParseResult section = scanFieldSection(in, headers);
                    if (section != null) {
                        return section;
                    }
                    int base = in.readerIndex();
                    int headLength = scanned;
                    headers.publish(in, base);
                    trailers.clear();
                    Http1Error e = headComplete(in, base, headLength);
                    in.skipBytes(headLength);
                    rewindScan();
                    if (e != null) {
                        return fail(e);
                    }
                    enterBody();
                    return ParseResult.HEAD;
                }
                case NO_BODY:
                    return complete();
                case FIXED_BODY:
                    if (remaining == 0) {
                        return complete();
                    }
                    return body(in);
                case CLOSE_DELIMITED_BODY:
                    bodyBytes = in.readableBytes();
                    return bodyBytes == 0 ? ParseResult.NEED_MORE : ParseResult.BODY;
                case CHUNK_SIZE: {
                    int lf = findLineEnd(in, limits.maxChunkLineBytes() + 2);
                    if (lf < 0) {
                        return lineProblem(lf, Http1Error.BAD_CHUNK_SIZE);
                    }
                    if (!endsWithCr(in, 0, lf)) {
                        return failLine(in, 0, lf, Http1Error.BARE_LF);
                    }
                    Http1Error e = chunkSize(in, in.readerIndex(), lf - 1);
                    if (e != null) {
                        return failLine(in, 0, lf, e);
                    }
                    // Chunk framing is never shown to the caller, so the line is consumed right away.
                    in.skipBytes(lf + 1);
                    rewindScan();
                    if (remaining == 0) {
                        trailers.clearPending();
                        state = State.TRAILERS;
                    } else {
                        state = State.CHUNK_DATA;
                    }
                    continue;
                }
                case CHUNK_DATA:
                    if (remaining == 0) {
                        state = State.CHUNK_DATA_END;
                        continue;
                    }
                    return body(in);
                case CHUNK_DATA_END: {
                    // RFC 9112 §7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF. Anything else
                    // after the data means the size lied: the framing is unknowable.
                    int readable = in.readableBytes();
                    int r = in.readerIndex();
                    if (readable >= 1 && in.getByte(r) != Ascii.CR
                            || readable >= 2 && in.getByte(r + 1) != Ascii.LF) {
                        return fail(Http1Error.BAD_CHUNK_DELIMITER);
                    }
                    if (readable < 2) {
                        return ParseResult.NEED_MORE;
                    }
                    in.skipBytes(2);
                    state = State.CHUNK_SIZE;
                    continue;
                }
                case TRAILERS: {
                    ParseResult section = scanFieldSection(in, trailers);
                    if (section != null) {
                        return section;
                    }
                    int length = scanned;
                    trailers.publish(in, in.readerIndex());
                    in.skipBytes(length);
                    rewindScan();
                    if (hasFramingField(trailers)) {
                        // RFC 9110 §6.5.1: framing fields must not be sent as trailers; one that is could
                        // only be there to be misread by some later hop.
                        return fail(Http1Error.BAD_TRAILER);
                    }
                    return complete();
                }
                default:
                    throw new IllegalStateException(state.name());
            }
        }
    }

    /**
     * The peer closed: completes a close-delimited body (or a message whose last byte was already
     * reported), is silent between messages, and is an error in the middle of one.
     */
    final ParseResult endOfInput() {
        switch (state) {
            case ERROR:
                return ParseResult.ERROR;
            case START_LINE:
                return scanned == 0 ? ParseResult.NEED_MORE : fail(Http1Error.UNEXPECTED_EOF);
            case NO_BODY:
            case CLOSE_DELIMITED_BODY:
                return complete();
            case FIXED_BODY:
                return remaining == 0 ? complete() : fail(Http1Error.UNEXPECTED_EOF);
            default:
                return fail(Http1Error.UNEXPECTED_EOF);
        }
    }

    final int bodyBytes() {
        return bodyBytes;
    }

    final Http1Error error() {
        return error;
    }

    final boolean inBody() {
        return state != State.START_LINE && state != State.HEADERS && state != State.ERROR;
    }

    void reset() {
        state = State.START_LINE;
        error = null;
        bodyBytes = 0;
        remaining = 0;
        rewindScan();
        headers.clearPending();
        trailers.clearPending();
    }

    private void enterBody() {
        switch (framing()) {
            case CONTENT_LENGTH:
                remaining = contentLength();
                state = State.FIXED_BODY;
                break;
            case CHUNKED:
                state = State.CHUNK_SIZE;
                break;
            case UNTIL_CLOSE:
                state = State.CLOSE_DELIMITED_BODY;
                break;
            default:
                state = State.NO_BODY;
                break;
        }
    }

    private ParseResult body(ByteBuf in) {
        int n = (int) Math.min(in.readableBytes(), remaining);
        if (n == 0) {
            return ParseResult.NEED_MORE;
        }
        remaining -= n;
        bodyBytes = n;
        return ParseResult.BODY;
    }

    private ParseResult complete() {
        state = State.START_LINE;
        rewindScan();
        bodyBytes = 0;
        messageComplete();
        return ParseResult.MESSAGE_COMPLETE;
    }

    /** Hook for a subclass that must know a message ended (the response parser's 1xx handling). */
    void messageComplete() {
    }

    final ParseResult fail(Http1Error e) {
        error = e;
        state = State.ERROR;
        return ParseResult.ERROR;
    }

    private void rewindScan() {
        scanned = 0;
        lineStart = 0;
        sectionStart = 0;
    }

    private ParseResult lineProblem(int result, Http1Error overLimit) {
        switch (result) {
            case INCOMPLETE:
                return ParseResult.NEED_MORE;
            case OVER_LIMIT:
                return fail(overLimit);
            default:
                return fail(Http1Error.BARE_CR);
        }
    }

    /**
     * Scans field lines into {@code block}'s pending table up to the empty line (RFC 9112 §5). Returns null
     * when the section is complete ({@link #scanned} is then its length), otherwise NEED_MORE or ERROR.
     */
    private ParseResult scanFieldSection(ByteBuf in, HeaderBlock block) {
        for (;;) {
            if (scanned == lineStart && scanned < in.readableBytes()
                    && Ascii.isOws(in.getByte(in.readerIndex() + scanned))) {
                // obs-fold (RFC 9112 §5.2), or whitespace before the first field (§2.2): rejected as soon as
                // the first byte of the line arrives, not when the line ends.
                return fail(Http1Error.OBS_FOLD);
            }
            int lf = findLineEnd(in, sectionStart + limits.maxHeaderBytes());
            if (lf < 0) {
                return lineProblem(lf, Http1Error.HEADERS_TOO_LARGE);
            }
            int start = lineStart;
            lineStart = lf + 1;
            if (!endsWithCr(in, start, lf)) {
                return failLine(in, start, lf, Http1Error.BARE_LF);
            }
            if (lf - 1 == start) {
                return null;
            }
            if (block.pendingSize() == limits.maxHeaderCount()) {
                return failLine(in, start, lf, Http1Error.TOO_MANY_HEADERS);
            }
            Http1Error e = fieldLine(in, in.readerIndex(), start, lf - 1, block);
            if (e != null) {
                return failLine(in, start, lf, e);
            }
        }
    }

    /**
     * One field line, {@code [base + start, base + cr)} (RFC 9112 §5, RFC 9110 §5.5):
     * field-name ":" OWS field-value OWS. Its first byte is known not to be OWS: {@link #scanFieldSection}
     * rejects obs-fold as soon as that byte arrives.
     */
    private static Http1Error fieldLine(ByteBuf in, int base, int start, int cr, HeaderBlock block) {
        int end = base + cr;
        int nameStart = base + start;
        int colon = Ascii.endOfRun(in, nameStart, end, Ascii.TCHARS_BUT_UNDERSCORE);
        boolean underscore = colon < end && in.getByte(colon) == '_';
        if (underscore) {
            colon = Ascii.endOfRun(in, colon, end, Ascii.TCHARS);
        }
        if (colon == end) {
            return Http1Error.BAD_HEADER_NAME;
        }
        byte stop = in.getByte(colon);
        if (stop != Ascii.COLON) {
            // RFC 9112 §5.1: whitespace before the colon must be rejected, it has caused smuggling.
            return Ascii.isOws(stop) ? Http1Error.WHITESPACE_BEFORE_COLON : Http1Error.BAD_HEADER_NAME;
        }
        int nameLength = colon - nameStart;
        if (nameLength == 0) {
            return Http1Error.BAD_HEADER_NAME;
        }
        int valueStart = colon + 1;
        while (valueStart < end && Ascii.isOws(in.getByte(valueStart))) {
            valueStart++;
        }
        if (Ascii.endOfFieldContent(in, valueStart, end) != end) {
            return Http1Error.BAD_HEADER_VALUE;
        }
        // The value starts with a field-vchar (or is empty): trailing OWS is all that is left to trim.
        int valueEnd = end;
        while (valueEnd > valueStart && Ascii.isOws(in.getByte(valueEnd - 1))) {
            valueEnd--;
        }
        block.addPending(start, nameLength, valueStart - base, valueEnd - valueStart, cr + 2,
                KnownHeaders.idOf(in, nameStart, nameLength), underscore);
        return null;
    }

    /**
     * RFC 9112 §7.1: chunk-size [ chunk-ext ] with chunk-size = 1*HEXDIG. No whitespace before the
     * extension (the BWS of §7.1.1 is where parsers have disagreed about sizes), and extensions are checked
     * only for bytes no extension may hold; the gateway does not interpret them.
     */
    private Http1Error chunkSize(ByteBuf in, int start, int length) {
        long size = 0;
        int i = 0;
        for (; i < length; i++) {
            int digit = Ascii.hexValue(in.getByte(start + i));
            if (digit < 0) {
                break;
            }
            if (size > Long.MAX_VALUE >> 4) {
                return Http1Error.CHUNK_SIZE_OVERFLOW;
            }
            size = size << 4 | digit;
        }
        if (i == 0) {
            return Http1Error.BAD_CHUNK_SIZE;
        }
        if (i < length) {
            if (in.getByte(start + i) != Ascii.SEMICOLON) {
                return Http1Error.BAD_CHUNK_SIZE;
            }
            Http1Error e = chunkExtensions(in, start + i, start + length);
            if (e != null) {
                return e;
            }
        }
        remaining = size;
        return null;
    }

    /**
     * chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ), checked loosely: each
     * extension has a token name, and a value is a token or a quoted-string (RFC 9110 §5.6.4).
     */
    private static Http1Error chunkExtensions(ByteBuf in, int pos, int end) {
        while (pos < end) {
            pos = skipOws(in, pos + 1, end);
            int nameEnd = skipTchars(in, pos, end);
            if (nameEnd == pos) {
                return Http1Error.BAD_CHUNK_EXTENSION;
            }
            pos = skipOws(in, nameEnd, end);
            if (pos < end && in.getByte(pos) == '=') {
                pos = skipOws(in, pos + 1, end);
                if (pos < end && in.getByte(pos) == '"') {
                    pos = quotedStringEnd(in, pos + 1, end);
                    if (pos < 0) {
                        return Http1Error.BAD_CHUNK_EXTENSION;
                    }
                } else {
                    int valueEnd = skipTchars(in, pos, end);
                    if (valueEnd == pos) {
                        return Http1Error.BAD_CHUNK_EXTENSION;
                    }
                    pos = valueEnd;
                }
                pos = skipOws(in, pos, end);
            }
            if (pos < end && in.getByte(pos) != Ascii.SEMICOLON) {
                return Http1Error.BAD_CHUNK_EXTENSION;
            }
        }
        return null;
    }

    /** One past the closing quote of a quoted-string whose content starts at {@code pos}, or -1. */
    private static int quotedStringEnd(ByteBuf in, int pos, int end) {
        while (pos < end) {
            byte b = in.getByte(pos);
            if (b == '"') {
                return pos + 1;
            }
            if (b == '\\') {
                pos++;
                if (pos == end || !isQuotedByte(in.getByte(pos))) {
                    return -1;
                }
            } else if (!isQuotedByte(b)) {
                return -1;
            }
            pos++;
        }
        return -1;
    }

    /** qdtext and quoted-pair bytes: HTAB, SP, VCHAR, obs-text (RFC 9110 §5.6.4). */
    private static boolean isQuotedByte(byte b) {
        return Ascii.isOws(b) || Ascii.isFieldVchar(b);
    }

    private static int skipOws(ByteBuf in, int pos, int end) {
        while (pos < end && Ascii.isOws(in.getByte(pos))) {
            pos++;
        }
        return pos;
    }

    private static int skipTchars(ByteBuf in, int pos, int end) {
        while (pos < end && Ascii.isTchar(in.getByte(pos))) {
            pos++;
        }
        return pos;
    }

    private static boolean hasFramingField(HeaderBlock block) {
        return block.indexOf(KnownHeaders.CONTENT_LENGTH) >= 0 || block.indexOf(KnownHeaders.TRANSFER_ENCODING) >= 0;
    }

    /** Whether the line ending at the LF {@code lf} (relative) has a CR before it within the line. */
    private static boolean endsWithCr(ByteBuf in, int start, int lf) {
        return lf > start && in.getByte(in.readerIndex() + lf - 1) == Ascii.CR;
    }

    /**
     * Fails with {@code e} for the complete line {@code [start, lf]} (relative), unless the line holds a
     * bare CR: byte by byte, that CR would have been seen before whatever {@code e} is about.
     */
    private ParseResult failLine(ByteBuf in, int start, int lf, Http1Error e) {
        int r = in.readerIndex();
        // A CR right before the LF is the line's ending; any other CR is bare (the first LF is at lf).
        boolean bareCr = lf - 1 > start && in.indexOf(r + start, r + lf - 1, Ascii.CR) >= 0;
        return fail(bareCr ? Http1Error.BARE_CR : e);
    }

    /**
     * Finds the LF that ends the current line, resuming at {@link #scanned}, never looking past
     * {@code limit} (relative to the reader index). Returns the LF's relative position, INCOMPLETE,
     * OVER_LIMIT or BARE_CR_FOUND.
     *
     * <p>A CR must be followed by LF (RFC 9112 §2.2). In a line whose LF has arrived, a bare CR is left to
     * {@link #failLine} (see the class comment); in a line still arriving it is reported as soon as the
     * byte after it is seen, so that a peer cannot park a bare CR in a head that never ends.
     */
    private int findLineEnd(ByteBuf in, int limit) {
        int base = in.readerIndex();
        int end = in.writerIndex() - base;
        int stop = Math.min(end, limit);
        int from = scanned;
        if (from < stop) {
            int lf = in.indexOf(base + from, base + stop, Ascii.LF);
            if (lf >= 0) {
                scanned = lf - base + 1;
                return lf - base;
            }
            // No LF in [from, stop): a CR there is bare unless it is the last byte received, whose
            // successor is unknown, or the last byte allowed, whose successor may be the LF at the limit.
            int cr = in.indexOf(base + from, base + stop, Ascii.CR);
            if (cr >= 0) {
                int i = cr - base;
                if (i + 1 == end) {
                    scanned = i;
                    return INCOMPLETE;
                }
                if (i + 1 < stop || in.getByte(cr + 1) != Ascii.LF) {
                    scanned = i;
                    return BARE_CR_FOUND;
                }
            }
            from = stop;
        }
        scanned = from;
        return from >= limit ? OVER_LIMIT : INCOMPLETE;
    }
}
