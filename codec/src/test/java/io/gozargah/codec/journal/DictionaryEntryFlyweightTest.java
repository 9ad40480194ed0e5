package io.gozargah.codec.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DictionaryEntryFlyweightTest {

    private final DictionaryEntryFlyweight writer = new DictionaryEntryFlyweight();
    private final DictionaryEntryFlyweight reader = new DictionaryEntryFlyweight();

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "1, 1, بانک ملی ایران",
        "2, 4294967295, استعلام ثبت احوال",
        "3, 2147483648, https://upstream-۳.sabtahval.ir:8443",
        "1, 0, ''",
    })
    void shouldRoundTripPersianNames(int kind, long id, String name) {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        writer.wrapForWrite(buffer, 0).kind(kind).id((int) id).name(name);

        reader.wrapForRead(buffer, 0);
        assertEquals(DictionaryEntryFlyweight.SCHEMA_VERSION, reader.schemaVersion());
        assertEquals(kind, reader.kind());
        assertEquals(id, Integer.toUnsignedLong(reader.id()));
        assertEquals(name, reader.name());
        int utf8Length = name.getBytes(StandardCharsets.UTF_8).length;
        assertEquals(utf8Length, reader.nameLength());
        assertEquals(DictionaryEntryFlyweight.NAME_OFFSET + utf8Length, reader.length());
    }

    @Test
    void shouldTouchOnlyItsOwnBytesWhenWrappedAtAnOffset() {
        byte[] backing = new byte[128];
        Arrays.fill(backing, (byte) 0x5A);
        UnsafeBuffer buffer = new UnsafeBuffer(backing);
        int offset = 13;
        writer.wrapForWrite(buffer, offset).kind(DictionaryEntryFlyweight.KIND_CONSUMER).id(42).name("سامانه");
        int end = offset + writer.length();

        for (int i = 0; i < backing.length; i++) {
            if (i < offset || i >= end) {
                assertEquals(0x5A, backing[i], "byte " + i + " outside the entry");
            }
        }
        assertEquals("سامانه", reader.wrapForRead(buffer, offset).name());
    }

    /** Fixed values against bytes spelled out field by field, so the layout cannot drift silently. */
    @Test
    void shouldWriteTheGoldenBytes() {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        writer.wrapForWrite(buffer, 0).kind(DictionaryEntryFlyweight.KIND_SERVICE).id(7).name("ثبت");

        String expected = ""
                + "0100" // 0 schema version 1
                + "02" // 2 kind: service
                + "00" // 3 reserved
                + "07000000" // 4 id 7
                + "0600" // 8 name length 6
                + "d8abd8a8d8aa"; // 10 "ثبت" in UTF-8
        assertEquals(expected, HexFormat.of().formatHex(buffer.byteArray()));
    }

    @Test
    void shouldRejectAnUnknownSchemaVersionNamingIt() {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[32]);
        writer.wrapForWrite(buffer, 0).kind(DictionaryEntryFlyweight.KIND_ENDPOINT).id(1).name("a");
        buffer.putShort(DictionaryEntryFlyweight.SCHEMA_VERSION_OFFSET, (short) 0xFFFF, ByteOrder.LITTLE_ENDIAN);

        UnsupportedSchemaVersionException e =
                assertThrows(UnsupportedSchemaVersionException.class, () -> reader.wrapForRead(buffer, 0));
        assertEquals(65535, e.version());
        assertTrue(e.getMessage().contains("65535"), e.getMessage());
    }

    @Test
    void shouldRejectAnUnknownKind() {
        writer.wrapForWrite(new UnsafeBuffer(new byte[32]), 0);
        assertThrows(IllegalArgumentException.class, () -> writer.kind(0));
        assertThrows(IllegalArgumentException.class, () -> writer.kind(4));
    }

    @Test
    void shouldRejectANameLongerThanItsLengthFieldOrTheBuffer() {
        writer.wrapForWrite(new UnsafeBuffer(new byte[70_000]), 0);
        assertThrows(IllegalArgumentException.class,
                () -> writer.name("a".repeat(DictionaryEntryFlyweight.MAX_NAME_LENGTH + 1)));

        writer.wrapForWrite(new UnsafeBuffer(new byte[16]), 0);
        assertThrows(IndexOutOfBoundsException.class, () -> writer.name("ثبت احوال")); // 17 bytes
    }

    @Test
    void shouldRejectAnEntryWhoseStatedNameRunsPastTheBuffer() {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        writer.wrapForWrite(buffer, 0).kind(DictionaryEntryFlyweight.KIND_SERVICE).id(1);
        buffer.putShort(DictionaryEntryFlyweight.NAME_LENGTH_OFFSET, (short) 7, ByteOrder.LITTLE_ENDIAN);

        assertThrows(IndexOutOfBoundsException.class, () -> reader.wrapForRead(buffer, 0));
    }
}
