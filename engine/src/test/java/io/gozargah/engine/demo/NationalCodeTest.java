package io.gozargah.engine.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NationalCodeTest {

    @Test
    void shouldComputeElevenMinusRemainderWhenRemainderIsTwoOrMore() {
        // 0*10 + 0*9 + 1*8 + 2*7 + 3*6 + 4*5 + 5*4 + 6*3 + 7*2 = 112; 112 mod 11 = 2; 11 - 2 = 9
        assertEquals(9, NationalCode.checkDigit("001234567"));
        assertTrue(NationalCode.isValid("0012345679"));
    }

    @Test
    void shouldUseRemainderItselfWhenBelowTwo() {
        // 1*10 + 2*9 + ... + 9*2 = 210; 210 mod 11 = 1
        assertEquals(1, NationalCode.checkDigit("123456789"));
        assertTrue(NationalCode.isValid("1234567891"));
        // 8*7 + 3*6 + 7*5 + 8*4 + 3*3 + 2*2 = 154 = 14 * 11: remainder 0, check digit 0
        assertEquals(0, NationalCode.checkDigit("000837832"));
        assertTrue(NationalCode.isValid("0008378320"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0012345678", "1234567890", "0012345670"})
    void shouldRejectWrongCheckDigit(String code) {
        assertTrue(NationalCode.isWellFormed(code));
        assertFalse(NationalCode.isValid(code));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0000000000", "1111111111", "5555555555"})
    void shouldRejectTenEqualDigitsThoughTheSumWorks(String code) {
        assertEquals(code.charAt(9) - '0', NationalCode.checkDigit(code));
        assertFalse(NationalCode.isValid(code));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "001234567", "00123456790", "001234567a", "۰۰۱۲۳۴۵۶۷۹", " 012345679", "-012345679"})
    void shouldRejectMalformed(String code) {
        assertFalse(NationalCode.isWellFormed(code));
        assertFalse(NationalCode.isValid(code));
    }

    @Test
    void shouldRejectNull() {
        assertFalse(NationalCode.isValid(null));
    }
}
