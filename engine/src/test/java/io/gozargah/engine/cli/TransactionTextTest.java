package io.gozargah.engine.cli;

import io.gozargah.engine.json.Json;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TransactionTextTest {
    @Test
    void shouldEscapeJsonStringsAsRfc8259Says() {
        StringBuilder out = new StringBuilder();
        Json.writeString(out, "شهرداری \"تهران\"\\\n\r\t\u0001\u001f");
        assertEquals("\"شهرداری \\\"تهران\\\"\\\\\\n\\r\\t\\u0001\\u001f\"", out.toString());
    }

    @Test
    void shouldQuoteCsvFieldsOnlyWhereRfc4180Needs() {
        assertEquals("plain", csv("plain"));
        assertEquals("\"a,b\"", csv("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", csv("say \"hi\""));
        assertEquals("\"two\r\nlines\"", csv("two\r\nlines"));
        assertEquals("", csv(null));
    }

    @Test
    void shouldNameOutcomeCodesTheWayTheWriterCodesThem() {
        assertEquals("ok", TransactionText.outcome(1));
        assertEquals("journal-unavailable", TransactionText.outcome(15));
        assertEquals("unknown-0", TransactionText.outcome(0));
        assertEquals("unknown-999", TransactionText.outcome(999));
    }

    private static String csv(String value) {
        StringBuilder out = new StringBuilder();
        TransactionText.csvField(value, out);
        return out.toString();
    }
}
