package io.gozargah.codec.journal;

import static io.gozargah.codec.journal.TransactionRecordFlyweight.CHAIN_HASH_LENGTH;
import static io.gozargah.codec.journal.TransactionRecordFlyweight.LENGTH_WITHOUT_BODY_HASHES;
import static io.gozargah.codec.journal.TransactionRecordFlyweight.LENGTH_WITH_BODY_HASHES;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TransactionRecordFlyweightTest {

    private static final HexFormat HEX = HexFormat.of();

    private final TransactionRecordFlyweight writer = new TransactionRecordFlyweight();
    private final TransactionRecordFlyweight reader = new TransactionRecordFlyweight();

    /** One value per field width: each row is written to every field of that width. */
    record Edge(String name, int u16, int u8, int u32, long i64, byte hashByte) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Edge> edges() {
        return Stream.of(
                new Edge("zero", 0, 0, 0, 0L, (byte) 0),
                new Edge("max", 0xFFFF, 0xFF, -1 /* u32 max */, Long.MAX_VALUE, (byte) 0xFF),
                new Edge("min signed", 0, 0, Integer.MIN_VALUE, Long.MIN_VALUE, (byte) 0x80),
                new Edge("minus one", 1, 1, Integer.MAX_VALUE, -1L, (byte) 0x7F));
    }

    @Test
    void shouldFitTheSizeTargetWithoutBodyHashesAndStateTheSizeWithThem() {
        assertEquals(144, TransactionRecordFlyweight.length(false));
        assertTrue(TransactionRecordFlyweight.length(false) <= 160, "DESIGN.md target: at most 160 bytes a record");
        assertEquals(208, TransactionRecordFlyweight.length(true));
        assertEquals(112, TransactionRecordFlyweight.chainHashOffset(false));
        assertEquals(176, TransactionRecordFlyweight.chainHashOffset(true));
        assertEquals(128, TransactionRecordFlyweight.length(TransactionRecordFlyweight.SCHEMA_VERSION_1, false));
        assertEquals(192, TransactionRecordFlyweight.length(TransactionRecordFlyweight.SCHEMA_VERSION_1, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("edges")
    void shouldRoundTripEveryFieldWithBodyHashes(Edge e) {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[LENGTH_WITH_BODY_HASHES]);
        byte[] requestHash = filled(e.hashByte());
        byte[] responseHash = filled((byte) ~e.hashByte());
        byte[] chain = filled((byte) (e.hashByte() + 1));
        writeAll(writer.wrapForWrite(buffer, 0, true), e)
                .requestBodySha256(requestHash)
                .responseBodySha256(responseHash)
                .chainHash(chain);

        reader.wrapForRead(buffer, 0);
        assertAll(reader, e);
        assertTrue(reader.hasBodyHashes());
        assertEquals(LENGTH_WITH_BODY_HASHES, reader.length());
        byte[] out = new byte[CHAIN_HASH_LENGTH];
        reader.getRequestBodySha256(out, 0);
        assertArrayEquals(requestHash, out);
        reader.getResponseBodySha256(out, 0);
        assertArrayEquals(responseHash, out);
        reader.getChainHash(out, 0);
        assertArrayEquals(chain, out);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("edges")
    void shouldRoundTripEveryFieldWithoutBodyHashes(Edge e) {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[LENGTH_WITHOUT_BODY_HASHES]);
        byte[] chain = filled(e.hashByte());
        writeAll(writer.wrapForWrite(buffer, 0, false), e).chainHash(chain);

        reader.wrapForRead(buffer, 0);
        assertAll(reader, e);
        assertFalse(reader.hasBodyHashes());
        assertEquals(LENGTH_WITHOUT_BODY_HASHES, reader.length());
        byte[] out = new byte[CHAIN_HASH_LENGTH];
        reader.getChainHash(out, 0);
        assertArrayEquals(chain, out);
    }

    @Test
    void shouldZeroTheWholeRecordItWrapsForWriteAndNothingAroundIt() {
        for (boolean hashes : new boolean[]{false, true}) {
            int length = TransactionRecordFlyweight.length(hashes);
            for (int offset : new int[]{0, 8, 13}) {
                UnsafeBuffer buffer = new UnsafeBuffer(new byte[offset + length + 16]);
                buffer.setMemory(0, buffer.capacity(), (byte) 0x5A);

                new TransactionRecordFlyweight().wrapForWrite(buffer, offset, hashes);

                for (int i = 0; i < buffer.capacity(); i++) {
                    int at = i - offset;
                    byte expected;
                    if (at < 0 || at >= length) {
                        expected = 0x5A;
                    } else if (at == TransactionRecordFlyweight.SCHEMA_VERSION_OFFSET) {
                        expected = (byte) TransactionRecordFlyweight.SCHEMA_VERSION;
                    } else if (at == TransactionRecordFlyweight.FLAGS_OFFSET) {
                        expected = (byte) (hashes ? TransactionRecordFlyweight.FLAG_BODY_HASHES : 0);
                    } else {
                        expected = 0;
                    }
                    assertEquals(expected, buffer.getByte(i), "byte " + i + " (hashes " + hashes + ", offset "
                            + offset + ")");
                }
            }
        }
    }

    @Test
    void shouldRoundTripAnIpv4ClientAddressAsIpv4Mapped() throws Exception {
        byte[] v4 = InetAddress.getByName("192.0.2.1").getAddress();
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[LENGTH_WITHOUT_BODY_HASHES]);
        writer.wrapForWrite(buffer, 0, false).clientAddress(v4).clientPort(50123);

        reader.wrapForRead(buffer, 0);
        assertFalse(reader.clientAddressIsIpv6());
        assertEquals(0xC0000201, reader.clientIpv4());
        assertEquals(50123, reader.clientPort());
        byte[] out = new byte[16];
        assertEquals(4, reader.getClientAddress(out, 0));
        assertArrayEquals(v4, Arrays.copyOf(out, 4));
        byte[] stored = new byte[16];
        buffer.getBytes(TransactionRecordFlyweight.CLIENT_ADDRESS_OFFSET, stored);
        assertEquals("00000000000000000000ffffc0000201", HEX.formatHex(stored));
    }

    @Test
    void shouldRoundTripAnIpv6ClientAddress() throws Exception {
        byte[] v6 = InetAddress.getByName("2001:db8::ff00:42:8329").getAddress();
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[LENGTH_WITHOUT_BODY_HASHES]);
        writer.wrapForWrite(buffer, 0, false).clientAddress(v6);

        reader.wrapForRead(buffer, 0);
        assertTrue(reader.clientAddressIsIpv6());
        byte[] out = new byte[16];
        assertEquals(16, reader.getClientAddress(out, 0));
        assertArrayEquals(v6, out);
    }

    @Test
    void shouldClearTheIpv6FlagWhenAnIpv4AddressReplacesAnIpv6One() throws Exception {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[LENGTH_WITH_BODY_HASHES]);
        writer.wrapForWrite(buffer, 0, true)
                .clientAddress(InetAddress.getByName("2001:db8::1").getAddress())
                .clientIpv4(0x0A000001);

        assertFalse(writer.clientAddressIsIpv6());
        assertTrue(writer.hasBodyHashes(), "other flags are kept");
        byte[] out = new byte[16];
        assertEquals(4, writer.getClientAddress(out, 0));
        assertArrayEquals(new byte[] {10, 0, 0, 1}, Arrays.copyOf(out, 4));
    }

    @Test
    void shouldRejectAClientAddressThatIsNeitherFourNorSixteenBytes() {
        writer.wrapForWrite(new UnsafeBuffer(new byte[LENGTH_WITHOUT_BODY_HASHES]), 0, false);
        assertThrows(IllegalArgumentException.class, () -> writer.clientAddress(new byte[6]));
    }

    @Test
    void shouldTouchOnlyItsOwnBytesWhenWrappedAtAnOffset() {
        byte[] backing = new byte[512];
        Arrays.fill(backing, (byte) 0x5A);
        UnsafeBuffer buffer = new UnsafeBuffer(backing);
        int offset = 37; // deliberately unaligned
        Edge e = edges().skip(1).findFirst().orElseThrow();
        writeAll(writer.wrapForWrite(buffer, offset, true), e)
                .requestBodySha256(filled((byte) 1))
                .responseBodySha256(filled((byte) 2))
                .chainHash(filled((byte) 3));

        for (int i = 0; i < offset; i++) {
            assertEquals(0x5A, backing[i], "byte " + i + " before the record");
        }
        for (int i = offset + LENGTH_WITH_BODY_HASHES; i < backing.length; i++) {
            assertEquals(0x5A, backing[i], "byte " + i + " after the record");
        }
        reader.wrapForRead(buffer, offset);
        assertAll(reader, e);
        assertEquals(offset, reader.offset());
    }

    @Test
    void shouldZeroStaleBytesWhenWrappedForWrite() {
        byte[] backing = new byte[LENGTH_WITH_BODY_HASHES];
        Arrays.fill(backing, (byte) 0xFF);
        writer.wrapForWrite(new UnsafeBuffer(backing), 0, true);

        byte[] expected = new byte[LENGTH_WITH_BODY_HASHES];
        expected[0] = 2; // schema version
        expected[2] = TransactionRecordFlyweight.FLAG_BODY_HASHES;
        assertArrayEquals(expected, backing);
    }

    @Test
    void shouldRejectAnUnknownSchemaVersionNamingIt() {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[LENGTH_WITHOUT_BODY_HASHES]);
        writer.wrapForWrite(buffer, 0, false);
        buffer.putShort(TransactionRecordFlyweight.SCHEMA_VERSION_OFFSET, (short) 3, java.nio.ByteOrder.LITTLE_ENDIAN);

        UnsupportedSchemaVersionException e =
                assertThrows(UnsupportedSchemaVersionException.class, () -> reader.wrapForRead(buffer, 0));
        assertEquals(3, e.version());
        assertTrue(e.getMessage().contains("version 3"), e.getMessage());

        buffer.putShort(TransactionRecordFlyweight.SCHEMA_VERSION_OFFSET, (short) 0, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThrows(UnsupportedSchemaVersionException.class, () -> reader.wrapForRead(buffer, 0));
    }

    @Test
    void shouldRejectBodyHashesOnARecordWithoutTheBlock() {
        writer.wrapForWrite(new UnsafeBuffer(new byte[LENGTH_WITHOUT_BODY_HASHES]), 0, false);
        assertThrows(IllegalStateException.class, () -> writer.requestBodySha256(filled((byte) 1)));
        assertThrows(IllegalStateException.class, () -> writer.getResponseBodySha256(new byte[32], 0));
    }

    @Test
    void shouldRejectValuesWiderThanTheirField() {
        writer.wrapForWrite(new UnsafeBuffer(new byte[LENGTH_WITHOUT_BODY_HASHES]), 0, false);
        assertThrows(IllegalArgumentException.class, () -> writer.httpStatus(0x10000));
        assertThrows(IllegalArgumentException.class, () -> writer.outcomeCode(-1));
        assertThrows(IllegalArgumentException.class, () -> writer.clientPort(65536));
        assertThrows(IllegalArgumentException.class, () -> writer.methodCode(256));
        assertThrows(IllegalArgumentException.class, () -> writer.chainHash(new byte[16]));
    }

    @Test
    void shouldRejectARecordThatDoesNotFitTheBuffer() {
        assertThrows(IndexOutOfBoundsException.class,
                () -> writer.wrapForWrite(new UnsafeBuffer(new byte[LENGTH_WITH_BODY_HASHES - 1]), 0, true));
        assertThrows(IndexOutOfBoundsException.class,
                () -> writer.wrapForWrite(new UnsafeBuffer(new byte[200]), 100, false));

        UnsafeBuffer truncated = new UnsafeBuffer(new byte[LENGTH_WITHOUT_BODY_HASHES]);
        truncated.putShort(0, (short) 2, java.nio.ByteOrder.LITTLE_ENDIAN);
        truncated.putShort(2, (short) TransactionRecordFlyweight.FLAG_BODY_HASHES, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThrows(IndexOutOfBoundsException.class, () -> reader.wrapForRead(truncated, 0),
                "flags promise body hashes the buffer cannot hold");
    }

    @Test
    void shouldLetTheChainHashCoverEverythingBeforeItInOneRange() throws Exception {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[LENGTH_WITH_BODY_HASHES]);
        writeAll(writer.wrapForWrite(buffer, 0, true), edges().skip(3).findFirst().orElseThrow())
                .requestBodySha256(filled((byte) 9))
                .responseBodySha256(filled((byte) 8));
        byte[] previous = new byte[CHAIN_HASH_LENGTH]; // first record of a journal chains from zeros

        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        sha256.update(previous);
        sha256.update(buffer.byteArray(), 0, writer.chainHashOffset());
        byte[] chain = sha256.digest();
        writer.chainHash(chain);

        // A verifier recomputes from the record bytes alone; setting the chain did not change what it covers.
        sha256.update(previous);
        sha256.update(buffer.byteArray(), 0, LENGTH_WITH_BODY_HASHES - CHAIN_HASH_LENGTH);
        byte[] stored = new byte[CHAIN_HASH_LENGTH];
        reader.wrapForRead(buffer, 0).getChainHash(stored, 0);
        assertArrayEquals(sha256.digest(), stored);
    }

    /** Fixed values against bytes spelled out field by field, so the layout cannot drift silently. */
    @Test
    void shouldWriteTheGoldenBytes() {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[LENGTH_WITH_BODY_HASHES]);
        writer.wrapForWrite(buffer, 0, true)
                .outcomeCode(0x0203)
                .httpStatus(200)
                .methodCode(MethodCode.POST)
                .clientPort(443)
                .consumerId(0x11223344)
                .serviceId(0x55667788)
                .endpointId(0x99AABBCC)
                .txId(0x0102030405060708L, 0x1112131415161718L)
                .startEpochNanos(0x2122232425262728L)
                .totalDurationNanos(0x3132333435363738L)
                .upstreamDurationNanos(0x4142434445464748L)
                .requestBytes(0x5152535455565758L)
                .responseBytes(0x6162636465666768L)
                .clientIpv4(0xC0A80102)
                .requestBodySha256(filled((byte) 0xA1))
                .responseBodySha256(filled((byte) 0xB2))
                .chainHash(filled((byte) 0xC3))
                .attempts(1)
                .subjectHash(0xD1D2D3D4D5D6D7D8L, 0xE1E2E3E4E5E6E7E8L)
                .cacheResult(2);

        String expected = ""
                + "0200" // 0 schema version 2
                + "1500" // 2 flags: body hashes, IPv4, subject, cache result 2 (bits 3-5)
                + "0302" // 4 outcome code 0x0203
                + "c800" // 6 HTTP status 200
                + "03" // 8 method POST
                + "01" // 9 attempts
                + "bb01" // 10 client port 443
                + "44332211" // 12 consumer id
                + "88776655" // 16 service id
                + "ccbbaa99" // 20 endpoint id
                + "0807060504030201" // 24 tx id msb
                + "1817161514131211" // 32 tx id lsb
                + "2827262524232221" // 40 start epoch nanos
                + "3837363534333231" // 48 total duration
                + "4847464544434241" // 56 upstream duration
                + "5857565554535251" // 64 request bytes
                + "6867666564636261" // 72 response bytes
                + "00000000000000000000ffffc0a80102" // 80 client address ::ffff:192.168.1.2
                + "d1d2d3d4d5d6d7d8e1e2e3e4e5e6e7e8" // 96 subject hash, in the HMAC's byte order
                + "a1".repeat(32) // 112 request body SHA-256
                + "b2".repeat(32) // 144 response body SHA-256
                + "c3".repeat(32); // 176 chain hash
        assertEquals(expected, HEX.formatHex(buffer.byteArray()));
    }

    /** A version 1 record, as journals before subjects hold it, reads with no subject and no attempt. */
    @Test
    void shouldReadAVersion1RecordAtItsOwnLayout() {
        int v1Length = TransactionRecordFlyweight.V1_LENGTH_WITH_BODY_HASHES;
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[v1Length]);
        buffer.putShort(0, (short) 1, java.nio.ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(2, (short) (TransactionRecordFlyweight.FLAG_BODY_HASHES
                | TransactionRecordFlyweight.FLAG_SUBJECT), java.nio.ByteOrder.LITTLE_ENDIAN);
        buffer.putByte(9, (byte) 7); // reserved in version 1: not an attempt count
        buffer.setMemory(96, 32, (byte) 0xA1);
        buffer.setMemory(128, 32, (byte) 0xB2);
        buffer.setMemory(160, 32, (byte) 0xC3);

        reader.wrapForRead(buffer, 0);
        assertEquals(1, reader.schemaVersion());
        assertEquals(v1Length, reader.length());
        assertEquals(160, reader.chainHashOffset());
        assertFalse(reader.hasSubject(), "a version 1 record has no subject, whatever its flags");
        assertEquals(0, reader.attempts());
        byte[] out = new byte[32];
        reader.getRequestBodySha256(out, 0);
        assertArrayEquals(filled((byte) 0xA1), out);
        reader.getResponseBodySha256(out, 0);
        assertArrayEquals(filled((byte) 0xB2), out);
        reader.getChainHash(out, 0);
        assertArrayEquals(filled((byte) 0xC3), out);
        UnsafeBuffer writable = new UnsafeBuffer(buffer.byteArray());
        reader.wrapForRead(writable, 0);
        assertThrows(IllegalStateException.class, () -> reader.subjectHash(1, 2));
    }

    @Test
    void shouldKeepTheSubjectFlagClearUntilASubjectIsSet() {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[LENGTH_WITHOUT_BODY_HASHES]);
        writer.wrapForWrite(buffer, 0, false);
        assertFalse(writer.hasSubject());
        assertEquals(0, writer.subjectHashHigh());
        writer.subjectHash(-1L, 42L).clientIpv4(0x0A000001);
        reader.wrapForRead(buffer, 0);
        assertTrue(reader.hasSubject());
        assertEquals(-1L, reader.subjectHashHigh());
        assertEquals(42L, reader.subjectHashLow());
    }

    @Test
    void shouldReadNoCacheResultFromARecordThatNeverSetOne() {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[LENGTH_WITH_BODY_HASHES]);
        writer.wrapForWrite(buffer, 0, true).subjectHash(1L, 2L)
                .clientAddress(new byte[16]);

        assertEquals(0, reader.wrapForRead(buffer, 0).cacheResult());
    }

    @Test
    void shouldRoundTripEveryCacheResultCodeKeepingTheOtherFlags() {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[LENGTH_WITH_BODY_HASHES]);
        writer.wrapForWrite(buffer, 0, true).subjectHash(1L, 2L).clientAddress(new byte[16]);
        int others = TransactionRecordFlyweight.FLAG_BODY_HASHES | TransactionRecordFlyweight.FLAG_CLIENT_IPV6
                | TransactionRecordFlyweight.FLAG_SUBJECT;
        for (int code = TransactionRecordFlyweight.MAX_CACHE_RESULT; code >= 0; code--) {
            writer.cacheResult(code);

            reader.wrapForRead(buffer, 0);
            assertEquals(code, reader.cacheResult());
            assertEquals(others | code << 3, reader.flags(), "cache result " + code + " sits in bits 3-5");
            assertTrue(reader.hasBodyHashes());
            assertTrue(reader.clientAddressIsIpv6());
            assertTrue(reader.hasSubject());
            assertEquals(LENGTH_WITH_BODY_HASHES, reader.length());
        }
    }

    @Test
    void shouldKeepTheCacheResultWhenOtherFlagsChange() {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[LENGTH_WITHOUT_BODY_HASHES]);
        writer.wrapForWrite(buffer, 0, false).cacheResult(3)
                .clientAddress(new byte[16])
                .subjectHash(5L, 6L)
                .clientIpv4(0x0A000001);

        reader.wrapForRead(buffer, 0);
        assertEquals(3, reader.cacheResult());
        assertFalse(reader.clientAddressIsIpv6());
        assertTrue(reader.hasSubject());
        assertFalse(reader.hasBodyHashes());
    }

    @Test
    void shouldWriteTheCacheResultInFlagBits3To5() {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[LENGTH_WITHOUT_BODY_HASHES]);
        writer.wrapForWrite(buffer, 0, false).cacheResult(4).clientIpv4(0x0A000001);

        // 4 << 3 = 0x20, IPv4 and no body hashes or subject: the other bits stay clear.
        assertEquals("0200" + "2000", HEX.formatHex(buffer.byteArray(), 0, 4));
    }

    @Test
    void shouldRejectACacheResultWiderThanThreeBits() {
        writer.wrapForWrite(new UnsafeBuffer(new byte[LENGTH_WITHOUT_BODY_HASHES]), 0, false).cacheResult(2);
        assertThrows(IllegalArgumentException.class, () -> writer.cacheResult(8));
        assertThrows(IllegalArgumentException.class, () -> writer.cacheResult(-1));
        assertEquals(2, writer.cacheResult(), "a rejected code leaves the stored one");
        assertEquals(0, writer.flags() & ~TransactionRecordFlyweight.CACHE_RESULT_MASK);
    }

    @Test
    void shouldReadNoCacheResultFromAVersion1RecordWhateverItsFlags() {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[TransactionRecordFlyweight.V1_LENGTH_WITHOUT_BODY_HASHES]);
        buffer.putShort(0, (short) 1, java.nio.ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(2, (short) TransactionRecordFlyweight.CACHE_RESULT_MASK, java.nio.ByteOrder.LITTLE_ENDIAN);

        reader.wrapForRead(buffer, 0);
        assertEquals(0, reader.cacheResult());
        assertThrows(IllegalStateException.class, () -> reader.cacheResult(1));
    }

    private static TransactionRecordFlyweight writeAll(TransactionRecordFlyweight f, Edge e) {
        return f.outcomeCode(e.u16())
                .httpStatus(e.u16())
                .methodCode(e.u8())
                .clientPort(e.u16())
                .consumerId(e.u32())
                .serviceId(e.u32() ^ 1)
                .endpointId(e.u32() ^ 2)
                .txId(e.i64(), ~e.i64())
                .startEpochNanos(e.i64())
                .totalDurationNanos(e.i64() ^ 1)
                .upstreamDurationNanos(e.i64() ^ 2)
                .requestBytes(e.i64() ^ 3)
                .responseBytes(e.i64() ^ 4)
                .clientIpv4(e.u32());
    }

    private static void assertAll(TransactionRecordFlyweight f, Edge e) {
        assertEquals(TransactionRecordFlyweight.SCHEMA_VERSION, f.schemaVersion());
        assertEquals(e.u16(), f.outcomeCode());
        assertEquals(e.u16(), f.httpStatus());
        assertEquals(e.u8(), f.methodCode());
        assertEquals(e.u16(), f.clientPort());
        assertEquals(e.u32(), f.consumerId());
        assertEquals(e.u32() ^ 1, f.serviceId());
        assertEquals(e.u32() ^ 2, f.endpointId());
        assertEquals(e.i64(), f.txIdMsb());
        assertEquals(~e.i64(), f.txIdLsb());
        assertEquals(e.i64(), f.startEpochNanos());
        assertEquals(e.i64() ^ 1, f.totalDurationNanos());
        assertEquals(e.i64() ^ 2, f.upstreamDurationNanos());
        assertEquals(e.i64() ^ 3, f.requestBytes());
        assertEquals(e.i64() ^ 4, f.responseBytes());
        assertFalse(f.clientAddressIsIpv6());
        assertEquals(e.u32(), f.clientIpv4());
    }

    private static byte[] filled(byte value) {
        byte[] bytes = new byte[32];
        Arrays.fill(bytes, value);
        return bytes;
    }
}
