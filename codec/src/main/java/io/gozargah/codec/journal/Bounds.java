package io.gozargah.codec.journal;

import org.agrona.DirectBuffer;

/** The one bounds check the journal flyweights share before wrapping a buffer region. */
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
}
