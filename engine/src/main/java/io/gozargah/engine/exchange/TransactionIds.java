package io.gozargah.engine.exchange;

import io.gozargah.engine.trace.HexDigits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.function.LongSupplier;

/**
 * Generator of 128-bit, time-ordered transaction ids in the layout of a UUIDv7 (RFC 9562 §5.7): 48 bits
 * of Unix milliseconds, the version, a 12-bit sequence within the millisecond (rand_a, as §6.2 method 1
 * allows), the variant, and 62 random bits fixed per generator that tell generators apart. Ids from one
 * generator strictly increase (a full millisecond of 4096 ids borrows the next one); ids from different
 * generators, loops or nodes order by millisecond and collide only if two generators drew the same 62
 * random bits.
 *
 * <p>One instance per event loop: not thread-safe, and no contention by design. Rendering writes ASCII
 * straight into a buffer, so the hot path creates no String.
 */
public final class TransactionIds {
    private static final SecureRandom SEEDS = new SecureRandom();
    /** Length of the canonical 8-4-4-4-12 rendering. */
    public static final int TEXT_LENGTH = 36;

    private final LongSupplier clockMillis;
    private final long generatorBits;
    private long lastMillis;
    private int sequence;

    private long msb;
    private long lsb;

    public TransactionIds() {
        this(System::currentTimeMillis);
    }

    public TransactionIds(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
        this.generatorBits = SEEDS.nextLong() & ((1L << 62) - 1);
        this.lsb = (0x2L << 62) | generatorBits;
    }

    /** Makes the next id at the generator's clock; read it with {@link #msb()}, {@link #lsb()} or {@link #writeText}. */
    public void next() {
        next(clockMillis.getAsLong());
    }

    /**
     * Makes the next id at {@code now}, Unix milliseconds the caller has already read (an exchange's start on the
     * wall clock), instead of reading the clock again. Ids stay strictly increasing whatever {@code now} does.
     */
    public void next(long now) {
        if (now > lastMillis) {
            lastMillis = now;
            sequence = 0;
        } else if (++sequence > 0xFFF) {
            // 4096 ids in one millisecond: borrow the next one to stay ordered (the clock catches up).
            lastMillis++;
            sequence = 0;
        }
        msb = (lastMillis << 16) | (0x7L << 12) | sequence;
    }

    public long msb() {
        return msb;
    }

    public long lsb() {
        return lsb;
    }

    /** Writes the current id as 36 ASCII characters (8-4-4-4-12 lower-case hex). */
    public void writeText(ByteBuf out) {
        writeText(out, msb, lsb);
    }

    public static void writeText(ByteBuf out, long msb, long lsb) {
        HexDigits.write8(out, msb >>> 32);
        out.writeByte('-');
        HexDigits.write4(out, msb >>> 16);
        out.writeByte('-');
        HexDigits.write4(out, msb);
        out.writeByte('-');
        HexDigits.write4(out, lsb >>> 48);
        out.writeByte('-');
        HexDigits.write4(out, lsb >>> 32);
        HexDigits.write8(out, lsb);
    }

    /** Writes the id as 36 ASCII characters into {@code dst} at {@code offset}. */
    public static void writeText(byte[] dst, int offset, long msb, long lsb) {
        int i = HexDigits.write8(dst, offset, msb >>> 32);
        dst[i++] = '-';
        i = HexDigits.write4(dst, i, msb >>> 16);
        dst[i++] = '-';
        i = HexDigits.write4(dst, i, msb);
        dst[i++] = '-';
        i = HexDigits.write4(dst, i, lsb >>> 48);
        dst[i++] = '-';
        i = HexDigits.write4(dst, i, lsb >>> 32);
        HexDigits.write8(dst, i, lsb);
    }

    public static String toText(long msb, long lsb) {
        byte[] b = new byte[TEXT_LENGTH];
        ByteBuf buf = Unpooled.wrappedBuffer(b);
        buf.writerIndex(0);
        writeText(buf, msb, lsb);
        return new String(b, StandardCharsets.US_ASCII);
    }
}
