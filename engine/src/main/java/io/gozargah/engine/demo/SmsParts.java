package io.gozargah.engine.demo;

/**
 * How many SMS parts a text takes (3GPP TS 23.038 alphabets, TS 23.040 concatenation). Text that fits the GSM
 * 7-bit default alphabet is sent as such: 160 characters in one part, characters of the extension table
 * ({@code ^{}\[~]|€}, form feed) counting twice. Anything else, Persian included, goes as UCS-2: 70 characters
 * in one part. A longer message is split and each part loses room to the concatenation header: 153 septets
 * or 67 UCS-2 characters per part.
 */
public final class SmsParts {
    static final int GSM_SINGLE = 160;
    static final int GSM_PER_PART = 153;
    static final int UCS2_SINGLE = 70;
    static final int UCS2_PER_PART = 67;

    private static final String GSM_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
            + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    private static final String GSM_EXTENSION = "\f^{}\\[~]|€";

    private SmsParts() {
    }

    /** Parts needed for {@code text}; 1 for the empty text. */
    public static int count(String text) {
        int septets = gsmSeptets(text);
        if (septets >= 0) {
            return septets <= GSM_SINGLE ? 1 : ceilDiv(septets, GSM_PER_PART);
        }
        int units = text.length(); // UCS-2 code units; a character outside the BMP takes two, as on the air
        return units <= UCS2_SINGLE ? 1 : ceilDiv(units, UCS2_PER_PART);
    }

    /** Septets in the GSM 7-bit alphabet, or -1 when the text needs UCS-2. */
    private static int gsmSeptets(String text) {
        int septets = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (GSM_BASIC.indexOf(c) >= 0) {
                septets += 1;
            } else if (GSM_EXTENSION.indexOf(c) >= 0) {
                septets += 2;
            } else {
                return -1;
            }
        }
        return septets;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
