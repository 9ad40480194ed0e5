package io.gozargah.codec.http1;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;

/**
 * Incremental, strict, zero-copy HTTP/1.1 request parser (RFC 9112). An explicit state machine in the
 * manner of Netty's {@code HttpObjectDecoder}, but with no {@code String} per request, and ambiguous
 * framing rejected, never guessed.
 *
 * <h2>Contract</h2>
 * <ul>
 * <li>{@link #parse(ByteBuf)} reads from {@code in.readerIndex()}. While a head is incomplete it does not
 * move the reader index (the head must stay contiguous for zero-copy views) but remembers how far it
 * scanned, so the next call resumes rather than rescans. The caller may compact the buffer only between
 * messages or while no head is pending; the parser keeps positions relative to the reader index.</li>
 * <li>HEAD: {@link #head()} is valid, reader index is past the head.</li>
 * <li>BODY: {@link #bodyBytes()} content bytes start at the reader index; the caller consumes them.</li>
 * <li>MESSAGE_COMPLETE: {@link #trailers()} holds any trailer fields; the next call parses a new message.</li>
 * <li>ERROR: {@link #error()}; nothing more is parsed until {@link #reset()}.</li>
 * <li>Steady state allocates nothing.</li>
 * </ul>
 * Accepts only origin-form targets, plus asterisk-form for OPTIONS and authority-form for CONNECT
 * (RFC 9112 §3.2), absolute-form as the RFC requires servers to accept.
 */
public final class HttpRequestParser {

    private static final AsciiString HTTP_SCHEME = AsciiString.cached("http://");
    private static final AsciiString HTTPS_SCHEME = AsciiString.cached("https://");

    private final Machine machine;
    private final RequestHead head;

    public HttpRequestParser(Http1Limits limits) {
        machine = new Machine(limits);
        head = new RequestHead(machine.headers);
    }

    public ParseResult parse(ByteBuf in) {
        return machine.parseMessage(in);
    }

    /**
     * The peer closed: NEED_MORE between messages (a clean close), otherwise ERROR with UNEXPECTED_EOF, as
     * {@link HttpResponseParser#endOfInput()} answers for a response.
     */
    public ParseResult endOfInput() {
        return machine.endOfInput();
    }

    public RequestHead head() {
        return head;
    }

    public int bodyBytes() {
        return machine.bodyBytes();
    }

    public HeaderBlock trailers() {
        return machine.trailers;
    }

    public Http1Error error() {
        return machine.error();
    }

    /** True between a HEAD and its MESSAGE_COMPLETE. */
    public boolean inBody() {
        return machine.inBody();
    }

    /** Forget any partial message and error; ready for a fresh message. */
    public void reset() {
        machine.reset();
    }

    /** The request-specific half of the state machine: the request line and request framing. */
    private final class Machine extends Http1MessageParser {

        private HttpMethod method;
        private int methodStart;
        private int methodLength;
        private int targetStart;
        private int targetLength;
        private int versionMinor;

        Machine(Http1Limits limits) {
            super(limits, true);
        }

        @Override
        Http1Error startLineTooLong() {
            return Http1Error.URI_TOO_LONG;
        }

        /** RFC 9112 §3: request-line = method SP request-target SP HTTP-version, single spaces only. */
        @Override
        Http1Error startLine(ByteBuf in, int base, int start, int length) {
            int end = base + start + length;
            int i = Ascii.endOfRun(in, base + start, end, Ascii.TCHARS);
            if (i == end || i == base + start) {
                return i == end ? Http1Error.BAD_REQUEST_LINE : Http1Error.BAD_METHOD;
            }
            if (in.getByte(i) != Ascii.SP) {
                return Http1Error.BAD_METHOD;
            }
            int mStart = base + start;
            int mLength = i - mStart;
            i++;
            int tStart = i;
            // The target runs to the next SP; SP is no target byte, so a run of target bytes that stops at
            // an SP is the whole target, already checked.
            i = Ascii.endOfRun(in, tStart, end, Ascii.TARGET_CHARS);
            boolean targetBytesValid = true;
            if (i < end && in.getByte(i) != Ascii.SP) {
                targetBytesValid = false;
                int sp = in.indexOf(i, end, Ascii.SP);
                i = sp < 0 ? end : sp;
            }
            int tLength = i - tStart;
            if (i == end || tLength == 0) {
                return Http1Error.BAD_REQUEST_LINE;
            }
            i++;
            int minor = HttpVersion.minor(in, i, end - i);
            if (minor < 0) {
                return minor == HttpVersion.UNSUPPORTED ? Http1Error.BAD_VERSION : Http1Error.BAD_REQUEST_LINE;
            }
            HttpMethod m = HttpMethod.of(in, mStart, mLength);
            Http1Error e = target(in, m, tStart, tLength, targetBytesValid);
            if (e != null) {
                return e;
            }
            method = m;
            methodStart = mStart - base;
            methodLength = mLength;
            targetStart = tStart - base;
            targetLength = tLength;
            versionMinor = minor;
            return null;
        }

