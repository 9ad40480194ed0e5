package io.gozargah.codec.journal;

import org.agrona.DirectBuffer;

/** The bounds checks the journal flyweights share: a buffer region before wrapping it, a value before storing it. */
final class Bounds {
    private Bounds() {
    }

    /** Throws unless {@code length} bytes at {@code offset} fit in {@code buffer}; {@code what} names them. */
    static void check(DirectBuffer buffer, int offset, int length, String what) {
        if (offset < 0 || offset > buffer.capacity() - length) {
            throw new IndexOutOfBoundsException("a " + length + "-byte " + what + " at " + offset
                    + " does not fit a buffer of capacity " + buffer.capacity());
        }
    }

    /** {@code value}, unless it does not fit in 16 unsigned bits; {@code name} names the field. */
    static int u16(int value, String name) {
        if ((value & ~0xFFFF) != 0) {
            throw new IllegalArgumentException(name + " " + value + " does not fit in 16 unsigned bits");
        }
        return value;
    }

    /** {@code value}, unless it does not fit in 8 unsigned bits; {@code name} names the field. */
    static int u8(int value, String name) {
        if ((value & ~0xFF) != 0) {
            throw new IllegalArgumentException(name + " " + value + " does not fit in a byte");
        }
        return value;
    }
}
