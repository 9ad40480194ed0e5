package io.gozargah.codec.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.HexFormat;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class CheckpointFlyweightTest {
    private final CheckpointFlyweight writer = new CheckpointFlyweight();
    private final CheckpointFlyweight reader = new CheckpointFlyweight();

    @Test
    void shouldRoundTripEveryField() {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[CheckpointFlyweight.LENGTH + 3]);
        byte[] head = filled(32, (byte) 0x11);
        byte[] keyId = filled(8, (byte) 0x22);
        byte[] signature = filled(64, (byte) 0x33);
        writer.wrapForWrite(buffer, 3).sequence(7).epochNanos(-5).recordCount(Long.MAX_VALUE).chainHead(head, 0)
                .keyId(keyId, 0).signature(signature, 0);

        reader.wrapForRead(buffer, 3);
        assertEquals(7, reader.sequence());
        assertEquals(-5, reader.epochNanos());
        assertEquals(Long.MAX_VALUE, reader.recordCount());
        byte[] out = new byte[64];
        reader.getChainHead(out, 0);
        assertArrayEquals(head, Arrays.copyOf(out, 32));
        reader.getKeyId(out, 0);
        assertArrayEquals(keyId, Arrays.copyOf(out, 8));
        reader.getSignature(out, 0);
        assertArrayEquals(signature, out);
    }

    /** Fixed values against bytes spelled out field by field, so the layout cannot drift silently. */
    @Test
    void shouldWriteTheGoldenBytes() {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[CheckpointFlyweight.LENGTH]);
        writer.wrapForWrite(buffer, 0).sequence(0x0102030405060708L).epochNanos(0x1112131415161718L)
                .recordCount(0x2122232425262728L).chainHead(filled(32, (byte) 0xAA), 0)
                .keyId(filled(8, (byte) 0xBB), 0).signature(filled(64, (byte) 0xCC), 0);
        String expected = "0100" + "0000" + "00000000"
                + "0807060504030201" + "1817161514131211" + "2827262524232221"
                + "aa".repeat(32) + "bb".repeat(8) + "cc".repeat(64);
        assertEquals(136, CheckpointFlyweight.LENGTH);
        assertEquals(expected, HexFormat.of().formatHex(buffer.byteArray()));
        byte[] signed = new byte[CheckpointFlyweight.SIGNATURE_OFFSET];
        reader.wrapForRead(buffer, 0).getSignedBytes(signed, 0);
        assertArrayEquals(Arrays.copyOf(buffer.byteArray(), CheckpointFlyweight.SIGNATURE_OFFSET), signed);
    }

    @Test
    void shouldRejectAnUnknownVersionAndAShortBuffer() {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[CheckpointFlyweight.LENGTH]);
        buffer.putShort(0, (short) 2, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThrows(UnsupportedSchemaVersionException.class, () -> reader.wrapForRead(buffer, 0));
        assertThrows(IndexOutOfBoundsException.class,
                () -> writer.wrapForWrite(new UnsafeBuffer(new byte[CheckpointFlyweight.LENGTH - 1]), 0));
    }

    private static byte[] filled(int length, byte value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, value);
        return bytes;
    }
}
