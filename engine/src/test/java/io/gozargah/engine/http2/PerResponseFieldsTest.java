package io.gozargah.engine.http2;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PerResponseFieldsTest {
    private final PerResponseFields fields = PerResponseFields.INSTANCE;

    @Test
    void shouldNeverIndexTheGatewaysPerResponseValues() {
        assertTrue(fields.isSensitive("x-gozargah-transaction", "0190b2c4d5e6f708a9b0c1d2e3f40516"));
        assertTrue(fields.isSensitive("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
        assertTrue(fields.isSensitive("ratelimit", "\"default\";r=99;t=1"));
        assertTrue(fields.isSensitive("RateLimit", "\"default\";r=99;t=1"));
        assertTrue(fields.isSensitive("retry-after", "3"));
    }

    @Test
    void shouldIndexFieldsThatRepeat() {
        assertFalse(fields.isSensitive("ratelimit-policy", "\"default\";q=100;w=1"));
        assertFalse(fields.isSensitive("content-type", "application/json"));
        assertFalse(fields.isSensitive("x-gozargah-transactions", "x"));
        assertFalse(fields.isSensitive("tracestate", "a=b"));
        assertFalse(fields.isSensitive("server", "nginx"));
    }
}
