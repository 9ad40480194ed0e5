package io.gozargah.codec.journal;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Flyweight over one dictionary entry: the name behind a dictionary id used in {@link TransactionRecordFlyweight}
 * (consumer, service or endpoint), journaled once before the first record that uses the id, so a journal can
 * be read without the configuration that was live when it was written. Little-endian, like the transaction
 * record.
 *
 * <p>Layout, schema version 1 (offsets relative to the wrapped offset):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+---------------+---------------+
 *  |  0  schema version (u16)      |  2  kind (u8) |  3  reserved  |
 *  +-------------------------------+---------------+---------------+
 *  |  4  id (u32)                                                  |
 *  +-------------------------------+-------------------------------+
 *  |  8  name length (u16, bytes)  | 10  name, UTF-8 ...           |
 *  +-------------------------------+-------------------------------+
 * </pre>
 * Length: {@value #NAME_OFFSET} + name length bytes ({@link #length(int)}). The kind is one of the
 * {@code KIND_*} values; an id is unique within its kind. Names are UTF-8 because consumer and service names
 * are often Persian.
 *
 * <p>Entries are written once per name, not per request, so {@link #name(String)} encodes through
 * {@link String#getBytes} and allocates; nothing on the per-request path uses this class.
 */
public final class DictionaryEntryFlyweight {
    public static final int SCHEMA_VERSION = 1;

    public static final int KIND_CONSUMER = 1;
    public static final int KIND_SERVICE = 2;
    public static final int KIND_ENDPOINT = 3;

    public static final int SCHEMA_VERSION_OFFSET = 0;
    public static final int KIND_OFFSET = 2;
    public static final int RESERVED_OFFSET = 3;
    public static final int ID_OFFSET = 4;
    public static final int NAME_LENGTH_OFFSET = 8;
    public static final int NAME_OFFSET = 10;

    /** The most name bytes the u16 length field can describe. */
    public static final int MAX_NAME_LENGTH = 0xFFFF;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private DirectBuffer buffer;
    private MutableDirectBuffer mutableBuffer;
    private int offset;

    /** Bytes of an entry whose name is {@code nameLength} UTF-8 bytes. */
    public static int length(int nameLength) {
        return NAME_OFFSET + nameLength;
    }

    /** Wraps {@code buffer} at {@code offset} to write a new entry: writes the schema version, zeroes the header. */
    public DictionaryEntryFlyweight wrapForWrite(MutableDirectBuffer buffer, int offset) {
        Bounds.check(buffer, offset, NAME_OFFSET, "dictionary entry");
        this.buffer = buffer;
        this.mutableBuffer = buffer;
        this.offset = offset;
        buffer.setMemory(offset, NAME_OFFSET, (byte) 0);
        buffer.putShort(offset + SCHEMA_VERSION_OFFSET, (short) SCHEMA_VERSION, ORDER);
        return this;
    }

    /**
     * Wraps an existing entry to read it.
     *
     * @throws UnsupportedSchemaVersionException if the entry's schema version is not {@link #SCHEMA_VERSION}
     * @throws IndexOutOfBoundsException if the entry, with the name length it states, does not fit the buffer
     */
    public DictionaryEntryFlyweight wrapForRead(DirectBuffer buffer, int offset) {
        Bounds.check(buffer, offset, NAME_OFFSET, "dictionary entry");
        int version = buffer.getShort(offset + SCHEMA_VERSION_OFFSET, ORDER) & 0xFFFF;
        if (version != SCHEMA_VERSION) {
            throw new UnsupportedSchemaVersionException("dictionary entry", version, SCHEMA_VERSION);
        }
        int nameLength = buffer.getShort(offset + NAME_LENGTH_OFFSET, ORDER) & 0xFFFF;
        Bounds.check(buffer, offset, length(nameLength), "dictionary entry");
        this.buffer = buffer;
        this.mutableBuffer = buffer instanceof MutableDirectBuffer mutable ? mutable : null;
        this.offset = offset;
        return this;
    }

    public DirectBuffer buffer() {
        return buffer;
    }

    public int offset() {
        return offset;
    }

    /** Bytes of the wrapped entry, name included. */
    public int length() {
        return length(nameLength());
    }

    public int schemaVersion() {
        return buffer.getShort(offset + SCHEMA_VERSION_OFFSET, ORDER) & 0xFFFF;
    }

    public int kind() {
        return buffer.getByte(offset + KIND_OFFSET) & 0xFF;
    }

    public DictionaryEntryFlyweight kind(int kind) {
        if (kind != KIND_CONSUMER && kind != KIND_SERVICE && kind != KIND_ENDPOINT) {
            throw new IllegalArgumentException("unknown dictionary kind " + kind);
        }
        mutable().putByte(offset + KIND_OFFSET, (byte) kind);
        return this;
    }

    /** The dictionary id, unsigned 32 bits. */
    public int id() {
        return buffer.getInt(offset + ID_OFFSET, ORDER);
    }

    public DictionaryEntryFlyweight id(int id) {
        mutable().putInt(offset + ID_OFFSET, id, ORDER);
        return this;
    }

    /** UTF-8 bytes of the name. */
    public int nameLength() {
        return buffer.getShort(offset + NAME_LENGTH_OFFSET, ORDER) & 0xFFFF;
    }

    /**
     * Writes {@code name} as UTF-8 with its length.
     *
     * @throws IllegalArgumentException if the encoded name is longer than {@link #MAX_NAME_LENGTH} bytes
     * @throws IndexOutOfBoundsException if the entry does not fit the buffer
     */
    public DictionaryEntryFlyweight name(String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException(
                    "a dictionary name is at most " + MAX_NAME_LENGTH + " UTF-8 bytes, not " + utf8.length);
        }
        MutableDirectBuffer b = mutable();
        Bounds.check(b, offset, length(utf8.length), "dictionary entry");
        b.putShort(offset + NAME_LENGTH_OFFSET, (short) utf8.length, ORDER);
        b.putBytes(offset + NAME_OFFSET, utf8);
        return this;
    }

    public String name() {
        int length = nameLength();
        byte[] utf8 = new byte[length];
        buffer.getBytes(offset + NAME_OFFSET, utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }

    private MutableDirectBuffer mutable() {
        if (mutableBuffer == null) {
            throw new IllegalStateException("the wrapped buffer is read-only");
        }
        return mutableBuffer;
    }
}
