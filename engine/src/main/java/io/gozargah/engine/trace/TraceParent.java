package io.gozargah.engine.trace;

import io.gozargah.codec.http1.KnownHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;

/**
 * The W3C Trace Context {@code traceparent} of one exchange (W3C Recommendation "Trace Context", §3.2): the
 * gateway takes part in the trace as one span. A consumer's valid {@code traceparent} keeps its trace id and
 * sampled flag; a missing one starts a trace whose id is the transaction id's 128 bits, so the journal's
 * transaction id is the trace id in any tracing system; a malformed one (or more than one) is replaced the same
 * way and never forwarded. Either way the gateway's span id, which the provider sees as its parent, is the
 * transaction id's two halves XORed: unique per exchange as the id is (the low half alone is fixed per generator,
 * so every exchange of an event loop would be one span), found again from the journal's transaction id, and never
 * zero (the UUID variant's top bit is set in the low half and clear in the high one).
 *
 * <p>One instance per exchange driver, reused: {@link #start} for each exchange, {@link #accept} with each
 * {@code traceparent} field the consumer sent, then the rendered value ({@link #value()}, 55 ASCII bytes) or line
 * ({@link #line()}, {@code traceparent: <value>CRLF}) goes to the provider and back to the consumer. Nothing is
 * allocated per exchange.
 */
public final class TraceParent {
    /** The field's name, lower case as HTTP/2 needs it. */
    public static final AsciiString NAME = KnownHeaders.NAME_TRACEPARENT;
    /** Length of a version-00 value: {@code 00-<32 hex>-<16 hex>-<2 hex>}. */
    public static final int VALUE_LENGTH = 55;
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int PREFIX_LENGTH = NAME.length() + 2;
    private static final int SAMPLED = 0x01;

    private final byte[] line = new byte[PREFIX_LENGTH + VALUE_LENGTH + 2];
    private long txMsb;
    private long txLsb;
    private long traceHigh;
    private long traceLow;
    private long spanId;
    private int flags;
    private int seen;
    private boolean fromConsumer;
    private boolean rendered;

    public TraceParent() {
        NAME.copy(0, line, 0, NAME.length());
        line[NAME.length()] = ':';
        line[NAME.length() + 1] = ' ';
        line[line.length - 2] = '\r';
        line[line.length - 1] = '\n';
    }

    /** A new exchange with transaction id {@code txMsb:txLsb}: until a valid field is accepted, its own trace. */
    public void start(long txMsb, long txLsb) {
        this.txMsb = txMsb;
        this.txLsb = txLsb;
        spanId = txMsb ^ txLsb;
        seen = 0;
        restart();
    }

    /** A consumer's {@code traceparent} field value, {@code length} bytes at {@code index} of {@code buf}. */
    public void accept(ByteBuf buf, int index, int length) {
        seen++;
        if (seen == 1 && parse(buf, null, index, length)) {
            fromConsumer = true;
        } else {
            restart();
        }
    }

    /** {@link #accept(ByteBuf, int, int)} for a value held as characters (HTTP/2). */
    public void accept(CharSequence value) {
        seen++;
        if (seen == 1 && parse(null, value, 0, value.length())) {
            fromConsumer = true;
        } else {
            restart();
        }
    }

    /** Whether the trace is the consumer's (a single valid field), so its {@code tracestate} belongs to it. */
    public boolean fromConsumer() {
        return fromConsumer;
    }

    public long traceIdHigh() {
        return traceHigh;
    }

    public long traceIdLow() {
        return traceLow;
    }

    /** The {@code traceparent: <value>CRLF} line for an HTTP/1.1 head; the array is reused. */
    public byte[] line() {
        render();
        return line;
    }

    /** The array holding the value at {@link #valueOffset()}, {@link #VALUE_LENGTH} bytes; reused. */
    public byte[] value() {
        render();
        return line;
    }

    public int valueOffset() {
        return PREFIX_LENGTH;
    }

    /** Back to the gateway's own trace: a malformed field, or a second one (§3.2: the set is invalid). */
    private void restart() {
        fromConsumer = false;
        rendered = false;
        traceHigh = txMsb;
        traceLow = txLsb;
        flags = SAMPLED;
    }

    private void render() {
        if (rendered) {
            return;
        }
        int i = PREFIX_LENGTH;
        line[i++] = '0';
        line[i++] = '0';
        line[i++] = '-';
        i = HexDigits.write16(line, i, traceHigh);
        i = HexDigits.write16(line, i, traceLow);
        line[i++] = '-';
        i = HexDigits.write16(line, i, spanId);
        line[i++] = '-';
        hex(line, i, flags, 2);
        rendered = true;
    }

    /**
     * Parses a value as §3.2.2 says: {@code version-traceid-parentid-flags}, lower-case hex only; version
     * {@code ff} is invalid; version 00 is exactly 55 bytes; a later version is read as 00 and may carry more
     * after a '-' at byte 55. An all-zero trace id or parent id is invalid.
     */
    private boolean parse(ByteBuf buf, CharSequence chars, int index, int length) {
        if (length < VALUE_LENGTH) {
            return false;
        }
        int version = hexValue(buf, chars, index, 2);
        if (version < 0 || version == 0xFF || (version == 0 && length != VALUE_LENGTH)
                || (version != 0 && length > VALUE_LENGTH && at(buf, chars, index + VALUE_LENGTH) != '-')) {
            return false;
        }
        if (at(buf, chars, index + 2) != '-' || at(buf, chars, index + 35) != '-'
                || at(buf, chars, index + 52) != '-') {
            return false;
        }
        long high = 0;
        long low = 0;
        long parent = 0;
        for (int k = 0; k < 16; k++) {
            int h = nibble(at(buf, chars, index + 3 + k));
            int l = nibble(at(buf, chars, index + 19 + k));
            int p = nibble(at(buf, chars, index + 36 + k));
            if ((h | l | p) < 0) {
                return false;
            }
            high = high << 4 | h;
            low = low << 4 | l;
            parent = parent << 4 | p;
        }
        int traceFlags = hexValue(buf, chars, index + 53, 2);
        if (traceFlags < 0 || (high | low) == 0 || parent == 0) {
            return false;
        }
        traceHigh = high;
        traceLow = low;
        flags = traceFlags & SAMPLED;
        rendered = false;
        return true;
    }

    private static int at(ByteBuf buf, CharSequence chars, int i) {
        return buf != null ? buf.getByte(i) & 0xFF : chars.charAt(i);
    }

    private static int hexValue(ByteBuf buf, CharSequence chars, int index, int digits) {
        int v = 0;
        for (int k = 0; k < digits; k++) {
            int n = nibble(at(buf, chars, index + k));
            if (n < 0) {
                return -1;
            }
            v = v << 4 | n;
        }
        return v;
    }

    /** A lower-case hex digit's value, or -1 (upper case is invalid, §3.2.2.1). */
    private static int nibble(int c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -1;
    }

    private static int hex(byte[] dst, int offset, long value, int digits) {
        for (int k = digits - 1; k >= 0; k--) {
            dst[offset + k] = HEX[(int) (value & 0xF)];
            value >>>= 4;
        }
        return offset + digits;
    }
}
