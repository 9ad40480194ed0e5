package io.gozargah.engine.exchange;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.function.LongSupplier;

/**
 * Generator of 128-bit, time-ordered transaction ids in the layout of a UUIDv7 (RFC 9562 §5.7): 48 bits
 * of Unix milliseconds, version 7, 12 bits of a per-generator sequence, the variant, and 62 bits of which
 * 16 identify the generator (random per instance) and 46 continue the sequence. Ids from one generator
 * strictly increase; ids from different generators order by millisecond and never collide.
 *
 * <p>One instance per event loop: not thread-safe, and no contention by design. Rendering writes ASCII
 * straight into a buffer, so the hot path creates no String.
 */
public final class TransactionIds {
    private static final SecureRandom SEEDS = new SecureRandom();
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** Length of the canonical 8-4-4-4-12 rendering. */
    public static final int TEXT_LENGTH = 36;

    private final LongSupplier clockMillis;
    private final long generatorBits;
    private long lastMillis;
    private long sequence;

    private long msb;
    private long lsb;

    public TransactionIds() {
        this(System::currentTimeMillis);
    }

    public TransactionIds(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
        this.generatorBits = (SEEDS.nextInt() & 0xFFFFL) << 46;
        this.sequence = SEEDS.nextInt() & 0xFFFL;
    }

    /** Makes the next id; read it with {@link #msb()}, {@link #lsb()} or {@link #writeText}. */
    public void next() {
        long now = clockMillis.getAsLong();
        if (now > lastMillis) {
            lastMillis = now;
            sequence = 0;
        } else {
            sequence++;
            if (sequence >= (1L << 58)) {
                // 2^58 ids within one millisecond cannot happen; borrow the next millisecond to stay ordered.
                lastMillis++;
                sequence = 0;
            }
        }
        long seqHigh = (sequence >>> 46) & 0xFFFL;
        long seqLow = sequence & ((1L << 46) - 1);
        msb = (lastMillis << 16) | (0x7L << 12) | seqHigh;
        lsb = (0x2L << 62) | generatorBits | seqLow;
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
        hex(out, msb >>> 32, 8);
        out.writeByte('-');
        hex(out, msb >>> 16, 4);
        out.writeByte('-');
        hex(out, msb, 4);
        out.writeByte('-');
        hex(out, lsb >>> 48, 4);
        out.writeByte('-');
        hex(out, lsb, 12);
    }

    public static String toText(long msb, long lsb) {
        byte[] b = new byte[TEXT_LENGTH];
        ByteBuf buf = Unpooled.wrappedBuffer(b);
        buf.writerIndex(0);
        writeText(buf, msb, lsb);
        return new String(b, StandardCharsets.US_ASCII);
    }

    private static void hex(ByteBuf out, long value, int digits) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            out.writeByte(HEX[(int) ((value >>> shift) & 0xF)]);
        }
    }
}
