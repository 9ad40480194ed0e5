package io.gozargah.codec.journal;

import static io.gozargah.codec.journal.RefusalSummaryFlyweight.LENGTH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class RefusalSummaryFlyweightTest {
    private static final HexFormat HEX = HexFormat.of();

    private final RefusalSummaryFlyweight writer = new RefusalSummaryFlyweight();
    private final RefusalSummaryFlyweight reader = new RefusalSummaryFlyweight();

    @Test
    void shouldFitTheSizeTargetWithTheChainHashLast() {
        assertEquals(128, LENGTH);
        assertTrue(LENGTH <= 160, "DESIGN.md target: at most 160 bytes a record");
        assertEquals(LENGTH - 32, new RefusalSummaryFlyweight().wrapForWrite(new UnsafeBuffer(new byte[LENGTH]), 0)
                .chainHashOffset());
    }

    @Test
    void shouldShareTheTransactionRecordsOffsetsForTheFieldsBothHave() {
        assertEquals(TransactionRecordFlyweight.OUTCOME_CODE_OFFSET, RefusalSummaryFlyweight.OUTCOME_CODE_OFFSET);
        assertEquals(TransactionRecordFlyweight.HTTP_STATUS_OFFSET, RefusalSummaryFlyweight.HTTP_STATUS_OFFSET);
        assertEquals(TransactionRecordFlyweight.CONSUMER_ID_OFFSET, RefusalSummaryFlyweight.CONSUMER_ID_OFFSET);
        assertEquals(TransactionRecordFlyweight.SERVICE_ID_OFFSET, RefusalSummaryFlyweight.SERVICE_ID_OFFSET);
        assertEquals(TransactionRecordFlyweight.CLIENT_ADDRESS_OFFSET, RefusalSummaryFlyweight.CLIENT_ADDRESS_OFFSET);
    }

    @Test
    void shouldRoundTripEveryFieldAtItsExtremes() {
        long[] longs = {0, Long.MAX_VALUE, Long.MIN_VALUE, -1};
        int[] ints = {0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE};
        for (int i = 0; i < longs.length; i++) {
            UnsafeBuffer buffer = new UnsafeBuffer(new byte[LENGTH]);
            long l = longs[i];
            int u32 = ints[i];
            int u16 = i % 2 == 0 ? 0 : 0xFFFF;
            int u8 = i % 2 == 0 ? 0 : 0xFF;
            byte[] chain = filled((byte) (i + 1));
            writer.wrapForWrite(buffer, 0).outcomeCode(u16).httpStatus(u16 ^ 1).reason(u8).consumerId(u32)
                    .serviceId(u32 ^ 1).firstTxId(l, ~l).lastTxId(l ^ 1, ~l ^ 1).intervalStartEpochNanos(l ^ 2)
                    .intervalEndEpochNanos(l ^ 3).count(Math.max(1, l & Long.MAX_VALUE)).clientIpv4(u32)
                    .chainHash(chain);

            reader.wrapForRead(buffer, 0);
            assertEquals(RefusalSummaryFlyweight.SCHEMA_VERSION, reader.schemaVersion());
            assertEquals(u16, reader.outcomeCode());
            assertEquals(u16 ^ 1, reader.httpStatus());
            assertEquals(u8, reader.reason());
            assertEquals(0, reader.clientPort());
            assertEquals(u32, reader.consumerId());
            assertEquals(u32 ^ 1, reader.serviceId());
            assertEquals(l, reader.firstTxIdMsb());
            assertEquals(~l, reader.firstTxIdLsb());
            assertEquals(l ^ 1, reader.lastTxIdMsb());
            assertEquals(~l ^ 1, reader.lastTxIdLsb());
            assertEquals(l ^ 2, reader.intervalStartEpochNanos());
            assertEquals(l ^ 3, reader.intervalEndEpochNanos());
            assertEquals(Math.max(1, l & Long.MAX_VALUE), reader.count());
            assertFalse(reader.clientAddressIsIpv6());
            byte[] out = new byte[32];
            reader.getChainHash(out, 0);
            assertArrayEquals(chain, out);
        }
    }

    @Test
    void shouldRoundTripClientAddressesAndSayWhenThereIsNone() throws Exception {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[LENGTH]);
        writer.wrapForWrite(buffer, 0).count(1);
        assertFalse(reader.wrapForRead(buffer, 0).hasClientAddress(), "all zero: not counted per address");

        byte[] v6 = InetAddress.getByName("2001:db8::7").getAddress();
        writer.clientAddress(v6);
        assertTrue(reader.hasClientAddress());
        assertTrue(reader.clientAddressIsIpv6());
        byte[] out = new byte[16];
        assertEquals(16, reader.getClientAddress(out, 0));
        assertArrayEquals(v6, out);

        writer.clientAddress(new byte[] {10, 0, 0, 9});
        assertFalse(reader.clientAddressIsIpv6(), "an IPv4 address clears the IPv6 flag");
        assertEquals(4, reader.getClientAddress(out, 0));
        assertArrayEquals(new byte[] {10, 0, 0, 9}, Arrays.copyOf(out, 4));

        UnsafeBuffer halves = new UnsafeBuffer(new byte[LENGTH]);
        new RefusalSummaryFlyweight().wrapForWrite(halves, 0).clientAddress(0, 0x0000_FFFF_0A00_0009L, false);
        assertEquals(4, reader.wrapForRead(halves, 0).getClientAddress(out, 0));
        assertArrayEquals(new byte[] {10, 0, 0, 9}, Arrays.copyOf(out, 4), "halves of ::ffff:10.0.0.9 read as IPv4");
        new RefusalSummaryFlyweight().wrapForWrite(halves, 0).clientAddress(0x2001_0DB8_0000_0000L, 7, true);
        assertEquals(16, reader.wrapForRead(halves, 0).getClientAddress(out, 0));
        assertArrayEquals(v6, out);
    }

    @Test
    void shouldRejectWhatDoesNotFitOrIsNotASummary() {
        assertThrows(IndexOutOfBoundsException.class, () -> writer.wrapForWrite(new UnsafeBuffer(new byte[LENGTH - 1]), 0));
        assertThrows(IndexOutOfBoundsException.class, () -> reader.wrapForRead(new UnsafeBuffer(new byte[LENGTH + 10]), 11));
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[LENGTH]);
        writer.wrapForWrite(buffer, 0);
        assertThrows(IllegalArgumentException.class, () -> writer.count(0), "a summary of nothing");
        assertThrows(IllegalArgumentException.class, () -> writer.reason(256));
        assertThrows(IllegalArgumentException.class, () -> writer.httpStatus(0x10000));
        assertThrows(IllegalArgumentException.class, () -> writer.chainHash(new byte[31]));

        buffer.putShort(RefusalSummaryFlyweight.SCHEMA_VERSION_OFFSET, (short) 0, ByteOrder.LITTLE_ENDIAN);
        UnsupportedSchemaVersionException e =
                assertThrows(UnsupportedSchemaVersionException.class, () -> reader.wrapForRead(buffer, 0));
        assertEquals(0, e.version(), "a zeroed record is refused, not read as a summary of nothing");
    }

    @Test
    void shouldZeroStaleBytesAndTouchNothingOutsideItself() {
        byte[] backing = new byte[LENGTH + 64];
        Arrays.fill(backing, (byte) 0xFF);
        writer.wrapForWrite(new UnsafeBuffer(backing), 32);
        for (int i = 0; i < backing.length; i++) {
            int expected = i < 32 || i >= 32 + LENGTH ? 0xFF : i == 32 ? 1 : 0;
            assertEquals(expected, backing[i] & 0xFF, "byte " + i);
        }
    }

    @Test
    void shouldLetTheChainHashCoverEverythingBeforeIt() throws Exception {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[LENGTH]);
        writer.wrapForWrite(buffer, 0).count(3).reason(SummaryReason.JOURNAL_BACKLOG);
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        sha256.update(new byte[32]);
        sha256.update(buffer.byteArray(), 0, writer.chainHashOffset());
        byte[] chain = sha256.digest();
        writer.chainHash(chain);
        byte[] stored = new byte[32];
        reader.wrapForRead(buffer, 0).getChainHash(stored, 0);
        assertArrayEquals(chain, stored);
        assertEquals(LENGTH, writer.chainHashOffset() + 32);
    }

    /** Fixed values against bytes spelled out field by field, so the layout cannot drift silently. */
    @Test
    void shouldWriteTheGoldenBytes() {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[LENGTH]);
        writer.wrapForWrite(buffer, 0)
                .outcomeCode(0x0203)
                .httpStatus(503)
                .reason(SummaryReason.AUTHENTICATION_FLOOD)
                .consumerId(0x11223344)
                .serviceId(0x55667788)
                .firstTxId(0x0102030405060708L, 0x1112131415161718L)
                .intervalStartEpochNanos(0x2122232425262728L)
                .intervalEndEpochNanos(0x3132333435363738L)
                .count(0x4142434445464748L)
                .lastTxId(0x5152535455565758L, 0x6162636465666768L)
                .clientIpv4(0xC0A80102)
                .chainHash(filled((byte) 0xC3));

        String expected = ""
                + "0100" // 0 schema version 1
                + "0000" // 2 flags: IPv4
                + "0302" // 4 outcome code 0x0203
                + "f701" // 6 HTTP status 503
                + "02" // 8 reason: authentication flood
                + "00" // 9 reserved
                + "0000" // 10 client port: none
                + "44332211" // 12 consumer id
                + "88776655" // 16 service id
                + "00000000" // 20 reserved
                + "0807060504030201" // 24 first tx id msb
                + "1817161514131211" // 32 first tx id lsb
                + "2827262524232221" // 40 interval start
                + "3837363534333231" // 48 interval end
                + "4847464544434241" // 56 count
                + "5857565554535251" // 64 last tx id msb
                + "6867666564636261" // 72 last tx id lsb
                + "00000000000000000000ffffc0a80102" // 80 client address ::ffff:192.168.1.2
                + "c3".repeat(32); // 96 chain hash
        assertEquals(expected, HEX.formatHex(buffer.byteArray()));
    }

    @Test
    void shouldNameEveryReasonAndSayWhenOneIsUnknown() {
        assertEquals("journal-backlog", SummaryReason.name(SummaryReason.JOURNAL_BACKLOG));
        assertEquals("authentication-flood", SummaryReason.name(SummaryReason.AUTHENTICATION_FLOOD));
        assertEquals("unknown-9", SummaryReason.name(9));
    }

    private static byte[] filled(byte b) {
        byte[] bytes = new byte[32];
        Arrays.fill(bytes, b);
        return bytes;
    }
}
