package io.gozargah.engine.subject;

import io.gozargah.engine.config.SubjectConfig;
import io.gozargah.engine.exchange.Exchange;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where a service's requests name their subject, and what the exchange then carries. */
class SubjectExtractorTest {
    private static final byte[] KEY = new byte[SubjectKey.KEY_LENGTH];
    private static final SubjectKey SUBJECT_KEY;
    private static final Pattern TEN_DIGITS = Pattern.compile("^(\\d{10})$");

    static {
        Arrays.fill(KEY, (byte) 7);
        SUBJECT_KEY = SubjectKey.of(KEY);
    }

    private final Exchange x = new Exchange(null);
    private ByteBuf target;

    @AfterEach
    void release() {
        if (target != null) {
            target.release();
        }
    }

    private static SubjectExtractor extractor(SubjectConfig.From from, String name, String pattern, String kind) {
        return new SubjectExtractor(new SubjectConfig(from, name, Pattern.compile(pattern), kind,
                SubjectConfig.DEFAULT_MAX_LENGTH), SUBJECT_KEY);
    }

    private boolean extract(SubjectExtractor e, String requestTarget, Map<String, String> headers) {
        x.start(1, 2, 3, 4);
        if (target != null) {
            target.release();
        }
        // The target sits inside a larger buffer, as in a request head: only its range may be read.
        byte[] bytes = ("GET " + requestTarget + " HTTP/1.1").getBytes(StandardCharsets.ISO_8859_1);
        target = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
        return e.extractInto(x, target, 4, requestTarget.length(), name -> headers.get(name.toString()));
    }

