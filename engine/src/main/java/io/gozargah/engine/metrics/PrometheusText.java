package io.gozargah.engine.metrics;

/**
 * Writes the Prometheus text exposition format, version 0.0.4: per family one {@code # HELP} and one
 * {@code # TYPE} line, then its samples, each {@code name{label="value",...} value}. Label values escape
 * backslash, double quote and line feed; HELP text escapes backslash and line feed (the format's only escapes).
 * Samples of one family must be written together, after its {@link #family} call.
 */
public final class PrometheusText {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder out;

    public PrometheusText(StringBuilder out) {
        this.out = out;
    }

    /** Starts a family: {@code type} is counter, gauge, summary, histogram or untyped. */
    public PrometheusText family(String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ');
        for (int i = 0; i < help.length(); i++) {
            char c = help.charAt(i);
            if (c == '\\') {
                out.append("\\\\");
            } else if (c == '\n') {
                out.append("\\n");
            } else {
                out.append(c);
            }
        }
        out.append('\n').append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    /** Whole families already in this format (another writer's exposition), appended as they are. */
    public PrometheusText raw(String families) {
        out.append(families);
        return this;
    }

    /** One sample; {@code labels} alternate names and values. */
    public PrometheusText sample(String name, long value, String... labels) {
        head(name, labels).append(value).append('\n');
        return this;
    }

    public PrometheusText sample(String name, double value, String... labels) {
        head(name, labels).append(number(value)).append('\n');
        return this;
    }

    private StringBuilder head(String name, String[] labels) {
        out.append(name);
        if (labels.length > 0) {
            out.append('{');
            for (int i = 0; i + 1 < labels.length; i += 2) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(labels[i]).append("=\"");
                escapeLabelValue(labels[i + 1]);
                out.append('"');
            }
            out.append('}');
        }
        return out.append(' ');
    }

    private void escapeLabelValue(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    /** A float as Go's ParseFloat (Prometheus) reads it: NaN, +Inf, -Inf, or Java's decimal form. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    /** Microseconds as seconds, exactly (no binary rounding in the text): 2500 is "0.0025". */
    static String seconds(long micros) {
        return java.math.BigDecimal.valueOf(micros, 6).stripTrailingZeros().toPlainString();
    }
}
