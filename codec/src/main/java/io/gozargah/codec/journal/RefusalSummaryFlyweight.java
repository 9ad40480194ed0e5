package io.gozargah.codec.journal;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Flyweight over one refusal summary: how many exchanges with the same outcome, consumer, service and client
 * address were answered within an interval without a {@link TransactionRecordFlyweight} of their own, and why
 * ({@link SummaryReason}). Each of them was answered with a transaction id; their ids lie between the first and
 * the last id counted, which come from one event loop's id generator (same low 64 bits, rising high 64 bits), so
 * every id a client was given either has its own record or falls in a summary's range. Wraps a buffer at an
 * offset, never allocates, little-endian as the transaction record, whose offsets it keeps for the fields the
 * two share.
 *
 * <p>Layout, schema version 1 (offsets relative to the wrapped offset):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |  0  schema version (u16)      |  2  flags (u16)               |
 *  +-------------------------------+-------------------------------+
 *  |  4  outcome code (u16)        |  6  HTTP status (u16)         |
 *  +---------------+---------------+-------------------------------+
 *  |  8  reason    |  9  reserved  | 10  client port (u16), 0      |
 *  +---------------+---------------+-------------------------------+
 *  | 12  consumer id (u32, dictionary; 0: none)                    |
 *  +---------------------------------------------------------------+
 *  | 16  service id (u32, dictionary; 0: none)                     |
 *  +---------------------------------------------------------------+
 *  | 20  reserved (u32), 0                                         |
 *  +---------------------------------------------------------------+
 *  | 24  first transaction id counted, most significant 64 bits    |
 *  | 32  first transaction id counted, least significant 64 bits   |
 *  | 40  interval start, epoch nanoseconds (i64)                   |
 *  | 48  interval end, epoch nanoseconds (i64)                     |
 *  | 56  count (i64): exchanges summarized, at least 1             |
 *  | 64  last transaction id counted, most significant 64 bits     |
 *  | 72  last transaction id counted, least significant 64 bits    |
 *  +---------------------------------------------------------------+
 *  | 80  client address, 16 bytes, network order, as in the       |
 *  |     transaction record; all zero when not counted per address |
 *  +---------------------------------------------------------------+
 *  | 96  chain hash, SHA-256 (32 bytes)                            |
 *  +---------------------------------------------------------------+
 * </pre>
 * {@value #LENGTH} bytes, within the journal's 160-byte target. The interval is that of the exchanges' start
 * times: start is the first one counted, end the last one. The chain hash is computed as the transaction
 * record's is, over the bytes before it, in the same chain: a summary sits in the journal's one sequence of
 * chained records, between the transactions written before and after it.
 *
 * <p>Versioning as in {@link TransactionRecordFlyweight}; the record carries no type byte (see
 * {@link RecordType#REFUSAL_SUMMARY}).
 */
public final class RefusalSummaryFlyweight {
    public static final int SCHEMA_VERSION = 1;

    /** Flag: the client address is IPv6; clear means IPv4 (stored IPv4-mapped) or no address. */
    public static final int FLAG_CLIENT_IPV6 = TransactionRecordFlyweight.FLAG_CLIENT_IPV6;

    public static final int SCHEMA_VERSION_OFFSET = 0;
    public static final int FLAGS_OFFSET = 2;
    public static final int OUTCOME_CODE_OFFSET = TransactionRecordFlyweight.OUTCOME_CODE_OFFSET;
    public static final int HTTP_STATUS_OFFSET = TransactionRecordFlyweight.HTTP_STATUS_OFFSET;
    public static final int REASON_OFFSET = 8;
    public static final int RESERVED_OFFSET = 9;
    public static final int CLIENT_PORT_OFFSET = TransactionRecordFlyweight.CLIENT_PORT_OFFSET;
    public static final int CONSUMER_ID_OFFSET = TransactionRecordFlyweight.CONSUMER_ID_OFFSET;
    public static final int SERVICE_ID_OFFSET = TransactionRecordFlyweight.SERVICE_ID_OFFSET;
    public static final int RESERVED_2_OFFSET = 20;
    public static final int FIRST_TX_ID_MSB_OFFSET = 24;
    public static final int FIRST_TX_ID_LSB_OFFSET = 32;
    public static final int INTERVAL_START_EPOCH_NANOS_OFFSET = 40;
    public static final int INTERVAL_END_EPOCH_NANOS_OFFSET = 48;
    public static final int COUNT_OFFSET = 56;
    public static final int LAST_TX_ID_MSB_OFFSET = 64;
    public static final int LAST_TX_ID_LSB_OFFSET = 72;
    public static final int CLIENT_ADDRESS_OFFSET = TransactionRecordFlyweight.CLIENT_ADDRESS_OFFSET;
    public static final int CLIENT_ADDRESS_LENGTH = ClientAddressField.LENGTH;
    public static final int CHAIN_HASH_OFFSET = 96;
    public static final int CHAIN_HASH_LENGTH = TransactionRecordFlyweight.CHAIN_HASH_LENGTH;
    public static final int LENGTH = CHAIN_HASH_OFFSET + CHAIN_HASH_LENGTH;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private DirectBuffer buffer;
    private MutableDirectBuffer mutableBuffer;
    private int offset;

    /**
     * Wraps {@code buffer} at {@code offset} to write a new summary: zeroes its bytes (so nothing left from an
     * earlier use reaches the chain hash) and writes the schema version.
     */
    public RefusalSummaryFlyweight wrapForWrite(MutableDirectBuffer buffer, int offset) {
        Bounds.check(buffer, offset, LENGTH, "refusal summary");
        this.buffer = buffer;
        this.mutableBuffer = buffer;
        this.offset = offset;
        buffer.setMemory(offset, LENGTH, (byte) 0);
        buffer.putShort(offset + SCHEMA_VERSION_OFFSET, (short) SCHEMA_VERSION, ORDER);
        return this;
    }

    /**
     * Wraps an existing summary to read it (and, if {@code buffer} is mutable, to amend it, e.g. to set the chain
     * hash last).
     *
     * @throws UnsupportedSchemaVersionException if the summary's schema version is not {@link #SCHEMA_VERSION}
     * @throws IndexOutOfBoundsException if the summary does not fit the buffer
     */
    public RefusalSummaryFlyweight wrapForRead(DirectBuffer buffer, int offset) {
        Bounds.check(buffer, offset, LENGTH, "refusal summary");
        int version = buffer.getShort(offset + SCHEMA_VERSION_OFFSET, ORDER) & 0xFFFF;
        if (version != SCHEMA_VERSION) {
            throw new UnsupportedSchemaVersionException("refusal summary", version, SCHEMA_VERSION);
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

    /** Bytes of a summary: always {@link #LENGTH}. */
    public int length() {
        return LENGTH;
    }

    /** Offset of the chain hash relative to the record start; the chain hash covers {@code [0, chainHashOffset())}. */
    public int chainHashOffset() {
        return CHAIN_HASH_OFFSET;
    }

    public int schemaVersion() {
        return buffer.getShort(offset + SCHEMA_VERSION_OFFSET, ORDER) & 0xFFFF;
    }

    public int flags() {
        return buffer.getShort(offset + FLAGS_OFFSET, ORDER) & 0xFFFF;
    }

    public int outcomeCode() {
        return buffer.getShort(offset + OUTCOME_CODE_OFFSET, ORDER) & 0xFFFF;
    }

    public RefusalSummaryFlyweight outcomeCode(int code) {
        mutable().putShort(offset + OUTCOME_CODE_OFFSET, (short) Bounds.u16(code, "outcome code"), ORDER);
        return this;
    }

    public int httpStatus() {
        return buffer.getShort(offset + HTTP_STATUS_OFFSET, ORDER) & 0xFFFF;
    }

    public RefusalSummaryFlyweight httpStatus(int status) {
        mutable().putShort(offset + HTTP_STATUS_OFFSET, (short) Bounds.u16(status, "HTTP status"), ORDER);
        return this;
    }

    /** A {@link SummaryReason} code. */
    public int reason() {
        return buffer.getByte(offset + REASON_OFFSET) & 0xFF;
    }

    public RefusalSummaryFlyweight reason(int code) {
        mutable().putByte(offset + REASON_OFFSET, (byte) Bounds.u8(code, "summary reason"));
        return this;
    }

    /** Always 0: a summary counts exchanges from many connections. Kept so the offsets match the transaction record. */
    public int clientPort() {
        return buffer.getShort(offset + CLIENT_PORT_OFFSET, ORDER) & 0xFFFF;
    }

    /** Dictionary id of the consumer, unsigned 32 bits; 0 when none was identified. */
    public int consumerId() {
        return buffer.getInt(offset + CONSUMER_ID_OFFSET, ORDER);
    }

    public RefusalSummaryFlyweight consumerId(int id) {
        mutable().putInt(offset + CONSUMER_ID_OFFSET, id, ORDER);
        return this;
    }

    /** Dictionary id of the provider's service, unsigned 32 bits; 0 when the path named none. */
    public int serviceId() {
        return buffer.getInt(offset + SERVICE_ID_OFFSET, ORDER);
    }

    public RefusalSummaryFlyweight serviceId(int id) {
        mutable().putInt(offset + SERVICE_ID_OFFSET, id, ORDER);
        return this;
    }

    public long firstTxIdMsb() {
        return buffer.getLong(offset + FIRST_TX_ID_MSB_OFFSET, ORDER);
    }

    public long firstTxIdLsb() {
        return buffer.getLong(offset + FIRST_TX_ID_LSB_OFFSET, ORDER);
    }

    /** The first transaction id counted, as its two halves. */
    public RefusalSummaryFlyweight firstTxId(long msb, long lsb) {
        MutableDirectBuffer b = mutable();
        b.putLong(offset + FIRST_TX_ID_MSB_OFFSET, msb, ORDER);
        b.putLong(offset + FIRST_TX_ID_LSB_OFFSET, lsb, ORDER);
        return this;
    }

    public long lastTxIdMsb() {
        return buffer.getLong(offset + LAST_TX_ID_MSB_OFFSET, ORDER);
    }

    public long lastTxIdLsb() {
        return buffer.getLong(offset + LAST_TX_ID_LSB_OFFSET, ORDER);
    }

    /** The last transaction id counted, as its two halves. */
    public RefusalSummaryFlyweight lastTxId(long msb, long lsb) {
        MutableDirectBuffer b = mutable();
        b.putLong(offset + LAST_TX_ID_MSB_OFFSET, msb, ORDER);
        b.putLong(offset + LAST_TX_ID_LSB_OFFSET, lsb, ORDER);
        return this;
    }

    /** Start time of the first exchange counted, epoch nanoseconds. */
    public long intervalStartEpochNanos() {
        return buffer.getLong(offset + INTERVAL_START_EPOCH_NANOS_OFFSET, ORDER);
    }

    public RefusalSummaryFlyweight intervalStartEpochNanos(long nanos) {
        mutable().putLong(offset + INTERVAL_START_EPOCH_NANOS_OFFSET, nanos, ORDER);
        return this;
    }

    /** Start time of the last exchange counted, epoch nanoseconds. */
    public long intervalEndEpochNanos() {
        return buffer.getLong(offset + INTERVAL_END_EPOCH_NANOS_OFFSET, ORDER);
    }

    public RefusalSummaryFlyweight intervalEndEpochNanos(long nanos) {
        mutable().putLong(offset + INTERVAL_END_EPOCH_NANOS_OFFSET, nanos, ORDER);
        return this;
    }

    /** Exchanges summarized. */
    public long count() {
        return buffer.getLong(offset + COUNT_OFFSET, ORDER);
    }

    public RefusalSummaryFlyweight count(long count) {
        if (count < 1) {
            throw new IllegalArgumentException("a summary counts at least one exchange, not " + count);
        }
        mutable().putLong(offset + COUNT_OFFSET, count, ORDER);
        return this;
    }

    public boolean clientAddressIsIpv6() {
        return (flags() & FLAG_CLIENT_IPV6) != 0;
    }

    /** Whether the summary counts one client address: false when the address field is all zero. */
    public boolean hasClientAddress() {
        return buffer.getLong(offset + CLIENT_ADDRESS_OFFSET, ORDER) != 0
                || buffer.getLong(offset + CLIENT_ADDRESS_OFFSET + 8, ORDER) != 0;
    }

    /** Sets an IPv4 client address, {@code a.b.c.d} as the int {@code a << 24 | b << 16 | c << 8 | d}. */
    public RefusalSummaryFlyweight clientIpv4(int address) {
        ClientAddressField.putIpv4(mutable(), offset + CLIENT_ADDRESS_OFFSET, offset + FLAGS_OFFSET, FLAG_CLIENT_IPV6,
                address);
        return this;
    }

    /** Sets the client address from its network-order bytes: 4 bytes for IPv4, 16 for IPv6. */
    public RefusalSummaryFlyweight clientAddress(byte[] address) {
        ClientAddressField.put(mutable(), offset + CLIENT_ADDRESS_OFFSET, offset + FLAGS_OFFSET, FLAG_CLIENT_IPV6,
                address);
        return this;
    }

    /**
     * Sets the client address from its 16 stored bytes as two big-endian halves (an IPv4 address IPv4-mapped),
     * with whether it is IPv6: how a counting table that keeps addresses as longs writes one out.
     */
    public RefusalSummaryFlyweight clientAddress(long high, long low, boolean ipv6) {
        MutableDirectBuffer b = mutable();
        b.putLong(offset + CLIENT_ADDRESS_OFFSET, high, ByteOrder.BIG_ENDIAN);
        b.putLong(offset + CLIENT_ADDRESS_OFFSET + 8, low, ByteOrder.BIG_ENDIAN);
        int flags = flags();
        b.putShort(offset + FLAGS_OFFSET, (short) (ipv6 ? flags | FLAG_CLIENT_IPV6 : flags & ~FLAG_CLIENT_IPV6), ORDER);
        return this;
    }

    /** Copies the client address into {@code dst} in its native form, 4 or 16 bytes, and returns how many. */
    public int getClientAddress(byte[] dst, int dstOffset) {
        return ClientAddressField.get(buffer, offset + CLIENT_ADDRESS_OFFSET, clientAddressIsIpv6(), dst, dstOffset);
    }

    public RefusalSummaryFlyweight chainHash(byte[] sha256) {
        if (sha256.length != CHAIN_HASH_LENGTH) {
            throw new IllegalArgumentException("a SHA-256 is 32 bytes, not " + sha256.length);
        }
        mutable().putBytes(offset + CHAIN_HASH_OFFSET, sha256);
        return this;
    }

    public void getChainHash(byte[] dst, int dstOffset) {
        buffer.getBytes(offset + CHAIN_HASH_OFFSET, dst, dstOffset, CHAIN_HASH_LENGTH);
    }

    private MutableDirectBuffer mutable() {
        if (mutableBuffer == null) {
            throw new IllegalStateException("the wrapped buffer is read-only");
        }
        return mutableBuffer;
    }
}
