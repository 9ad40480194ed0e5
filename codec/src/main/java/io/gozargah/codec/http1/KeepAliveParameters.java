package io.gozargah.codec.http1;

import io.netty.buffer.ByteBuf;

/**
 * The parameters of a response's {@code Keep-Alive} fields (RFC 2068 §19.7.1.1, kept by HTTP/1.1 servers such as
 * Apache httpd and many agencies' middleware): {@code timeout=N}, how many seconds the server keeps an idle
 * connection, and {@code max=M}, how many more requests it will take on it. Either may be missing ({@code -1}).
 * Parameters are separated by commas, names are case-insensitive, values are decimal digits, possibly quoted;
 * anything else is skipped (the field is advisory, and a proxy that refused a response over it would be worse than
 * one that ignored it). Reused: {@link #read} overwrites the last reading, and allocates nothing.
 */
public final class KeepAliveParameters {
    private static final int CAP = Integer.MAX_VALUE;

    private int timeoutSeconds = -1;
    private int max = -1;

    /** Reads the parameters of every {@code Keep-Alive} field of {@code headers}; the last of each wins. */
    public KeepAliveParameters read(HeaderBlock headers) {
        timeoutSeconds = -1;
        max = -1;
        for (int i = 0; i < headers.size(); i++) {
            if (headers.id(i) == KnownHeaders.KEEP_ALIVE) {
                parse(headers.buffer(), headers.valueStart(i), headers.valueStart(i) + headers.valueLength(i));
            }
        }
        return this;
    }

    /** The server's idle timeout in seconds, or -1 when it gave none. */
    public int timeoutSeconds() {
        return timeoutSeconds;
    }

    /** How many more requests the server takes on the connection, or -1 when it gave no limit. */
    public int max() {
        return max;
    }

    private void parse(ByteBuf buf, int from, int end) {
        int i = from;
        while (i < end) {
            while (i < end && (buf.getByte(i) == ' ' || buf.getByte(i) == '\t' || buf.getByte(i) == ',')) {
                i++;
            }
            int nameStart = i;
            while (i < end && buf.getByte(i) != '=' && buf.getByte(i) != ',') {
                i++;
            }
            int nameEnd = i;
            while (nameEnd > nameStart && (buf.getByte(nameEnd - 1) == ' ' || buf.getByte(nameEnd - 1) == '\t')) {
                nameEnd--;
            }
            if (i >= end || buf.getByte(i) != '=') {
                continue; // a parameter without a value, or the end
            }
            i++;
            while (i < end && (buf.getByte(i) == ' ' || buf.getByte(i) == '\t')) {
                i++;
            }
            boolean quoted = i < end && buf.getByte(i) == '"';
            if (quoted) {
                i++;
            }
            long value = 0;
            int digits = 0;
            while (i < end && buf.getByte(i) >= '0' && buf.getByte(i) <= '9') {
                value = Math.min(CAP, value * 10 + (buf.getByte(i) - '0'));
                digits++;
                i++;
            }
            if (quoted && i < end && buf.getByte(i) == '"') {
                i++;
            }
            boolean clean = digits > 0;
            while (i < end && buf.getByte(i) != ',') {
                if (buf.getByte(i) != ' ' && buf.getByte(i) != '\t') {
                    clean = false; // "timeout=5s" or the like: not a number we can trust
                }
                i++;
            }
            if (!clean) {
                continue;
            }
            if (named(buf, nameStart, nameEnd, "timeout")) {
                timeoutSeconds = (int) value;
            } else if (named(buf, nameStart, nameEnd, "max")) {
                max = (int) value;
            }
        }
    }

    private static boolean named(ByteBuf buf, int start, int end, String lowerName) {
        if (end - start != lowerName.length()) {
            return false;
        }
        for (int k = 0; k < lowerName.length(); k++) {
            int b = buf.getByte(start + k);
            if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != lowerName.charAt(k)) {
                return false;
            }
        }
        return true;
    }
}
