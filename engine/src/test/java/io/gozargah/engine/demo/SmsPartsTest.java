package io.gozargah.engine.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SmsPartsTest {

    @ParameterizedTest(name = "{1} x ''{0}'' -> {2} parts")
    @CsvSource({
            "a, 1, 1",
            "a, 160, 1",
            "a, 161, 2",
            "a, 306, 2",
            "a, 307, 3",
            "س, 70, 1",
            "س, 71, 2",
            "س, 134, 2",
            "س, 135, 3",
            "{, 80, 1", // extension-table characters take two septets
            "{, 81, 2",
    })
    void shouldCountPartsBySegmentSize(String unit, int repeat, int parts) {
        assertEquals(parts, SmsParts.count(unit.repeat(repeat)));
    }

    @Test
    void shouldSendAsUcs2WhenOneCharacterIsOutsideGsm() {
        String latin = "a".repeat(100);
        assertEquals(1, SmsParts.count(latin));
        assertEquals(2, SmsParts.count(latin + "ی"));
    }
}
