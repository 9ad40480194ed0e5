package io.gozargah.engine.demo;

/**
 * The Iranian national code (کد ملی): ten digits, the last a check digit over the first nine.
 * <p>
 * Check digit: multiply digits 1..9 by weights 10..2, sum, take {@code r = sum mod 11}; the check digit is
 * {@code r} when {@code r < 2}, otherwise {@code 11 - r}. Codes of ten equal digits satisfy the sum but are
 * never issued, so the registry rejects them as real validators do.
 */
public final class NationalCode {
    public static final int LENGTH = 10;

    private NationalCode() {
    }

    /** Exactly ten ASCII digits (leading zeros are significant: the code is a string, not a number). */
    public static boolean isWellFormed(String code) {
        if (code == null || code.length() != LENGTH) {
            return false;
        }
        for (int i = 0; i < LENGTH; i++) {
            char c = code.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** Well formed, check digit correct, and not ten equal digits. */
    public static boolean isValid(String code) {
        return isWellFormed(code) && !allSameDigit(code) && code.charAt(9) - '0' == checkDigit(code);
    }

    /** The check digit the first nine digits of {@code code} call for. */
    public static int checkDigit(CharSequence code) {
        int sum = 0;
        for (int i = 0; i < 9; i++) {
            sum += (code.charAt(i) - '0') * (10 - i);
        }
        int r = sum % 11;
        return r < 2 ? r : 11 - r;
    }

    private static boolean allSameDigit(String code) {
        for (int i = 1; i < LENGTH; i++) {
            if (code.charAt(i) != code.charAt(0)) {
                return false;
            }
        }
        return true;
    }
}