    /** The hash the exchange holds, as 16 bytes. */
    private byte[] held() {
        byte[] out = new byte[16];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (x.subjectHashHigh() >>> (56 - 8 * i));
            out[8 + i] = (byte) (x.subjectHashLow() >>> (56 - 8 * i));
        }
        return out;
    }

    @Test
    void shouldTakeTheSubjectFromThePathAfterTheService() {
        SubjectExtractor e = extractor(SubjectConfig.From.PATH, null, "^(\\d{10})$", "national-code");
        assertTrue(extract(e, "/nocr/identity/0012345679", Map.of()));
        assertTrue(x.hasSubject());
        assertArrayEquals(SUBJECT_KEY.hash("national-code", "0012345679"), held());

        assertTrue(extract(e, "/nocr/identity/0012345679?verbose=1", Map.of()), "the query is not part of the path");
        assertArrayEquals(SUBJECT_KEY.hash("national-code", "0012345679"), held());
        assertTrue(extract(e, "http://gw.example:8080/nocr/identity/%30012345679", Map.of()),
                "absolute form, percent-decoded: the same subject however it is spelled");
        assertArrayEquals(SUBJECT_KEY.hash("national-code", "0012345679"), held());
    }

    @Test
    void shouldTakeTheSubjectFromAQueryParameter() {
        SubjectExtractor e = extractor(SubjectConfig.From.QUERY, "postalCode", SubjectConfig.WHOLE_VALUE, "postal-code");
        assertTrue(extract(e, "/post/address?lang=fa&postalCode=1193653471&x", Map.of()));
        assertArrayEquals(SUBJECT_KEY.hash("postal-code", "1193653471"), held());
        assertTrue(extract(e, "/post/address?postal%43ode=11936+53471#frag", Map.of()));
        assertArrayEquals(SUBJECT_KEY.hash("postal-code", "11936 53471"), held(), "'+' is a space in a query");
        assertTrue(extract(e, "/post/address?postalCode=first&postalCode=second", Map.of()));
        assertArrayEquals(SUBJECT_KEY.hash("postal-code", "first"), held(), "the first of a repeated parameter");
        assertFalse(extract(e, "/post/address?postalcode=1193653471", Map.of()), "names are case-sensitive");
        assertFalse(extract(e, "/post/address?postalCode=", Map.of()), "an empty value names no subject");
        assertFalse(extract(e, "/post/address", Map.of()));
    }

    @Test
    void shouldTakeTheSubjectFromAHeaderField() {
        SubjectExtractor e = extractor(SubjectConfig.From.HEADER, "x-subject", TEN_DIGITS.pattern(), "national-code");
        assertTrue(extract(e, "/nocr/identity", Map.of("x-subject", "  0012345679\t")));
        assertArrayEquals(SUBJECT_KEY.hash("national-code", "0012345679"), held());
        assertFalse(extract(e, "/nocr/identity", Map.of()), "no such field");
    }

    @Test
    void shouldHashTheKindWithTheSubject() {
        SubjectExtractor e = extractor(SubjectConfig.From.PATH, null, "^(\\d{10})$", "postal-code");
        assertTrue(extract(e, "/nocr/identity/0012345679", Map.of()));
        assertFalse(Arrays.equals(SUBJECT_KEY.hash("national-code", "0012345679"), held()));
        assertFalse(Arrays.equals(SubjectKey.of(new byte[32]).hash("postal-code", "0012345679"), held()),
                "another key gives another hash");
    }

    @Test
    void shouldRecordNoSubjectWhenTheRequestDoesNotMatch() {
        SubjectExtractor e = extractor(SubjectConfig.From.PATH, null, "^(\\d{10})$", "national-code");
        for (String t : new String[] {"/nocr/identity/001234567", "/nocr/identity/00123456790", "/nocr/identity",
                "/nocr/identity/", "/nocr/identity/00123%4", "/nocr/identity/abc/0012345679", "*",
                "/nocr/identity/" + "1".repeat(100)}) {
            assertFalse(extract(e, t, Map.of()), t);
            assertFalse(x.hasSubject(), t);
            assertEquals(0, x.subjectHashHigh(), t);
        }
    }

    @Test
    void shouldDoNothingForAServiceWithoutASubjectOrAnExchangeWithoutAService() {
        x.start(1, 2, 3, 4);
        SubjectExtractor.extract(x, "/nocr/identity/0012345679", HeaderLookup.NONE);
        assertFalse(x.hasSubject());
    }

    @Test
    void shouldClearTheSubjectWhenTheExchangeStartsAgain() {
        SubjectExtractor e = extractor(SubjectConfig.From.PATH, null, "^(\\d{10})$", "national-code");
        assertTrue(extract(e, "/nocr/identity/0012345679", Map.of()));
        x.start(5, 6, 7, 8);
        assertFalse(x.hasSubject());
        assertTrue(e.extractInto(x, "/nocr/identity/0012345679", HeaderLookup.NONE), "a target held as characters");
        assertArrayEquals(SUBJECT_KEY.hash("national-code", "0012345679"), held());
    }

    @Test
    void shouldAllocateNothingPerExtractionFromABufferOrAField() {
        java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        SubjectExtractor path = extractor(SubjectConfig.From.PATH, null, "^(\\d{10})$", "national-code");
        SubjectExtractor query = extractor(SubjectConfig.From.QUERY, "nationalId", "^(\\d{10})$", "national-code");
        SubjectExtractor header = extractor(SubjectConfig.From.HEADER, "x-subject", "^(\\d{10})$", "national-code");
        String value = " 0012345679 ";
        HeaderLookup fields = name -> value; // a front end's lookup hands out a view it already holds
        byte[] bytes = "GET /nocr/identity/0012345679?a=b&nationalId=%30012345679 HTTP/1.1"
                .getBytes(StandardCharsets.ISO_8859_1);
        // Not a leak-tracked buffer: the leak detector (PARANOID in tests) records every access of one.
        target = Unpooled.wrappedBuffer(bytes);
        int length = bytes.length - 13;
        for (int i = 0; i < 20_000; i++) { // each thread's scratch made, the code compiled
            extractAll(path, query, header, length, fields);
        }
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 10_000; i++) {
            extractAll(path, query, header, length, fields);
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertTrue(allocated < 4_096, allocated + " bytes for 30,000 extractions");
        assertArrayEquals(SUBJECT_KEY.hash("national-code", "0012345679"), held());
    }

    private void extractAll(SubjectExtractor path, SubjectExtractor query, SubjectExtractor header, int length,
                            HeaderLookup fields) {
        x.start(1, 2, 3, 4);
        assertTrue(path.extractInto(x, target, 4, length, HeaderLookup.NONE));
        assertTrue(query.extractInto(x, target, 4, length, HeaderLookup.NONE));
        assertTrue(header.extractInto(x, target, 4, length, fields));
    }
}
