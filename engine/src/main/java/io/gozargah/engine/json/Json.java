package io.gozargah.engine.json;

import java.util.Collection;
import java.util.Map;

/**
 * Writes the small JSON documents the demo providers and the admin API answer with (RFC 8259): objects of
 * strings, numbers, booleans, lists and nested objects. Non-ASCII text is written as is; the response is UTF-8.
 */
public final class Json {

    private Json() {
    }

    public static String write(Map<String, ?> object) {
        StringBuilder out = new StringBuilder(256);
        writeObject(out, object);
        return out.toString();
    }

    private static void writeObject(StringBuilder out, Map<?, ?> object) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : object.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            writeString(out, e.getKey().toString());
            out.append(':');
            writeValue(out, e.getValue());
        }
        out.append('}');
    }

    private static void writeValue(StringBuilder out, Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Map<?, ?> map) {
            writeObject(out, map);
        } else if (value instanceof Collection<?> list) {
            out.append('[');
            boolean first = true;
            for (Object item : list) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                writeValue(out, item);
            }
            out.append(']');
        } else if (value instanceof Number || value instanceof Boolean) {
            out.append(value);
        } else {
            writeString(out, value.toString());
        }
    }

    /**
     * Appends {@code s} as a JSON string: RFC 8259 §7, quote, backslash and control characters escaped;
     * everything else, Persian included, as is.
     */
    public static void writeString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
