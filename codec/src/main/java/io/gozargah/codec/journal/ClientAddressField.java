package io.gozargah.codec.journal;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The 16-byte client address field the journal's records share, with the flag bit that says whether it holds
 * IPv6: network order, IPv6 as it is, IPv4 as an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}, RFC 4291
 * §2.5.5.2). Static functions over a buffer, the record's flags word and the field's offset, as Agrona's
 * {@code RecordDescriptor} is.
 */
final class ClientAddressField {
    static final int LENGTH = 16;
    static final int IPV4_LENGTH = 4;
    /** Bytes 10 and 11 of an IPv4-mapped IPv6 address; bytes 0 to 9 are zero. */
    private static final int IPV4_MAPPED_MARKER_OFFSET = 10;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private ClientAddressField() {
    }

    /** Writes {@code a.b.c.d} (as the int {@code a << 24 | b << 16 | c << 8 | d}) at {@code at}; clears the flag. */
    static void putIpv4(MutableDirectBuffer b, int at, int flagsAt, int ipv6Flag, int address) {
        b.setMemory(at, IPV4_MAPPED_MARKER_OFFSET, (byte) 0);
        b.putByte(at + IPV4_MAPPED_MARKER_OFFSET, (byte) 0xFF);
        b.putByte(at + IPV4_MAPPED_MARKER_OFFSET + 1, (byte) 0xFF);
        b.putInt(at + LENGTH - IPV4_LENGTH, address, ByteOrder.BIG_ENDIAN);
        setFlag(b, flagsAt, ipv6Flag, false);
    }

    /** The IPv4 address of the field at {@code at} as an int; meaningful when the flag is clear. */
    static int ipv4(DirectBuffer b, int at) {
        return b.getInt(at + LENGTH - IPV4_LENGTH, ByteOrder.BIG_ENDIAN);
    }

    /**
     * Writes an address from its network-order bytes, as {@code InetAddress.getAddress()} returns them: 4 bytes
     * for IPv4, 16 for IPv6.
     */
    static void put(MutableDirectBuffer b, int at, int flagsAt, int ipv6Flag, byte[] address) {
        if (address.length == IPV4_LENGTH) {
            putIpv4(b, at, flagsAt, ipv6Flag,
                    (address[0] & 0xFF) << 24 | (address[1] & 0xFF) << 16 | (address[2] & 0xFF) << 8 | address[3] & 0xFF);
            return;
        }
        if (address.length != LENGTH) {
            throw new IllegalArgumentException("a client address is 4 or 16 bytes, not " + address.length);
        }
        b.putBytes(at, address);
        setFlag(b, flagsAt, ipv6Flag, true);
    }

    /** Copies the address into {@code dst} in its native form, 4 bytes for IPv4 or 16 for IPv6; returns how many. */
    static int get(DirectBuffer b, int at, boolean ipv6, byte[] dst, int dstOffset) {
        if (ipv6) {
            b.getBytes(at, dst, dstOffset, LENGTH);
            return LENGTH;
        }
        b.getBytes(at + LENGTH - IPV4_LENGTH, dst, dstOffset, IPV4_LENGTH);
        return IPV4_LENGTH;
    }

    private static void setFlag(MutableDirectBuffer b, int flagsAt, int flag, boolean on) {
        int flags = b.getShort(flagsAt, ORDER) & 0xFFFF;
        flags = on ? flags | flag : flags & ~flag;
        b.putShort(flagsAt, (short) flags, ORDER);
    }
}
