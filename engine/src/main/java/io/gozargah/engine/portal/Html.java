package io.gozargah.engine.portal;

/**
 * Writes text into HTML: every character that could open markup or close an attribute is escaped, so names,
 * titles and descriptions from the config, and anything from a request, show as typed and never as markup.
 */
final class Html {
    private Html() {
    }

    /** Appends {@code text} escaped for element content and for double- or single-quoted attribute values. */
    static StringBuilder text(StringBuilder out, String text) {
        if (text == null) {
            return out;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out;
    }

    /** {@code text} escaped. */
    static String escape(String text) {
        return text(new StringBuilder(text.length() + 16), text).toString();
    }

    /** Appends a query-string value: percent-encoded UTF-8 (then safe in an attribute as well). */
    static StringBuilder query(StringBuilder out, String value) {
        return out.append(java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8));
    }
}
