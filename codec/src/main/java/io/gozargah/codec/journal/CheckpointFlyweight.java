package io.gozargah.codec.journal;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Flyweight over one signed checkpoint of the journal: at a moment, the chain head (the chain hash of the last
 * chained record before it), how many chained records lead to it, and an Ed25519 signature over both. A reader
 * holding only the signer's public key recomputes the chain and compares: a record altered and re-chained by
 * someone without the private key no longer leads to a signed head. Checkpoints are numbered from 1 without gaps
 * across the journal's life, so one removed from the middle shows as a gap. Wraps a buffer at an offset, never
 * allocates, little-endian as the other journal records.
 *
 * <p>Layout, schema version 1 (offsets relative to the wrapped offset):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |  0  schema version (u16)      |  2  flags (u16), 0            |
 *  +-------------------------------+-------------------------------+
 *  |  4  reserved (u32), 0                                         |
 *  +---------------------------------------------------------------+
 *  |  8  sequence (i64): 1 for a journal's first checkpoint, +1    |
 *  | 16  time, epoch nanoseconds (i64)                             |
 *  | 24  record count (i64): chained records (transactions and     |
 *  |     refusal summaries) from the journal's first to the head   |
 *  +---------------------------------------------------------------+
 *  | 32  chain head, SHA-256 (32 bytes)                            |
 *  +---------------------------------------------------------------+
 *  | 64  key id (8 bytes): the first 8 bytes of SHA-256 of the     |
 *  |     signer's public key, X.509 SubjectPublicKeyInfo encoding  |
 *  +---------------------------------------------------------------+
 *  | 72  Ed25519 signature over bytes [0, 72) (64 bytes)           |
 *  +---------------------------------------------------------------+
 * </pre>
 * {@value #LENGTH} bytes. The key id lets a reader tell "signed by another key" from "altered". Signing and
 * checking are the engine's: this class only stores the bytes.
 *
 * <p>Versioning as in {@link TransactionRecordFlyweight}; the record carries no type byte (see
 * {@link RecordType#CHECKPOINT}).
 */
public final class CheckpointFlyweight {
    public static final int SCHEMA_VERSION = 1;

    public static final int SCHEMA_VERSION_OFFSET = 0;
    public static final int FLAGS_OFFSET = 2;
    public static final int SEQUENCE_OFFSET = 8;
    public static final int EPOCH_NANOS_OFFSET = 16;
    public static final int RECORD_COUNT_OFFSET = 24;
    public static final int CHAIN_HEAD_OFFSET = 32;
    public static final int CHAIN_HEAD_LENGTH = TransactionRecordFlyweight.CHAIN_HASH_LENGTH;
    public static final int KEY_ID_OFFSET = 64;
    public static final int KEY_ID_LENGTH = 8;
    /** The signature covers every byte before it. */
    public static final int SIGNATURE_OFFSET = 72;
    public static final int SIGNATURE_LENGTH = 64;
    public static final int LENGTH = SIGNATURE_OFFSET + SIGNATURE_LENGTH;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private DirectBuffer buffer;
    private MutableDirectBuffer mutableBuffer;
    private int offset;

    /** Wraps {@code buffer} at {@code offset} to write a new checkpoint: zeroes its bytes, writes the version. */
    public CheckpointFlyweight wrapForWrite(MutableDirectBuffer buffer, int offset) {
        Bounds.check(buffer, offset, LENGTH, "checkpoint");
        this.buffer = buffer;
        this.mutableBuffer = buffer;
        this.offset = offset;
        buffer.setMemory(offset, LENGTH, (byte) 0);
        buffer.putShort(offset + SCHEMA_VERSION_OFFSET, (short) SCHEMA_VERSION, ORDER);
        return this;
    }

    /**
     * Wraps an existing checkpoint to read it.
     *
     * @throws UnsupportedSchemaVersionException if its schema version is not {@link #SCHEMA_VERSION}
     * @throws IndexOutOfBoundsException if it does not fit the buffer
     */
    public CheckpointFlyweight wrapForRead(DirectBuffer buffer, int offset) {
        Bounds.check(buffer, offset, LENGTH, "checkpoint");
        int version = buffer.getShort(offset + SCHEMA_VERSION_OFFSET, ORDER) & 0xFFFF;
        if (version != SCHEMA_VERSION) {
            throw new UnsupportedSchemaVersionException("checkpoint", version, SCHEMA_VERSION);
        }
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

    public int length() {
        return LENGTH;
    }

    public int schemaVersion() {
        return buffer.getShort(offset + SCHEMA_VERSION_OFFSET, ORDER) & 0xFFFF;
    }

    public long sequence() {
        return buffer.getLong(offset + SEQUENCE_OFFSET, ORDER);
    }

    public CheckpointFlyweight sequence(long sequence) {
        mutable().putLong(offset + SEQUENCE_OFFSET, sequence, ORDER);
        return this;
    }

    public long epochNanos() {
        return buffer.getLong(offset + EPOCH_NANOS_OFFSET, ORDER);
    }

    public CheckpointFlyweight epochNanos(long nanos) {
        mutable().putLong(offset + EPOCH_NANOS_OFFSET, nanos, ORDER);
        return this;
    }

    public long recordCount() {
        return buffer.getLong(offset + RECORD_COUNT_OFFSET, ORDER);
    }

    public CheckpointFlyweight recordCount(long count) {
        mutable().putLong(offset + RECORD_COUNT_OFFSET, count, ORDER);
        return this;
    }

    public CheckpointFlyweight chainHead(byte[] src, int srcOffset) {
        mutable().putBytes(offset + CHAIN_HEAD_OFFSET, src, srcOffset, CHAIN_HEAD_LENGTH);
        return this;
    }

    public void getChainHead(byte[] dst, int dstOffset) {
        buffer.getBytes(offset + CHAIN_HEAD_OFFSET, dst, dstOffset, CHAIN_HEAD_LENGTH);
    }

    public CheckpointFlyweight keyId(byte[] src, int srcOffset) {
        mutable().putBytes(offset + KEY_ID_OFFSET, src, srcOffset, KEY_ID_LENGTH);
        return this;
    }

    public void getKeyId(byte[] dst, int dstOffset) {
        buffer.getBytes(offset + KEY_ID_OFFSET, dst, dstOffset, KEY_ID_LENGTH);
    }

    public CheckpointFlyweight signature(byte[] src, int srcOffset) {
        mutable().putBytes(offset + SIGNATURE_OFFSET, src, srcOffset, SIGNATURE_LENGTH);
        return this;
    }

    public void getSignature(byte[] dst, int dstOffset) {
        buffer.getBytes(offset + SIGNATURE_OFFSET, dst, dstOffset, SIGNATURE_LENGTH);
    }

    /** Copies the signed bytes, {@code [0, SIGNATURE_OFFSET)}, into {@code dst} at {@code dstOffset}. */
    public void getSignedBytes(byte[] dst, int dstOffset) {
        buffer.getBytes(offset, dst, dstOffset, SIGNATURE_OFFSET);
    }

    private MutableDirectBuffer mutable() {
        if (mutableBuffer == null) {
            throw new IllegalStateException("the wrapped buffer is read-only");
        }
        return mutableBuffer;
    }
}
