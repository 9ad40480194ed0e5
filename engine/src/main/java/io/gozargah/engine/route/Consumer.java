package io.gozargah.engine.route;

import io.netty.util.AsciiString;

import java.nio.charset.StandardCharsets;

/** An authenticated caller in a snapshot, with its grants as a bitmap over service ids. */
public final class Consumer {
    private final int id;
    private final String name;
    private final byte[] headerLine;
    private final AsciiString headerValue;
    private final long[] grants;
    private final int journalId;

    Consumer(int id, String name, long[] grants, int journalId) {
        this.id = id;
        this.name = name;
        this.journalId = journalId;
        this.headerLine = ("X-Gozargah-Consumer: " + name + "\r\n").getBytes(StandardCharsets.US_ASCII);
        this.headerValue = new AsciiString(name);
        this.grants = grants;
    }

    /** Dense id within its snapshot, 0-based, in config order: index into per-consumer admission state. */
    public int id() {
        return id;
    }

    public String name() {
        return name;
    }

    /** The consumer's journal dictionary id (0 when the journal is off). */
    public int journalId() {
        return journalId;
    }

    /** {@code X-Gozargah-Consumer: <name>\r\n}, rendered once. */
    public byte[] headerLine() {
        return headerLine;
    }

    /** The {@code X-Gozargah-Consumer} value for an HTTP/2 provider, made once. */
    public AsciiString headerValue() {
        return headerValue;
    }

    public boolean granted(ServiceRoute service) {
        int id = service.id();
        return (grants[id >>> 6] & (1L << id)) != 0;
    }
}
