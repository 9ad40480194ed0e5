package io.gozargah.codec.http1;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;

/**
 * A parsed header (or trailer) section as offsets into the buffer it was parsed from: no {@code String}
 * per field until someone asks. Owned and reused by its parser; valid until the parser's next HEAD (for a
 * head) or next message, and only while the caller has not discarded or released the bytes it points at.
 *
 * <p>Indices are absolute buffer indices ({@code buffer().getByte(valueStart(i))} is the first value byte).
 * Values exclude leading and trailing OWS (RFC 9110 §5.5). The raw field line, name through CRLF, is
 * {@code [lineStart(i), lineEnd(i))}, so an encoder can copy an untouched field byte for byte.
 *
 * <p>To be implemented by the codec work: the skeleton fixes the API the engine is written against.
 */
public final class HeaderBlock {

    /** The buffer the offsets point into. */
    public ByteBuf buffer() {
        throw new UnsupportedOperationException();
    }

    public int size() {
        throw new UnsupportedOperationException();
    }

    /** The {@link KnownHeaders} id of field {@code i} ({@link KnownHeaders#OTHER} if none). */
    public int id(int i) {
        throw new UnsupportedOperationException();
    }

    /**
     * Whether field {@code i} is hop-by-hop for a proxy (RFC 9110 §7.6.1): Connection, Keep-Alive,
     * Proxy-Connection, TE, Transfer-Encoding, Upgrade, and every field the Connection header names.
     */
    public boolean hopByHop(int i) {
        throw new UnsupportedOperationException();
    }

    public int nameStart(int i) {
        throw new UnsupportedOperationException();
    }

    public int nameLength(int i) {
        throw new UnsupportedOperationException();
    }

    public int valueStart(int i) {
        throw new UnsupportedOperationException();
    }

    public int valueLength(int i) {
        throw new UnsupportedOperationException();
    }

    public int lineStart(int i) {
        throw new UnsupportedOperationException();
    }

    /** One past the LF that ends field line {@code i}. */
    public int lineEnd(int i) {
        throw new UnsupportedOperationException();
    }

    /** Case-insensitive comparison of field {@code i}'s name, without allocating. */
    public boolean nameEquals(int i, AsciiString name) {
        throw new UnsupportedOperationException();
    }

    /** The index of the first field named {@code name} (case-insensitive), or -1. */
    public int indexOf(AsciiString name) {
        throw new UnsupportedOperationException();
    }

    /** The index of the first field with id {@code knownId}, or -1. */
    public int indexOf(int knownId) {
        throw new UnsupportedOperationException();
    }

    /** Allocates: for tests, logs and the slow path. */
    public String name(int i) {
        throw new UnsupportedOperationException();
    }

    /** Allocates (ISO-8859-1): for tests, logs and the slow path. */
    public String value(int i) {
        throw new UnsupportedOperationException();
    }
}
