package io.gozargah.engine.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Assertions on the gateway's problem+json answers (RFC 9457, DESIGN.md's codes). */
public final class Problems {
    private Problems() {
    }

    /** {@code r} is a problem document of {@code status} and type {@code urn:gozargah:error:<code>}. */
    public static void assertProblem(RawHttpClient.Response r, int status, String code) {
        assertEquals(status, r.status(), r.bodyText());
        assertEquals("application/problem+json", r.header("Content-Type"));
        String tx = r.header("X-Gozargah-Transaction");
        assertNotNull(tx);
        String body = r.bodyText();
        assertTrue(body.contains("\"type\":\"urn:gozargah:error:" + code + "\""), body);
        assertTrue(body.contains("\"status\":" + status), body);
        assertTrue(body.contains("\"transaction\":\"" + tx + "\""), body);
        assertTrue(body.contains("\"title\":"), body);
        assertTrue(body.contains("\"detail\":"), body);
    }
}
