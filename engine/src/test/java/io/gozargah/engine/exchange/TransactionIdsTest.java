package io.gozargah.engine.exchange;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransactionIdsTest {

    @Test
    void shouldIncreaseStrictlyWithinOneMillisecondAndBeyondItsSequence() {
        long[] clock = {1_700_000_000_000L};
        TransactionIds ids = new TransactionIds(() -> clock[0]);
        ids.next();
        long prevMsb = ids.msb();
        for (int i = 0; i < 10_000; i++) { // more than 4096 in the same millisecond
            ids.next();
            assertTrue(Long.compareUnsigned(ids.msb(), prevMsb) > 0, "strictly increasing at " + i);
            prevMsb = ids.msb();
        }
        clock[0] += 1; // the clock lags behind the borrowed milliseconds: still increasing
        ids.next();
        assertTrue(Long.compareUnsigned(ids.msb(), prevMsb) > 0);
    }

    @Test
    void shouldRenderAsUuidVersion7WithTimestamp() {
        long now = 1_764_000_000_123L;
        TransactionIds ids = new TransactionIds(() -> now);
        ids.next();
        String text = TransactionIds.toText(ids.msb(), ids.lsb());
        assertEquals(TransactionIds.TEXT_LENGTH, text.length());
        UUID uuid = UUID.fromString(text);
        assertEquals(7, uuid.version());
        assertEquals(2, uuid.variant());
        assertEquals(now, uuid.getMostSignificantBits() >>> 16);
        assertEquals(ids.lsb(), uuid.getLeastSignificantBits());
        byte[] bytes = new byte[40];
        TransactionIds.writeText(bytes, 2, ids.msb(), ids.lsb());
        assertEquals(text, new String(bytes, 2, TransactionIds.TEXT_LENGTH, java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void shouldNotCollideAcrossGenerators() {
        Set<String> seen = new HashSet<>();
        for (int g = 0; g < 64; g++) {
            TransactionIds ids = new TransactionIds(() -> 42L);
            for (int i = 0; i < 100; i++) {
                ids.next();
                seen.add(TransactionIds.toText(ids.msb(), ids.lsb()));
            }
        }
        assertEquals(64 * 100, seen.size());
        assertNotEquals(new TransactionIds().lsb(), new TransactionIds().lsb());
    }

    @Test
    void shouldTakeTheMillisecondItIsGivenAndStillIncreaseWhenItGoesBack() {
        TransactionIds ids = new TransactionIds(() -> {
            throw new AssertionError("the generator's own clock is not read when the caller gives the time");
        });
        long start = 1_764_000_000_123L;
        ids.next(start);
        assertEquals(start, ids.msb() >>> 16);
        long prevMsb = ids.msb();
        ids.next(start - 5); // the wall clock stepped back: ordered after the previous id all the same
        assertTrue(Long.compareUnsigned(ids.msb(), prevMsb) > 0);
        assertEquals(start, ids.msb() >>> 16);
        ids.next(start + 7);
        assertEquals(start + 7, ids.msb() >>> 16);
        assertEquals(0, ids.msb() & 0xFFF, "a new millisecond starts its sequence again");
    }

    @Test
    void shouldWriteTheSameTextAsUuidAtAnyOffset() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(36);
        byte[] bytes = new byte[TransactionIds.TEXT_LENGTH + 9];
        for (int n = 0; n < 10_000; n++) {
            long msb = n == 0 ? 0 : n == 1 ? -1 : random.nextLong();
            long lsb = n == 0 ? 0 : n == 1 ? -1 : random.nextLong();
            int offset = n % 9;
            java.util.Arrays.fill(bytes, (byte) '#');
            TransactionIds.writeText(bytes, offset, msb, lsb);
            assertEquals(new UUID(msb, lsb).toString(),
                    new String(bytes, offset, TransactionIds.TEXT_LENGTH, java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals(TransactionIds.toText(msb, lsb),
                    new String(bytes, offset, TransactionIds.TEXT_LENGTH, java.nio.charset.StandardCharsets.US_ASCII));
            for (int k = 0; k < bytes.length; k++) {
                if (k < offset || k >= offset + TransactionIds.TEXT_LENGTH) {
                    assertEquals('#', bytes[k], "nothing outside the text is written");
                }
            }
        }
    }
}
