package io.gozargah.engine.exchange;

import io.netty.util.AsciiString;

/** Where an {@link ExchangeStage} adds response header fields, whatever the protocol renders them as. */
public interface HeaderSink {
    void header(AsciiString name, long value);

    /**
     * {@code value} is ASCII bytes, which must stay as they are until the head being rendered is written (the stage's
     * call and the front end's write of the head are one call of the driver); a sink that keeps them longer copies
     * them (the array may be reused after).
     */
    void header(AsciiString name, byte[] value, int offset, int length);
}
