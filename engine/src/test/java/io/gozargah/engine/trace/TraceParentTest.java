package io.gozargah.engine.trace;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TraceParentTest {
    private static final long TX_MSB = 0x0192_3456_789a_7bcdL;
    private static final long TX_LSB = 0x8123_4567_89ab_cdefL;
    private static final String OWN = "00-01923456789a7bcd8123456789abcdef-80b17131f131b622-01";
    private static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void shouldStartItsOwnTraceFromTheTransactionIdWhenTheConsumerSentNone() {
        TraceParent t = started();
        assertEquals(OWN, value(t));
        assertFalse(t.fromConsumer());
        assertEquals("traceparent: " + OWN + "\r\n", new String(t.line(), StandardCharsets.US_ASCII));
    }

    @Test
    void shouldKeepAConsumersTraceIdAndFlagsWithTheGatewayAsParent() {
        TraceParent t = started();
        t.accept(VALID);
        assertTrue(t.fromConsumer());
        assertEquals("00-4bf92f3577b34da6a3ce929d0e0e4736-80b17131f131b622-01", value(t));
        assertEquals(0x4bf92f3577b34da6L, t.traceIdHigh());
        assertEquals(0xa3ce929d0e0e4736L, t.traceIdLow());

        TraceParent unsampled = started();
        unsampled.accept(VALID.substring(0, 53) + "00");
        assertEquals("00-4bf92f3577b34da6a3ce929d0e0e4736-80b17131f131b622-00", value(unsampled));
    }

    @Test
    void shouldReadTheSameFromBytesAsFromCharacters() {
        TraceParent t = started();
        ByteBuf buf = Unpooled.copiedBuffer("xx" + VALID + "yy", StandardCharsets.US_ASCII);
        try {
            t.accept(buf, 2, VALID.length());
        } finally {
            buf.release();
        }
        assertTrue(t.fromConsumer());
        assertEquals("00-4bf92f3577b34da6a3ce929d0e0e4736-80b17131f131b622-01", value(t));
    }

    @Test
    void shouldKeepOnlyTheSampledFlag() {
        TraceParent t = started();
        t.accept(VALID.substring(0, 53) + "ff");
        assertTrue(value(t).endsWith("-01"), value(t));
    }

    @Test
    void shouldReadALaterVersionAsVersion00AndSendVersion00() {
        TraceParent t = started();
        t.accept("cc" + VALID.substring(2) + "-what-the-future-adds");
        assertTrue(t.fromConsumer());
        assertEquals("00-4bf92f3577b34da6a3ce929d0e0e4736-80b17131f131b622-01", value(t));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01",
        "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
        "0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    })
    void shouldReplaceAMalformedValueWithItsOwnTrace(String malformed) {
        TraceParent t = started();
        t.accept(malformed);
        assertFalse(t.fromConsumer(), malformed);
        assertEquals(OWN, value(t), malformed);
    }

    @Test
    void shouldReplaceTwoFieldsEvenIfBothAreValid() {
        TraceParent t = started();
        t.accept(VALID);
        t.accept(VALID);
        assertFalse(t.fromConsumer());
        assertEquals(OWN, value(t));
    }

    @Test
    void shouldForgetThePreviousExchangesTrace() {
        TraceParent t = started();
        t.accept(VALID);
        value(t);
        t.start(TX_MSB, TX_LSB);
        assertFalse(t.fromConsumer());
        assertEquals(OWN, value(t));
    }

    @Test
    void shouldGiveEachExchangeOfAGeneratorASpanOfItsOwn() {
        // One generator's ids share their low half (its random bits) and differ in the high one (time, sequence).
        TraceParent t = started();
        t.accept(VALID);
        String first = value(t);
        t.start(TX_MSB + 1, TX_LSB);
        t.accept(VALID);
        String second = value(t);
        assertEquals(first.substring(0, 36), second.substring(0, 36), "the consumer's trace");
        assertFalse(first.substring(36, 52).equals(second.substring(36, 52)), first + " and " + second);
    }

    private static TraceParent started() {
        TraceParent t = new TraceParent();
        t.start(TX_MSB, TX_LSB);
        return t;
    }

    private static String value(TraceParent t) {
        return new String(t.value(), t.valueOffset(), TraceParent.VALUE_LENGTH, StandardCharsets.US_ASCII);
    }

    @Test
    void shouldRenderEveryDigitAsLowerCaseHex() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(16);
        long[] edges = {0L, -1L, 0x0123_4567_89ab_cdefL, 0xfedc_ba98_7654_3210L, 0x0a0a_0a0a_0909_0909L,
                0x9a9a_9a9a_a9a9_a9a9L, Long.MIN_VALUE, Long.MAX_VALUE};
        for (int n = 0; n < 10_000; n++) {
            long msb = n < edges.length ? edges[n] : random.nextLong();
            long lsb = n < edges.length ? edges[edges.length - 1 - n] : random.nextLong();
            TraceParent t = new TraceParent();
            t.start(msb, lsb);
            String expected = String.format("00-%016x%016x-%016x-01", msb, lsb, msb ^ lsb);
            assertEquals(expected, value(t), "for " + Long.toHexString(msb) + " " + Long.toHexString(lsb));
        }
        for (int v = 0; v < 16; v++) {
            assertEquals(String.format("%08x", v * 0x1111_1111L),
                    new String(java.nio.ByteBuffer.allocate(8).putLong(HexDigits.digits(v * 0x1111_1111L)).array(),
                            StandardCharsets.US_ASCII));
        }
    }
}