        /**
         * RFC 9112 §3.2: origin-form for everything, asterisk-form only for OPTIONS, authority-form only
         * (and always) for CONNECT, absolute-form with an http or https scheme. {@code bytesValid}: every
         * byte is a request-target byte ({@link Ascii#TARGET_CHARS}).
         */
        private Http1Error target(ByteBuf in, HttpMethod m, int start, int length, boolean bytesValid) {
            if (!bytesValid) {
                return Http1Error.BAD_TARGET;
            }
            byte first = in.getByte(start);
            if (m == HttpMethod.CONNECT) {
                return first != '/' && isAuthorityForm(in, start, length) ? null : Http1Error.BAD_TARGET;
            }
            if (first == '/') {
                return null;
            }
            if (first == '*') {
                return length == 1 && m == HttpMethod.OPTIONS ? null : Http1Error.BAD_TARGET;
            }
            if (startsWith(in, start, length, HTTP_SCHEME) || startsWith(in, start, length, HTTPS_SCHEME)) {
                return null;
            }
            return Http1Error.BAD_TARGET;
        }

        /** authority-form = uri-host ":" port (RFC 9112 §3.2.3): no path, no userinfo, a non-empty port. */
        private boolean isAuthorityForm(ByteBuf in, int start, int length) {
            int colon = -1;
            for (int k = 0; k < length; k++) {
                byte b = in.getByte(start + k);
                if (b == '/' || b == '?' || b == '@') {
                    return false;
                }
                if (b == Ascii.COLON) {
                    colon = k;
                }
            }
            if (colon <= 0 || colon == length - 1) {
                return false;
            }
            for (int k = colon + 1; k < length; k++) {
                if (!Ascii.isDigit(in.getByte(start + k))) {
                    return false;
                }
            }
            return true;
        }

        private boolean startsWith(ByteBuf in, int start, int length, AsciiString prefix) {
            return length > prefix.length() && Ascii.equalsIgnoreCase(in, start, prefix);
        }

        @Override
        Http1Error headComplete(ByteBuf in, int base, int headLength) {
            Http1Error e = fields.analyze(headers);
            BodyFraming framing = BodyFraming.NONE;
            if (e == null && fields.transferEncoding) {
                if (versionMinor == 0) {
                    // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message means faulty framing.
                    e = Http1Error.BAD_TRANSFER_ENCODING;
                } else if (!fields.chunked) {
                    // RFC 9112 §6.3 rule 4: a request whose final coding is not chunked has no knowable length.
                    e = Http1Error.BAD_TRANSFER_ENCODING;
                }
                framing = BodyFraming.CHUNKED;
            } else if (fields.contentLength >= 0) {
                framing = BodyFraming.CONTENT_LENGTH;
            }
            boolean keepAlive = versionMinor == 1 ? !fields.close : fields.keepAlive && !fields.close;
            head.publish(in, base, method, methodStart, methodLength, targetStart, targetLength, versionMinor,
                    framing, framing == BodyFraming.CONTENT_LENGTH ? fields.contentLength : -1, keepAlive,
                    fields.expectContinue, fields.hostCount, headLength);
            return e;
        }

        @Override
        BodyFraming framing() {
            return head.framing();
        }

        @Override
        long contentLength() {
            return head.contentLength();
        }
    }
}
