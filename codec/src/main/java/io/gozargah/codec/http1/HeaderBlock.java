package io.gozargah.codec.http1;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;
import java.util.Arrays;

/**
 * A parsed header (or trailer) section as offsets into the buffer it was parsed from: no {@code String}
 * per field until someone asks. Owned and reused by its parser; valid until the parser's next HEAD (for a
 * head) or next message, and only while the caller has not discarded or released the bytes it points at.
 *
 * <p>Indices are absolute buffer indices ({@code buffer().getByte(valueStart(i))} is the first value byte).
 * Values exclude leading and trailing OWS (RFC 9110 §5.5). The raw field line, name through CRLF, is
 * {@code [lineStart(i), lineEnd(i))}, so an encoder can copy an untouched field byte for byte.
 *
 * <p>The block is double-buffered: the parser fills a pending table while a section is still arriving
 * and swaps it in only when the section is complete, so the published fields stay valid while the next
 * head is being scanned (pipelining), and neither table is reallocated once it has grown large enough.
 */
public final class HeaderBlock {

    private static final int LINE_START = 0;
    private static final int NAME_LENGTH = 1;
    private static final int VALUE_START = 2;
    private static final int VALUE_LENGTH = 3;
    private static final int LINE_END = 4;
    private static final int ID_FLAGS = 5;
    private static final int STRIDE = 6;
    private static final int ID_MASK = 0xFF;
    private static final int HOP_BY_HOP = 0x100;
    private static final int UNDERSCORE = 0x200;
    private static final int INITIAL_FIELDS = 16;

    private ByteBuf buffer;
    private int base;
    private int[] fields = new int[INITIAL_FIELDS * STRIDE];
    private int size;
    private int[] pending = new int[INITIAL_FIELDS * STRIDE];
    private int pendingSize;

    HeaderBlock() {
    }

    /** The buffer the offsets point into. */
    public ByteBuf buffer() {
        return buffer;
    }

    public int size() {
        return size;
    }

    /** The {@link KnownHeaders} id of field {@code i} ({@link KnownHeaders#OTHER} if none). */
    public int id(int i) {
        return fields[i * STRIDE + ID_FLAGS] & ID_MASK;
    }

    /**
     * Whether field {@code i} is hop-by-hop for a proxy (RFC 9110 §7.6.1): Connection, Keep-Alive,
     * Proxy-Connection, TE, Transfer-Encoding, Upgrade, and every field the Connection header names.
     */
    public boolean hopByHop(int i) {
        return (fields[i * STRIDE + ID_FLAGS] & HOP_BY_HOP) != 0;
    }

    /**
     * Whether field {@code i}'s name holds '_'. Many servers behind a proxy (CGI, WSGI, PHP, nginx with
     * {@code underscores_in_headers}) fold '_' into '-', so such a name can pass for one the gateway controls
     * ({@code X_Gozargah_Consumer} for {@code X-Gozargah-Consumer}).
     */
    public boolean underscoreInName(int i) {
        return (fields[i * STRIDE + ID_FLAGS] & UNDERSCORE) != 0;
    }

    public int nameStart(int i) {
        return base + fields[i * STRIDE + LINE_START];
    }

    public int nameLength(int i) {
        return fields[i * STRIDE + NAME_LENGTH];
    }

    public int valueStart(int i) {
        return base + fields[i * STRIDE + VALUE_START];
    }

    public int valueLength(int i) {
        return fields[i * STRIDE + VALUE_LENGTH];
    }

    public int lineStart(int i) {
        return base + fields[i * STRIDE + LINE_START];
    }

    /** One past the LF that ends field line {@code i}. */
    public int lineEnd(int i) {
        return base + fields[i * STRIDE + LINE_END];
    }

    /** Case-insensitive comparison of field {@code i}'s name, without allocating. */
    public boolean nameEquals(int i, AsciiString name) {
        return nameLength(i) == name.length() && Ascii.equalsIgnoreCase(buffer, nameStart(i), name);
    }

    /** Case-insensitive comparison of field {@code i}'s name with field {@code j}'s name. */
    public boolean sameName(int i, int j) {
        int length = nameLength(i);
        if (length != nameLength(j)) {
            return false;
        }
        return Ascii.equalsIgnoreCase(buffer, nameStart(i), length, buffer, nameStart(j));
    }

    /** The index of the first field named {@code name} (case-insensitive), or -1. */
    public int indexOf(AsciiString name) {
        for (int i = 0; i < size; i++) {
            if (nameEquals(i, name)) {
                return i;
            }
        }
        return -1;
    }

    /** The index of the first field with id {@code knownId}, or -1. */
    public int indexOf(int knownId) {
        for (int i = 0; i < size; i++) {
            if (id(i) == knownId) {
                return i;
            }
        }
        return -1;
    }

    /** Case-insensitive comparison of field {@code i}'s value, without allocating. */
    public boolean valueEquals(int i, AsciiString value) {
        return valueLength(i) == value.length() && Ascii.equalsIgnoreCase(buffer, valueStart(i), value);
    }

    /** Allocates: for tests, logs and the slow path. */
    public String name(int i) {
        return buffer.toString(nameStart(i), nameLength(i), ISO_8859_1);
    }

    /** Allocates (ISO-8859-1): for tests, logs and the slow path. */
    public String value(int i) {
        return buffer.toString(valueStart(i), valueLength(i), ISO_8859_1);
    }

    void markHopByHop(int i) {
        fields[i * STRIDE + ID_FLAGS] |= HOP_BY_HOP;
    }

    void clear() {
        size = 0;
        pendingSize = 0;
    }

    void clearPending() {
        pendingSize = 0;
    }

    int pendingSize() {
        return pendingSize;
    }

    /**
     * Appends a field to the pending table. Positions are relative to the reader index of the section's
     * buffer, because the buffer may move before the section is complete.
     */
    void addPending(int lineStart, int nameLength, int valueStart, int valueLength, int lineEnd, int id,
                    boolean underscore) {
        int at = pendingSize * STRIDE;
        if (at + STRIDE > pending.length) {
            pending = Arrays.copyOf(pending, pending.length * 2);
        }
        pending[at + LINE_START] = lineStart;
        pending[at + NAME_LENGTH] = nameLength;
        pending[at + VALUE_START] = valueStart;
        pending[at + VALUE_LENGTH] = valueLength;
        pending[at + LINE_END] = lineEnd;
        pending[at + ID_FLAGS] = id | (KnownHeaders.alwaysHopByHop(id) ? HOP_BY_HOP : 0)
                | (underscore ? UNDERSCORE : 0);
        pendingSize++;
    }

    /** Makes the pending table the published one, its positions now relative to {@code base} in {@code buf}. */
    void publish(ByteBuf buf, int base) {
        int[] published = fields;
        fields = pending;
        pending = published;
        size = pendingSize;
        pendingSize = 0;
        this.buffer = buf;
        this.base = base;
    }
}
