package io.gozargah.engine.exchange;

import io.netty.util.AsciiString;

/**
 * Where the driver and its stages add response header fields, whatever the protocol renders them as (HTTP/1.1 field
 * lines, or HTTP/2 HEADERS entries).
 */
public interface HeaderSink {
    void header(AsciiString name, long value);

    /**
     * {@code value} is ASCII bytes, which must stay as they are until the head being rendered is written (the stage's
     * call and the front end's write of the head are one call of the driver); a sink that keeps them longer copies
     * them (the array may be reused after).
     */
    void header(AsciiString name, byte[] value, int offset, int length);

    /** {@code value} is ASCII that never changes (a constant, a String): a sink may keep it as it is. */
    void header(AsciiString name, CharSequence value);
}
