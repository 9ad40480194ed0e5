package io.gozargah.engine.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TextTableTest {
    @Test
    void shouldAlignTextLeftAndNumbersRightWithARuleUnderTheHeaderAndAboveTheFooter() {
        StringBuilder out = new StringBuilder();
        new TextTable("Consumer", ">Transactions", "")
                .row("snapp", "1,234", "busiest")
                .row("medu", "7", "")
                .footer("Total", "1,241", "")
                .render(out);

        assertEquals("""
                Consumer  Transactions
                -------------------------------
                snapp            1,234  busiest
                medu                 7
                -------------------------------
                Total            1,241
                """, out.toString());
    }

    @Test
    void shouldCountWhatATerminalShowsNotUtf16Units() {
        // "می‌خواهم" has a zero-width non-joiner (U+200C); a combining mark and a supplementary character too.
        assertEquals(7, TextTable.width("می\u200Cخواهم"));
        assertEquals(1, TextTable.width("e\u0301"));
        assertEquals(1, TextTable.width("\uD835\uDC00"));

        StringBuilder out = new StringBuilder();
        new TextTable("Name", ">N").row("شهرداری\u200Cها", "1").row("abc", "22").render(out);
        String[] lines = out.toString().split("\n");
        assertEquals(TextTable.width(lines[2]), TextTable.width(lines[3]), out.toString());
    }

    @Test
    void shouldRefuseARowOfTheWrongWidth() {
        assertThrows(IllegalArgumentException.class, () -> new TextTable("a", "b").row("only one"));
    }
}
