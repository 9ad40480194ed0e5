package io.gozargah.engine.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A fixed-width text table for terminals: a header row, a rule, rows, optionally a rule and a footer row.
 * Columns are two spaces apart; numeric columns are right-aligned. Widths count what a terminal shows: code
 * points, less combining marks and format characters (Persian names carry zero-width non-joiners).
 */
final class TextTable {
    private static final String GAP = "  ";

    private final String[] headers;
    private final boolean[] right;
    private final List<String[]> rows = new ArrayList<>();
    private String[] footer;

    /** Columns by header; a header starting with {@code >} is right-aligned (the mark is not printed). */
    TextTable(String... headers) {
        this.headers = new String[headers.length];
        this.right = new boolean[headers.length];
        for (int i = 0; i < headers.length; i++) {
            right[i] = headers[i].startsWith(">");
            this.headers[i] = right[i] ? headers[i].substring(1) : headers[i];
        }
    }

    TextTable row(String... cells) {
        rows.add(check(cells));
        return this;
    }

    TextTable footer(String... cells) {
        footer = check(cells);
        return this;
    }

    void render(StringBuilder out) {
        int[] widths = new int[headers.length];
        widen(widths, headers);
        rows.forEach(row -> widen(widths, row));
        if (footer != null) {
            widen(widths, footer);
        }
        line(out, widths, headers);
        rule(out, widths);
        rows.forEach(row -> line(out, widths, row));
        if (footer != null) {
            rule(out, widths);
            line(out, widths, footer);
        }
    }

    /** Columns a terminal uses for {@code text}. */
    static int width(String text) {
        int width = 0;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            int type = Character.getType(c);
            if (type != Character.NON_SPACING_MARK && type != Character.ENCLOSING_MARK && type != Character.FORMAT) {
                width++;
            }
        }
        return width;
    }

    private String[] check(String[] cells) {
        if (cells.length != headers.length) {
            throw new IllegalArgumentException(cells.length + " cells for " + headers.length + " columns");
        }
        return cells;
    }

    private static void widen(int[] widths, String[] cells) {
        for (int i = 0; i < cells.length; i++) {
            widths[i] = Math.max(widths[i], width(cells[i]));
        }
    }

    private void line(StringBuilder out, int[] widths, String[] cells) {
        int start = out.length();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                out.append(GAP);
            }
            int pad = widths[i] - width(cells[i]);
            if (right[i]) {
                out.append(" ".repeat(pad)).append(cells[i]);
            } else {
                out.append(cells[i]).append(" ".repeat(pad));
            }
        }
        trimTrailingSpaces(out, start);
        out.append('\n');
    }

    private static void rule(StringBuilder out, int[] widths) {
        int total = 0;
        for (int w : widths) {
            total += w;
        }
        out.append("-".repeat(total + GAP.length() * (widths.length - 1))).append('\n');
    }

    private static void trimTrailingSpaces(StringBuilder out, int start) {
        int end = out.length();
        while (end > start && out.charAt(end - 1) == ' ') {
            end--;
        }
        out.setLength(end);
    }
}
