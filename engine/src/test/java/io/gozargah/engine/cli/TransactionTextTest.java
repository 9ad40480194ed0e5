package io.gozargah.engine.cli;

import io.gozargah.engine.json.Json;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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

    @Test
    void shouldNameCacheResultsTheWayTheJournalCodesThem() {
        assertNull(TransactionText.cache(0), "no cache result");
        assertEquals("miss", TransactionText.cache(1));
        assertEquals("cached", TransactionText.cache(2));
        assertEquals("coalesced", TransactionText.cache(3));
        assertEquals("stale", TransactionText.cache(4));
        assertEquals("unknown-5", TransactionText.cache(5));
    }

    private static String csv(String value) {
        StringBuilder out = new StringBuilder();
        TransactionText.csvField(value, out);
        return out.toString();
    }
}
