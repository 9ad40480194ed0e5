package io.gozargah.engine.cache;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;

import java.util.Arrays;

/**
 * A cache key as bytes: the parts of the request its service's cache settings name, each ended by a zero byte
 * (which no request-target, consumer name or header value holds, so parts cannot run into each other):
 * <pre>  [path][?query] 0x00 [consumer] 0x00 [value of each vary header] 0x00 ...</pre>
 * The first part, up to the first zero byte, is the request's path and query as the key has them: what
 * {@code DELETE /admin/cache/...?key=} names.
 *
 * <p>Two uses. A <em>probe</em>, one per exchange driver, is rebuilt for every request ({@link #clear}, the
 * {@code append} methods, {@link #seal}) without allocating; it is only ever looked up, never stored. A stored key
 * is a {@link #copy} of a probe, exact in size and never changed again. Both compare equal by their bytes.
 */
public final class CacheKey {
    private static final int INITIAL_BYTES = 128;

    private byte[] bytes;
    private int length;
    private int hash;

    /** An empty probe. */
    public CacheKey() {
        this.bytes = new byte[INITIAL_BYTES];
    }

    private CacheKey(byte[] bytes, int hash) {
        this.bytes = bytes;
        this.length = bytes.length;
        this.hash = hash;
    }

    /** A stored key of {@code text}'s bytes (ISO-8859-1), sealed: for tests and the admin's purge. */
    public static CacheKey of(String text) {
        CacheKey k = new CacheKey();
        k.append(new AsciiString(text));
        return k.seal();
    }

    public CacheKey clear() {
        length = 0;
        hash = 0;
        return this;
    }

    /** Appends {@code length} bytes of {@code buf} from {@code index}. */
    public CacheKey append(ByteBuf buf, int index, int length) {
        ensure(length);
        buf.getBytes(index, bytes, this.length, length);
        this.length += length;
        return this;
    }

    /** Appends {@code value}'s chars as bytes (header values are ISO-8859-1). */
    public CacheKey append(CharSequence value) {
        int n = value.length();
        ensure(n);
        if (value instanceof AsciiString a) {
            System.arraycopy(a.array(), a.arrayOffset(), bytes, length, n);
        } else {
            for (int i = 0; i < n; i++) {
                bytes[length + i] = (byte) value.charAt(i);
            }
        }
        length += n;
        return this;
    }

    public CacheKey append(byte[] value) {
        ensure(value.length);
        System.arraycopy(value, 0, bytes, length, value.length);
        length += value.length;
        return this;
    }

    /** Ends a part. */
    public CacheKey endPart() {
        ensure(1);
        bytes[length++] = 0;
        return this;
    }

    /** Computes the hash: the key is complete. */
    public CacheKey seal() {
        int h = 1;
        for (int i = 0; i < length; i++) {
            h = 31 * h + bytes[i];
        }
        hash = h;
        return this;
    }

    /** A stored key with this probe's bytes. */
    public CacheKey copy() {
        return new CacheKey(Arrays.copyOf(bytes, length), hash);
    }

    public int length() {
        return length;
    }

    /** Whether this key's first part (path and query) is {@code first}'s bytes. */
    public boolean firstPartEquals(byte[] first) {
        return length > first.length && bytes[first.length] == 0
                && Arrays.equals(bytes, 0, first.length, first, 0, first.length);
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof CacheKey k) || k.hash != hash || k.length != length) {
            return false;
        }
        return Arrays.equals(bytes, 0, length, k.bytes, 0, length);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(bytes[i] == 0 ? '|' : (char) (bytes[i] & 0xFF));
        }
        return s.toString();
    }
}
