package io.gozargah.codec.http1;

import io.netty.buffer.ByteBuf;

/**
 * Incremental, strict, zero-copy HTTP/1.1 response parser; the same contract as
 * {@link HttpRequestParser}, plus:
 * <ul>
 * <li>{@link #expectResponseTo(HttpMethod)} must be called before each response's head is parsed, so a
 * response to HEAD (and 2xx to CONNECT) is known to have no body (RFC 9112 §6.3 rules 1 and 2).</li>
 * <li>1xx responses (100, 103, ...) produce HEAD then MESSAGE_COMPLETE; the final response follows.
 * 101 is not supported by the gateway and is an error.</li>
 * <li>204 and 304 have no body whatever their headers say.</li>
 * <li>A body with no Content-Length and no chunked coding runs until the connection closes
 * ({@link BodyFraming#UNTIL_CLOSE}): the caller reports the close with {@link #endOfInput()}.</li>
 * </ul>
 * One deliberate strictness beyond RFC 9112 §6.3 rule 4: a Transfer-Encoding whose final coding is not
 * chunked is an error (BAD_TRANSFER_ENCODING), not a close-delimited body, because the gateway strips
 * Transfer-Encoding as hop-by-hop and would pass the coded bytes on as if they were the content.
 */
public final class HttpResponseParser {

    private static final int STATUS_DIGITS = 3;

    private final Machine machine;
    private final ResponseHead head;

    public HttpResponseParser(Http1Limits limits) {
        machine = new Machine(limits);
        head = new ResponseHead(machine.headers);
    }

    public void expectResponseTo(HttpMethod requestMethod) {
        machine.requestMethod = requestMethod;
    }

    public ParseResult parse(ByteBuf in) {
        return machine.parseMessage(in);
    }

    /**
     * The peer closed. Returns MESSAGE_COMPLETE if that ends a close-delimited body, NEED_MORE if no
     * message had started (a clean close between messages), otherwise ERROR with UNEXPECTED_EOF.
     */
    public ParseResult endOfInput() {
        return machine.endOfInput();
    }

    public ResponseHead head() {
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

    public boolean inBody() {
        return machine.inBody();
    }

    public void reset() {
        machine.reset();
    }

    /** The response-specific half of the state machine: the status line and response framing. */
    private final class Machine extends Http1MessageParser {

        private HttpMethod requestMethod = HttpMethod.GET;
        private int versionMinor;
        private int status;
        private int reasonStart;
        private int reasonLength;

        Machine(Http1Limits limits) {
            super(limits, false);
        }

        @Override
        Http1Error startLineTooLong() {
            return Http1Error.BAD_STATUS_LINE;
        }

        /**
         * RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]. A missing SP after
         * the code is accepted too, as llhttp and most clients do: nothing depends on the reason.
         */
        @Override
        Http1Error startLine(ByteBuf in, int base, int start, int length) {
            int i = base + start;
            int end = i + length;
            if (length < HttpVersion.LENGTH + 1 + STATUS_DIGITS) {
                return Http1Error.BAD_STATUS_LINE;
            }
            int minor = HttpVersion.minor(in, i, HttpVersion.LENGTH);
            if (minor < 0) {
                return minor == HttpVersion.UNSUPPORTED ? Http1Error.BAD_VERSION : Http1Error.BAD_STATUS_LINE;
            }
            i += HttpVersion.LENGTH;
            if (in.getByte(i++) != Ascii.SP) {
                return Http1Error.BAD_STATUS_LINE;
            }
            int code = 0;
            for (int k = 0; k < STATUS_DIGITS; k++) {
                byte b = in.getByte(i++);
                if (!Ascii.isDigit(b)) {
                    return Http1Error.BAD_STATUS_LINE;
                }
                code = code * 10 + b - '0';
            }
            // RFC 9110 §15: the first digit is the class; 1 to 5 are defined, others are not responses.
            if (code < 100 || code > 599) {
                return Http1Error.BAD_STATUS_LINE;
            }
            if (i < end && in.getByte(i++) != Ascii.SP) {
                return Http1Error.BAD_STATUS_LINE;
            }
            // reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )
            if (Ascii.endOfRun(in, i, end, Ascii.FIELD_CONTENT_CHARS) != end) {
                return Http1Error.BAD_STATUS_LINE;
            }
            versionMinor = minor;
            status = code;
            reasonStart = i - base;
            reasonLength = end - i;
            return null;
        }

        @Override
        Http1Error headComplete(ByteBuf in, int base, int headLength) {
            Http1Error e = fields.analyze(headers);
            BodyFraming framing;
            if (status == 101) {
                e = Http1Error.UNSUPPORTED_UPGRADE;
                framing = BodyFraming.NONE;
            } else if (status < 200 || status == 204 || status == 304 || requestMethod == HttpMethod.HEAD
                    || requestMethod == HttpMethod.CONNECT && status < 300) {
                // RFC 9112 §6.3 rules 1 and 2: no body, whatever the fields say.
                framing = BodyFraming.NONE;
            } else if (fields.transferEncoding) {
                if (versionMinor == 0 || !fields.chunked) {
                    // RFC 9112 §6.1 (HTTP/1.0) and the class comment (final coding not chunked).
                    e = e == null ? Http1Error.BAD_TRANSFER_ENCODING : e;
                }
                framing = BodyFraming.CHUNKED;
            } else if (fields.contentLength >= 0) {
                framing = BodyFraming.CONTENT_LENGTH;
            } else {
                // RFC 9112 §6.3 rule 8.
                framing = BodyFraming.UNTIL_CLOSE;
            }
            boolean keepAlive = framing != BodyFraming.UNTIL_CLOSE
                    && (versionMinor == 1 ? !fields.close : fields.keepAlive && !fields.close);
            head.publish(in, base, versionMinor, status, reasonStart, reasonLength, framing,
                    framing == BodyFraming.CONTENT_LENGTH ? fields.contentLength : -1, keepAlive, headLength);
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
