package io.gozargah.engine.exchange;

import io.gozargah.codec.http1.HeaderBlock;
import io.gozargah.codec.http1.Http1Writer;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

/**
 * Lower-case field names for the HEADERS the gateway writes (RFC 9113 §8.2: names are lower case), to consumers and
 * to HTTP/2 providers,
 * made once per distinct name rather than once per field: a provider sends the same few names in every response,
 * and the stages add the same constants to every answer. A fixed table indexed by the name's hash; a collision
 * replaces the entry, so the table never grows.
 *
 * <p>The table is shared by every event loop without a lock. A slot holds a reference to an immutable
 * {@link AsciiString} (its fields are final, so a loop that reads another loop's reference sees the whole name);
 * two loops writing one slot at once leave either name there, and a loop reading it compares before using it.
 */
public final class FieldNames {
    private static final int SIZE = 512;
    private static final AsciiString[] NAMES = new AsciiString[SIZE];

    private FieldNames() {
    }

    /**
     * Adds the fields of {@code headers} that {@code keep} passes to {@code out}, names in lower case; each value is
     * copied, since HPACK's dynamic table may keep it past the message.
     */
    public static void addAll(HeaderBlock headers, Http1Writer.HeaderFilter keep, Http2Headers out) {
        ByteBuf buf = headers.buffer();
        for (int i = 0; i < headers.size(); i++) {
            if (keep.keep(headers, i)) {
                byte[] value = new byte[headers.valueLength(i)];
                buf.getBytes(headers.valueStart(i), value);
                out.add(lowerCase(buf, headers.nameStart(i), headers.nameLength(i)), new AsciiString(value, false));
            }
        }
    }

    /** The lower-case name held by {@code length} bytes of {@code buf} at {@code start}. */
    public static AsciiString lowerCase(ByteBuf buf, int start, int length) {
        int hash = 0;
        for (int i = 0; i < length; i++) {
            hash = 31 * hash + lower(buf.getByte(start + i));
        }
        int slot = (hash ^ (hash >>> 16)) & (SIZE - 1);
        AsciiString cached = NAMES[slot];
        if (cached != null && sameLowerCase(cached, buf, start, length)) {
            return cached;
        }
        byte[] name = new byte[length];
        for (int i = 0; i < length; i++) {
            name[i] = lower(buf.getByte(start + i));
        }
        AsciiString made = new AsciiString(name, false);
        NAMES[slot] = made;
        return made;
    }

    /** The lower-case form of {@code name} (one of the stages' constants, as a rule). */
    public static AsciiString lowerCase(AsciiString name) {
        int hash = 0;
        byte[] bytes = name.array();
        int offset = name.arrayOffset();
        int length = name.length();
        for (int i = 0; i < length; i++) {
            hash = 31 * hash + lower(bytes[offset + i]);
        }
        int slot = (hash ^ (hash >>> 16)) & (SIZE - 1);
        AsciiString cached = NAMES[slot];
        if (cached != null && cached.length() == length && cached.contentEqualsIgnoreCase(name)) {
            return cached;
        }
        AsciiString made = name.toLowerCase();
        NAMES[slot] = made;
        return made;
    }

    private static boolean sameLowerCase(AsciiString cached, ByteBuf buf, int start, int length) {
        if (cached.length() != length) {
            return false;
        }
        byte[] bytes = cached.array();
        int offset = cached.arrayOffset();
        for (int i = 0; i < length; i++) {
            if (bytes[offset + i] != lower(buf.getByte(start + i))) {
                return false;
            }
        }
        return true;
    }

    private static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }
}
