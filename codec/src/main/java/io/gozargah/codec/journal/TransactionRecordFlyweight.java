package io.gozargah.codec.journal;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Flyweight over one journaled transaction: wraps a buffer at an offset, never allocates, every multi-byte
 * number little-endian, stated on each access (x86-64 and AArch64 are little-endian, so nothing is swapped).
 *
 * <p>Layout, schema version 2 (offsets relative to the wrapped offset):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |  0  schema version (u16)      |  2  flags (u16)               |
 *  +-------------------------------+-------------------------------+
 *  |  4  outcome code (u16)        |  6  HTTP status (u16)         |
 *  +---------------+---------------+-------------------------------+
 *  |  8  method    |  9  attempts  | 10  client port (u16)         |
 *  +---------------+---------------+-------------------------------+
 *  | 12  consumer id (u32, dictionary)                             |
 *  +---------------------------------------------------------------+
 *  | 16  service id (u32, dictionary; the provider's service)      |
 *  +---------------------------------------------------------------+
 *  | 20  upstream endpoint id (u32, dictionary)                    |
 *  +---------------------------------------------------------------+
 *  | 24  transaction id, most significant 64 bits (i64)            |
 *  | 32  transaction id, least significant 64 bits (i64)           |
 *  | 40  start time, epoch nanoseconds (i64)                       |
 *  | 48  total duration, nanoseconds (i64)                         |
 *  | 56  upstream duration, nanoseconds (i64)                      |
 *  | 64  request bytes (i64)                                       |
 *  | 72  response bytes (i64)                                      |
 *  +---------------------------------------------------------------+
 *  | 80  client address, 16 bytes, network order: IPv6, or IPv4    |
 *  |     as IPv4-mapped IPv6 (::ffff:a.b.c.d)                      |
 *  +---------------------------------------------------------------+
 *  | 96  subject hash, 16 bytes: the first 16 bytes of             |
 *  |     HMAC-SHA-256(subject key, kind || 0x00 || subject); all   |
 *  |     zero unless flags has SUBJECT                             |
 *  +---------------------------------------------------------------+
 *  |112  only if flags has BODY_HASHES:                            |
 *  |     SHA-256 of the request body (32 bytes)                    |
 *  |144  SHA-256 of the response body (32 bytes)                   |
 *  +---------------------------------------------------------------+
 *  | length - 32: chain hash, SHA-256 (32 bytes)                   |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Flags (u16 at 2), bit 0 least significant:
 * <pre>
 *   bit 0     BODY_HASHES   the body hash block is present
 *   bit 1     CLIENT_IPV6   the client address is IPv6 (clear: IPv4, stored IPv4-mapped)
 *   bit 2     SUBJECT       the subject hash holds a subject's
 *   bits 3-5  cache result  what the service's cache did, a 3-bit code: 0 none (no cache, or not consulted),
 *                           1 miss, 2 cached, 3 coalesced, 4 stale; 5-7 unassigned
 *   bits 6-15 zero
 * </pre>
 * The cache result lives in bits that any writer without it leaves zero, so such a record reads as "none" and the
 * field needs no new schema version; a version 1 record reads as "none" whatever its flags.
 *
 * <p>Sizes: {@value #LENGTH_WITHOUT_BODY_HASHES} bytes without body hashes, {@value #LENGTH_WITH_BODY_HASHES}
 * bytes with them ({@link #length(boolean)}). The body hashes are an optional trailing block because only
 * services that ask for them pay for them; the common record stays under the 160-byte target. A record
 * with body hashes is over that target by design: 64 bytes of hashes do not fit in 160 with everything else.
 * The subject hash is in every version 2 record, so that a record's length depends on one flag only.
 *
 * <p>Schema version 1 (journals written before subjects) is the same without the subject hash: byte 9 is reserved
 * (zero), the body hashes are at 96 and 128, and the record is {@value #V1_LENGTH_WITHOUT_BODY_HASHES} or
 * {@value #V1_LENGTH_WITH_BODY_HASHES} bytes. {@link #wrapForRead} takes both; a version 1 record reads as one
 * with no subject and no attempt counted. Only version 2 is written.
 *
 * <p>Chain hash: the full 32-byte SHA-256 over (previous record's chain hash ‖ this record's bytes
 * {@code [0, length - 32)}); the first record of a journal chains from 32 zero bytes. Full length, not a
 * truncated 16 bytes, because the point is tamper evidence a third party can verify. It sits last, not at a
 * fixed offset, so the bytes it covers are one contiguous range whichever block is present. Computing it is
 * the writer's job: this class only stores it.
 *
 * <p>Field choices: dictionary ids are opaque unsigned 32-bit values (Java {@code int}; use
 * {@link Integer#toUnsignedLong} to print them). Durations and byte counts are signed so "not measured" can
 * be a negative sentinel chosen by the writer. The method is a {@link MethodCode}. Attempts counts the requests
 * sent upstream for the transaction (0: it never went upstream). The subject hash is keyed so that the journal
 * alone says nothing about whom a transaction was about; it is 16 bytes because it only has to tell subjects
 * apart, not resist a forger (the chain does that).
 *
 * <p>Versioning: bytes 0 and 1 hold the schema version. {@link #wrapForRead} refuses a version it does not know
 * with {@link UnsupportedSchemaVersionException}; a later version adds fields without moving these, and its
 * reader keeps a branch for every earlier one. The record carries no type byte: see {@link RecordType}.
 */
public final class TransactionRecordFlyweight {
    /** The version written. */
    public static final int SCHEMA_VERSION = 2;
    /** The version before subjects, still read. */
    public static final int SCHEMA_VERSION_1 = 1;

    /** Flag: the request and response body SHA-256 block is present. */
    public static final int FLAG_BODY_HASHES = 1;
    /** Flag: the client address is IPv6; clear means IPv4, stored IPv4-mapped. */
    public static final int FLAG_CLIENT_IPV6 = 1 << 1;
    /** Flag: the subject hash holds a subject's (version 2); clear means the transaction named none. */
    public static final int FLAG_SUBJECT = 1 << 2;
    /** Where the 3-bit cache result code sits in the flags: bits 3 to 5. */
    public static final int CACHE_RESULT_SHIFT = 3;
    /** The flags' cache result bits. */
    public static final int CACHE_RESULT_MASK = 0b111 << CACHE_RESULT_SHIFT;
    /** The largest cache result code the bits hold. */
    public static final int MAX_CACHE_RESULT = 0b111;

    public static final int SCHEMA_VERSION_OFFSET = 0;
    public static final int FLAGS_OFFSET = 2;
    public static final int OUTCOME_CODE_OFFSET = 4;
    public static final int HTTP_STATUS_OFFSET = 6;
    public static final int METHOD_OFFSET = 8;
    /** Version 2; a reserved zero byte in version 1. */
    public static final int ATTEMPTS_OFFSET = 9;
    public static final int CLIENT_PORT_OFFSET = 10;
    public static final int CONSUMER_ID_OFFSET = 12;
    public static final int SERVICE_ID_OFFSET = 16;
    public static final int ENDPOINT_ID_OFFSET = 20;
    public static final int TX_ID_MSB_OFFSET = 24;
    public static final int TX_ID_LSB_OFFSET = 32;
    public static final int START_EPOCH_NANOS_OFFSET = 40;
    public static final int TOTAL_DURATION_NANOS_OFFSET = 48;
    public static final int UPSTREAM_DURATION_NANOS_OFFSET = 56;
    public static final int REQUEST_BYTES_OFFSET = 64;
    public static final int RESPONSE_BYTES_OFFSET = 72;
    public static final int CLIENT_ADDRESS_OFFSET = 80;
    public static final int CLIENT_ADDRESS_LENGTH = ClientAddressField.LENGTH;
    public static final int SUBJECT_HASH_OFFSET = 96;
    public static final int SUBJECT_HASH_LENGTH = 16;
    /** The fixed block of version 2; version 1's ends at {@link #SUBJECT_HASH_OFFSET}. */
    public static final int FIXED_BLOCK_LENGTH = SUBJECT_HASH_OFFSET + SUBJECT_HASH_LENGTH;
    public static final int V1_FIXED_BLOCK_LENGTH = SUBJECT_HASH_OFFSET;

    public static final int SHA256_LENGTH = 32;
    public static final int REQUEST_BODY_SHA256_OFFSET = FIXED_BLOCK_LENGTH;
    public static final int RESPONSE_BODY_SHA256_OFFSET = REQUEST_BODY_SHA256_OFFSET + SHA256_LENGTH;
    public static final int CHAIN_HASH_LENGTH = SHA256_LENGTH;

    public static final int LENGTH_WITHOUT_BODY_HASHES = FIXED_BLOCK_LENGTH + CHAIN_HASH_LENGTH;
    public static final int LENGTH_WITH_BODY_HASHES = FIXED_BLOCK_LENGTH + 2 * SHA256_LENGTH + CHAIN_HASH_LENGTH;
    public static final int V1_LENGTH_WITHOUT_BODY_HASHES = V1_FIXED_BLOCK_LENGTH + CHAIN_HASH_LENGTH;
    public static final int V1_LENGTH_WITH_BODY_HASHES = V1_FIXED_BLOCK_LENGTH + 2 * SHA256_LENGTH + CHAIN_HASH_LENGTH;
    /** The shortest record of any version. */
    public static final int MIN_LENGTH = V1_LENGTH_WITHOUT_BODY_HASHES;
    /** The longest record of any version. */
    public static final int MAX_LENGTH = LENGTH_WITH_BODY_HASHES;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private DirectBuffer buffer;
    private MutableDirectBuffer mutableBuffer;
    private int offset;
    /** Where the fixed block of the wrapped record ends: its version's. */
    private int fixedBlockLength = FIXED_BLOCK_LENGTH;

    /** Bytes of a record of the version written, with or without the body hash block. */
    public static int length(boolean withBodyHashes) {
        return withBodyHashes ? LENGTH_WITH_BODY_HASHES : LENGTH_WITHOUT_BODY_HASHES;
    }

    /** Bytes of a record of schema {@code version} (1 or 2), with or without the body hash block. */
    public static int length(int version, boolean withBodyHashes) {
        return (version == SCHEMA_VERSION_1 ? V1_FIXED_BLOCK_LENGTH : FIXED_BLOCK_LENGTH)
                + (withBodyHashes ? 2 * SHA256_LENGTH : 0) + CHAIN_HASH_LENGTH;
    }

    /** Offset of the chain hash, relative to the record start: the last 32 bytes of the record. */
    public static int chainHashOffset(boolean withBodyHashes) {
        return length(withBodyHashes) - CHAIN_HASH_LENGTH;
    }

    /**
     * Wraps {@code buffer} at {@code offset} to write a new record: zeroes its bytes (so nothing left from an
     * earlier use of the buffer reaches the chain hash), writes the schema version and the body-hash flag.
     */
    public TransactionRecordFlyweight wrapForWrite(MutableDirectBuffer buffer, int offset, boolean withBodyHashes) {
        int length = length(withBodyHashes);
        Bounds.check(buffer, offset, length, "record");
        this.buffer = buffer;
        this.mutableBuffer = buffer;
        this.offset = offset;
        this.fixedBlockLength = FIXED_BLOCK_LENGTH;
        zero(buffer, offset, length);
        buffer.putShort(offset + SCHEMA_VERSION_OFFSET, (short) SCHEMA_VERSION, ORDER);
        buffer.putShort(offset + FLAGS_OFFSET, (short) (withBodyHashes ? FLAG_BODY_HASHES : 0), ORDER);
        return this;
    }

    /**
     * Zeroes {@code [offset, offset + length)} with long stores: {@link MutableDirectBuffer#setMemory} is a native
     * call on Java 17, which costs more than the 18 or 26 stores of a record, once per transaction on the event loop.
     */
    private static void zero(MutableDirectBuffer buffer, int offset, int length) {
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES) {
            buffer.putLong(offset + i, 0L);
        }
        for (; i < length; i++) {
            buffer.putByte(offset + i, (byte) 0);
        }
    }

    /**
     * Wraps an existing record to read it (and, if {@code buffer} is mutable, to amend it, e.g. to set the
     * chain hash last).
     *
     * @throws UnsupportedSchemaVersionException if the record's schema version is neither 1 nor 2
     * @throws IndexOutOfBoundsException if the record, at the length its version and flags say, does not fit the
     *                                   buffer
     */
    public TransactionRecordFlyweight wrapForRead(DirectBuffer buffer, int offset) {
        Bounds.check(buffer, offset, V1_FIXED_BLOCK_LENGTH, "record");
        int version = buffer.getShort(offset + SCHEMA_VERSION_OFFSET, ORDER) & 0xFFFF;
        if (version != SCHEMA_VERSION && version != SCHEMA_VERSION_1) {
            throw new UnsupportedSchemaVersionException("transaction record", version, SCHEMA_VERSION);
        }
        boolean withBodyHashes = (buffer.getShort(offset + FLAGS_OFFSET, ORDER) & FLAG_BODY_HASHES) != 0;
        Bounds.check(buffer, offset, length(version, withBodyHashes), "record");
        this.buffer = buffer;
        this.mutableBuffer = buffer instanceof MutableDirectBuffer mutable ? mutable : null;
        this.offset = offset;
        this.fixedBlockLength = version == SCHEMA_VERSION_1 ? V1_FIXED_BLOCK_LENGTH : FIXED_BLOCK_LENGTH;
        return this;
    }

    public DirectBuffer buffer() {
        return buffer;
    }

    public int offset() {
        return offset;
    }

    /** Bytes of the wrapped record, from its version and flags. */
    public int length() {
        return fixedBlockLength + (hasBodyHashes() ? 2 * SHA256_LENGTH : 0) + CHAIN_HASH_LENGTH;
    }

    /** Offset of the chain hash relative to the record start; the chain hash covers {@code [0, chainHashOffset())}. */
    public int chainHashOffset() {
        return length() - CHAIN_HASH_LENGTH;
    }

    public int schemaVersion() {
        return buffer.getShort(offset + SCHEMA_VERSION_OFFSET, ORDER) & 0xFFFF;
    }

    public int flags() {
        return buffer.getShort(offset + FLAGS_OFFSET, ORDER) & 0xFFFF;
    }

    public boolean hasBodyHashes() {
        return (flags() & FLAG_BODY_HASHES) != 0;
    }

    public int outcomeCode() {
        return buffer.getShort(offset + OUTCOME_CODE_OFFSET, ORDER) & 0xFFFF;
    }

    public TransactionRecordFlyweight outcomeCode(int code) {
        mutable().putShort(offset + OUTCOME_CODE_OFFSET, (short) Bounds.u16(code, "outcome code"), ORDER);
        return this;
    }

    public int httpStatus() {
        return buffer.getShort(offset + HTTP_STATUS_OFFSET, ORDER) & 0xFFFF;
    }

    public TransactionRecordFlyweight httpStatus(int status) {
        mutable().putShort(offset + HTTP_STATUS_OFFSET, (short) Bounds.u16(status, "HTTP status"), ORDER);
        return this;
    }

    /** A {@link MethodCode}. */
    public int methodCode() {
        return buffer.getByte(offset + METHOD_OFFSET) & 0xFF;
    }

    public TransactionRecordFlyweight methodCode(int code) {
        mutable().putByte(offset + METHOD_OFFSET, (byte) Bounds.u8(code, "method code"));
        return this;
    }

    /** Requests sent upstream for this transaction: 0 when it never went upstream, and in every version 1 record. */
    public int attempts() {
        return fixedBlockLength == V1_FIXED_BLOCK_LENGTH ? 0 : buffer.getByte(offset + ATTEMPTS_OFFSET) & 0xFF;
    }

    public TransactionRecordFlyweight attempts(int attempts) {
        requireVersion2("an attempt count");
        mutable().putByte(offset + ATTEMPTS_OFFSET, (byte) Bounds.u8(attempts, "attempts"));
        return this;
    }

    /** Whether the transaction named a subject (never, in a version 1 record). */
    public boolean hasSubject() {
        return fixedBlockLength != V1_FIXED_BLOCK_LENGTH && (flags() & FLAG_SUBJECT) != 0;
    }

    /**
     * Sets the subject hash, its 16 bytes as two big-endian longs (so that the stored bytes are the HMAC's first 16
     * in order), and the SUBJECT flag.
     */
    public TransactionRecordFlyweight subjectHash(long high, long low) {
        requireVersion2("a subject hash");
        MutableDirectBuffer b = mutable();
        b.putLong(offset + SUBJECT_HASH_OFFSET, high, ByteOrder.BIG_ENDIAN);
        b.putLong(offset + SUBJECT_HASH_OFFSET + 8, low, ByteOrder.BIG_ENDIAN);
        b.putShort(offset + FLAGS_OFFSET, (short) (flags() | FLAG_SUBJECT), ORDER);
        return this;
    }

    /** The subject hash's first 8 bytes, big-endian; 0 when the record has no subject. */
    public long subjectHashHigh() {
        return hasSubject() ? buffer.getLong(offset + SUBJECT_HASH_OFFSET, ByteOrder.BIG_ENDIAN) : 0;
    }

    /** The subject hash's last 8 bytes, big-endian; 0 when the record has no subject. */
    public long subjectHashLow() {
        return hasSubject() ? buffer.getLong(offset + SUBJECT_HASH_OFFSET + 8, ByteOrder.BIG_ENDIAN) : 0;
    }

    /**
     * What the service's cache did for the transaction, as a code (0 none, 1 miss, 2 cached, 3 coalesced, 4 stale;
     * the engine's {@code CacheResult} names them): 0 for records written before the field, and in every version 1
     * record.
     */
    public int cacheResult() {
        return fixedBlockLength == V1_FIXED_BLOCK_LENGTH ? 0 : (flags() & CACHE_RESULT_MASK) >>> CACHE_RESULT_SHIFT;
    }

    /** Sets the cache result code (0 to {@value #MAX_CACHE_RESULT}), keeping the other flags. */
    public TransactionRecordFlyweight cacheResult(int code) {
        requireVersion2("a cache result");
        if (code < 0 || code > MAX_CACHE_RESULT) {
            throw new IllegalArgumentException("cache result " + code + " does not fit in 3 bits");
        }
        int flags = flags() & ~CACHE_RESULT_MASK | code << CACHE_RESULT_SHIFT;
        mutable().putShort(offset + FLAGS_OFFSET, (short) flags, ORDER);
        return this;
    }

    public int clientPort() {
        return buffer.getShort(offset + CLIENT_PORT_OFFSET, ORDER) & 0xFFFF;
    }

    public TransactionRecordFlyweight clientPort(int port) {
        mutable().putShort(offset + CLIENT_PORT_OFFSET, (short) Bounds.u16(port, "client port"), ORDER);
        return this;
    }

    /** Dictionary id of the consumer, unsigned 32 bits. */
    public int consumerId() {
        return buffer.getInt(offset + CONSUMER_ID_OFFSET, ORDER);
    }

    public TransactionRecordFlyweight consumerId(int id) {
        mutable().putInt(offset + CONSUMER_ID_OFFSET, id, ORDER);
        return this;
    }

    /** Dictionary id of the provider's service, unsigned 32 bits. */
    public int serviceId() {
        return buffer.getInt(offset + SERVICE_ID_OFFSET, ORDER);
    }

    public TransactionRecordFlyweight serviceId(int id) {
        mutable().putInt(offset + SERVICE_ID_OFFSET, id, ORDER);
        return this;
    }

    /** Dictionary id of the upstream endpoint, unsigned 32 bits. */
    public int endpointId() {
        return buffer.getInt(offset + ENDPOINT_ID_OFFSET, ORDER);
    }

    public TransactionRecordFlyweight endpointId(int id) {
        mutable().putInt(offset + ENDPOINT_ID_OFFSET, id, ORDER);
        return this;
    }

    public long txIdMsb() {
        return buffer.getLong(offset + TX_ID_MSB_OFFSET, ORDER);
    }

    public long txIdLsb() {
        return buffer.getLong(offset + TX_ID_LSB_OFFSET, ORDER);
    }

    /** The 128-bit transaction id as its two halves (e.g. a UUIDv7's most and least significant bits). */
    public TransactionRecordFlyweight txId(long msb, long lsb) {
        MutableDirectBuffer b = mutable();
        b.putLong(offset + TX_ID_MSB_OFFSET, msb, ORDER);
        b.putLong(offset + TX_ID_LSB_OFFSET, lsb, ORDER);
        return this;
    }

    public long startEpochNanos() {
        return buffer.getLong(offset + START_EPOCH_NANOS_OFFSET, ORDER);
    }

    public TransactionRecordFlyweight startEpochNanos(long nanos) {
        mutable().putLong(offset + START_EPOCH_NANOS_OFFSET, nanos, ORDER);
        return this;
    }

    public long totalDurationNanos() {
        return buffer.getLong(offset + TOTAL_DURATION_NANOS_OFFSET, ORDER);
    }

    public TransactionRecordFlyweight totalDurationNanos(long nanos) {
        mutable().putLong(offset + TOTAL_DURATION_NANOS_OFFSET, nanos, ORDER);
        return this;
    }

    public long upstreamDurationNanos() {
        return buffer.getLong(offset + UPSTREAM_DURATION_NANOS_OFFSET, ORDER);
    }

    public TransactionRecordFlyweight upstreamDurationNanos(long nanos) {
        mutable().putLong(offset + UPSTREAM_DURATION_NANOS_OFFSET, nanos, ORDER);
        return this;
    }

    public long requestBytes() {
        return buffer.getLong(offset + REQUEST_BYTES_OFFSET, ORDER);
    }

    public TransactionRecordFlyweight requestBytes(long bytes) {
        mutable().putLong(offset + REQUEST_BYTES_OFFSET, bytes, ORDER);
        return this;
    }

    public long responseBytes() {
        return buffer.getLong(offset + RESPONSE_BYTES_OFFSET, ORDER);
    }

    public TransactionRecordFlyweight responseBytes(long bytes) {
        mutable().putLong(offset + RESPONSE_BYTES_OFFSET, bytes, ORDER);
        return this;
    }

    public boolean clientAddressIsIpv6() {
        return (flags() & FLAG_CLIENT_IPV6) != 0;
    }

    /** Sets an IPv4 client address, {@code a.b.c.d} as the int {@code a << 24 | b << 16 | c << 8 | d}. */
    public TransactionRecordFlyweight clientIpv4(int address) {
        ClientAddressField.putIpv4(mutable(), offset + CLIENT_ADDRESS_OFFSET, offset + FLAGS_OFFSET, FLAG_CLIENT_IPV6,
                address);
        return this;
    }

    /** The IPv4 client address as an int (see {@link #clientIpv4(int)}); meaningful when not IPv6. */
    public int clientIpv4() {
        return ClientAddressField.ipv4(buffer, offset + CLIENT_ADDRESS_OFFSET);
    }

    /**
     * Sets the client address from its network-order bytes, as {@code InetAddress.getAddress()} returns them:
     * 4 bytes for IPv4, 16 for IPv6.
     */
    public TransactionRecordFlyweight clientAddress(byte[] address) {
        ClientAddressField.put(mutable(), offset + CLIENT_ADDRESS_OFFSET, offset + FLAGS_OFFSET, FLAG_CLIENT_IPV6,
                address);
        return this;
    }

    /**
     * Copies the client address into {@code dst} at {@code dstOffset} in its native form, 4 bytes for IPv4 or
     * 16 for IPv6, and returns how many.
     */
    public int getClientAddress(byte[] dst, int dstOffset) {
        return ClientAddressField.get(buffer, offset + CLIENT_ADDRESS_OFFSET, clientAddressIsIpv6(), dst, dstOffset);
    }

    /** Sets the request body SHA-256 from {@code src} at {@code srcOffset}; the record must have body hashes. */
    public TransactionRecordFlyweight requestBodySha256(DirectBuffer src, int srcOffset) {
        mutable().putBytes(offset + bodyHashOffset(REQUEST_BODY_SHA256_OFFSET), src, srcOffset, SHA256_LENGTH);
        return this;
    }

    public TransactionRecordFlyweight requestBodySha256(byte[] sha256) {
        checkSha256Length(sha256);
        mutable().putBytes(offset + bodyHashOffset(REQUEST_BODY_SHA256_OFFSET), sha256);
        return this;
    }

    public void getRequestBodySha256(byte[] dst, int dstOffset) {
        buffer.getBytes(offset + bodyHashOffset(REQUEST_BODY_SHA256_OFFSET), dst, dstOffset, SHA256_LENGTH);
    }

    public TransactionRecordFlyweight responseBodySha256(DirectBuffer src, int srcOffset) {
        mutable().putBytes(offset + bodyHashOffset(RESPONSE_BODY_SHA256_OFFSET), src, srcOffset, SHA256_LENGTH);
        return this;
    }

    public TransactionRecordFlyweight responseBodySha256(byte[] sha256) {
        checkSha256Length(sha256);
        mutable().putBytes(offset + bodyHashOffset(RESPONSE_BODY_SHA256_OFFSET), sha256);
        return this;
    }

    public void getResponseBodySha256(byte[] dst, int dstOffset) {
        buffer.getBytes(offset + bodyHashOffset(RESPONSE_BODY_SHA256_OFFSET), dst, dstOffset, SHA256_LENGTH);
    }

    public TransactionRecordFlyweight chainHash(DirectBuffer src, int srcOffset) {
        mutable().putBytes(offset + chainHashOffset(), src, srcOffset, CHAIN_HASH_LENGTH);
        return this;
    }

    public TransactionRecordFlyweight chainHash(byte[] sha256) {
        checkSha256Length(sha256);
        mutable().putBytes(offset + chainHashOffset(), sha256);
        return this;
    }

    public void getChainHash(byte[] dst, int dstOffset) {
        buffer.getBytes(offset + chainHashOffset(), dst, dstOffset, CHAIN_HASH_LENGTH);
    }

    /** A body hash's offset in the wrapped record's version ({@code fieldOffset} is version 2's). */
    private int bodyHashOffset(int fieldOffset) {
        if (!hasBodyHashes()) {
            throw new IllegalStateException("this record has no body hash block (flag BODY_HASHES is clear)");
        }
        return fieldOffset - FIXED_BLOCK_LENGTH + fixedBlockLength;
    }

    private void requireVersion2(String what) {
        if (fixedBlockLength == V1_FIXED_BLOCK_LENGTH) {
            throw new IllegalStateException("a schema version 1 record has no room for " + what);
        }
    }

    private MutableDirectBuffer mutable() {
        if (mutableBuffer == null) {
            throw new IllegalStateException("the wrapped buffer is read-only");
        }
        return mutableBuffer;
    }

    private static void checkSha256Length(byte[] sha256) {
        if (sha256.length != SHA256_LENGTH) {
            throw new IllegalArgumentException("a SHA-256 is 32 bytes, not " + sha256.length);
        }
    }
}
