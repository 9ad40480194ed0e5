package io.gozargah.engine.exchange;

import io.netty.util.AsciiString;

/** Where an {@link ExchangeStage} adds response header fields, whatever the protocol renders them as. */
public interface HeaderSink {
    void header(AsciiString name, long value);

    /** {@code value} is ASCII bytes; the sink copies them (the array may be reused). */
    void header(AsciiString name, byte[] value, int offset, int length);
}
