package io.gozargah.engine.trace;

import io.netty.buffer.ByteBuf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Lower-case hex digits written into byte arrays several at a time, for the ids rendered on every exchange (the
 * {@code traceparent} value, the transaction id): the nibbles of up to 32 bits are spread one to a byte, every
 * byte becomes its digit at once ('0' + n, plus the 39 between '9' + 1 and 'a' where n is 10 or more), and the
 * digits go into the array in one big-endian store, instead of a table look-up and an array store per digit.
 */
public final class HexDigits {
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final long LOW_NIBBLES = 0x0F0F_0F0F_0F0F_0F0FL;
    private static final long ONES = 0x0101_0101_0101_0101L;

    private HexDigits() {
    }

    /** {@code value} as 16 digits at {@code offset}; returns the offset after them. */
    public static int write16(byte[] dst, int offset, long value) {
        LONG_BE.set(dst, offset, digits(value >>> 32));
        LONG_BE.set(dst, offset + 8, digits(value & 0xFFFF_FFFFL));
        return offset + 16;
    }

    /** The low 32 bits of {@code value} as 8 digits at {@code offset}; returns the offset after them. */
    public static int write8(byte[] dst, int offset, long value) {
        LONG_BE.set(dst, offset, digits(value & 0xFFFF_FFFFL));
        return offset + 8;
    }

    /** The low 16 bits of {@code value} as 4 digits at {@code offset}; returns the offset after them. */
    public static int write4(byte[] dst, int offset, long value) {
        INT_BE.set(dst, offset, (int) digits(value & 0xFFFF));
        return offset + 4;
    }

    /** The low 32 bits of {@code value} as 8 digits written to {@code out} (a ByteBuf's longs are big-endian). */
    public static void write8(ByteBuf out, long value) {
        out.writeLong(digits(value & 0xFFFF_FFFFL));
    }

    /** The low 16 bits of {@code value} as 4 digits written to {@code out}. */
    public static void write4(ByteBuf out, long value) {
        out.writeInt((int) digits(value & 0xFFFF));
    }

    /** The eight digits of the low 32 bits of {@code v} (which must hold no more), most significant in the high byte. */
    static long digits(long v) {
        long x = (v | (v << 16)) & 0x0000_FFFF_0000_FFFFL;
        x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FFL;
        x = (x | (x << 4)) & LOW_NIBBLES;
        long letters = ((x + 0x0606_0606_0606_0606L) >>> 4) & ONES; // 1 in each byte whose nibble is 10 or more
        return x + 0x3030_3030_3030_3030L + letters * 39;
    }
}
