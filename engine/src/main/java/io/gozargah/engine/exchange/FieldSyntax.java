package io.gozargah.engine.exchange;

/**
 * The one check of field names and values that cross between HTTP/1.1 and HTTP/2, whichever way: what an HTTP/2
 * field may hold (RFC 9113 §8.2.1) is what can be written as an HTTP/1.1 field line unchanged, and nothing in it
 * can end a line early or smuggle another field in.
 */
public final class FieldSyntax {
    private static final String TOKEN_PUNCTUATION = "!#$%&'*+-.^_`|~";

    private FieldSyntax() {
    }

    /** A lower-case token (RFC 9110 §5.1, RFC 9113 §8.2.1). */
    public static boolean validName(CharSequence name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || TOKEN_PUNCTUATION.indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return name.length() > 0;
    }

    /** RFC 9113 §8.2.1: no NUL, CR or LF anywhere, no leading or trailing whitespace; one byte per character. */
    public static boolean validValue(CharSequence value) {
        int n = value.length();
        if (n > 0 && (isSpace(value.charAt(0)) || isSpace(value.charAt(n - 1)))) {
            return false;
        }
        return lineSafe(value);
    }

    /**
     * Whether {@code text} can be written into an HTTP/1.1 field line without ending it or the head: no NUL, CR or
     * LF, and one byte per character. The least any field from an HTTP/2 peer must meet before it is rendered.
     */
    public static boolean lineSafe(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0 || c == '\r' || c == '\n' || c > 0xFF) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }
}
