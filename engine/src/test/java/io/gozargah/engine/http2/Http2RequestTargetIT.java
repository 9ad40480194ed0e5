package io.gozargah.engine.http2;

import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.RawH2Client;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.handler.codec.http2.Http2Error;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An HTTP/2 {@code :path} is held to what an HTTP/1.1 request-target may be: request-target bytes only (no
 * space, no '#', no control or non-ASCII byte) and the same 414 limit, answered with the same problem types
 * before the request is routed or authenticated. Sent as raw HEADERS, so that nothing in a client library
 * cleans the path up first.
 */
class Http2RequestTargetIT {
    /** The request line "GET " + path + " HTTP/1.1" may be this long. */
    private static final int MAX_START_LINE = 256;
    @RegisterExtension
    static final GatewayUnderTest setup = new GatewayUnderTest();

    private static TestUpstream upstream;
    private static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        upstream = setup.provider((ctx, req) -> TestUpstream.writeRaw(ctx,
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        gateway = setup.start(setup.standardYaml(null,
                "  maxStartLineBytes: " + MAX_START_LINE + "\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/prov/svc/a b", "/prov/svc#fragment", "/prov/svc/\t", "/prov/svc/\u00e9", "/prov/svc/a\"b", "/prov/svc/<x>", "/prov/svc/{x}",
            "/prov/svc/a\\b", "/prov/svc/a|b", "/prov/svc/a^b", "/prov/svc/a`b", "/prov/svc?q=a b"})
    void shouldRefuseAPathWithAByteNoRequestTargetHolds(String path) throws Exception {
        int before = upstream.requests();
        assertProblem(send(path, ALICE_KEY), 400, "bad-request");
        // Before authentication: a request without a valid key gets the same answer, not 401.
        assertProblem(send(path, "gzk_wrong"), 400, "bad-request");
        assertEquals(before, upstream.requests(), "a refused path reaches the provider");
    }

    /**
     * Control bytes other than HTAB, and DEL, never reach the gateway's own check: Netty's HPACK decoder
     * validates field values and resets the stream as malformed (RFC 9113 §8.1.1, §8.2.1) before it exists.
     */
    @ParameterizedTest
    @ValueSource(strings = {"/prov/svc/\u0001", "/prov/svc/\u007f", "/prov/svc/a\u001bb"})
    void shouldResetAStreamWhosePathHoldsAControlByte(String path) throws Exception {
        int before = upstream.requests();
        try (RawH2Client c = new RawH2Client(gateway.port())) {
            c.frame(RawH2Client.HEADERS, RawH2Client.END_STREAM | RawH2Client.END_HEADERS, 1,
                    RawH2Client.get(path, ALICE_KEY));
            c.flush();
            RawH2Client.Frame reset = c.awaitReset(1, 10);
            assertNotNull(reset, "a reset for " + path);
            assertEquals(Http2Error.PROTOCOL_ERROR.code(), reset.rstCode());
        }
        assertEquals(before, upstream.requests());
    }

    @Test
    void shouldAnswer414PastTheStartLineLimit() throws Exception {
        String prefix = "/prov/svc/";
        int fits = MAX_START_LINE - "GET ".length() - " HTTP/1.1".length();
        String longest = prefix + "a".repeat(fits - prefix.length());
        RawH2Client.Frame ok = send(longest, ALICE_KEY).head;
        assertEquals(200, ok.status(), "a path whose request line is exactly the limit is served");

        int before = upstream.requests();
        assertProblem(send(longest + "a", ALICE_KEY), 414, "uri-too-long");
        assertProblem(send(longest + "a", "gzk_wrong"), 414, "uri-too-long");
        assertProblem(send(prefix + "b".repeat(4 * MAX_START_LINE), ALICE_KEY), 414, "uri-too-long");
        assertEquals(before, upstream.requests());
    }

    @Test
    void shouldServeEveryRequestTargetByteAsHttp1Does() throws Exception {
        String path = "/prov/svc/a-._~!$&'()*+,;=:@%20/b?x=1&y=[2]/?";
        RawH2Client.Frame head = send(path, ALICE_KEY).head;
        assertEquals(200, head.status());
    }

    private record Answer(RawH2Client.Frame head, String body) {
    }

    private static Answer send(String path, String key) throws Exception {
        try (RawH2Client c = new RawH2Client(gateway.port())) {
            c.frame(RawH2Client.HEADERS, RawH2Client.END_STREAM | RawH2Client.END_HEADERS, 1,
                    RawH2Client.get(path, key));
            c.flush();
            RawH2Client.Frame head = c.awaitHeaders(1, 10);
            assertNotNull(head, "an answer to " + path);
            assertTrue(c.awaitStreamEnd(1, 10));
            return new Answer(head, c.body(1));
        }
    }

    private static void assertProblem(Answer a, int status, String code) {
        assertEquals(status, a.head.status(), a.body);
        assertEquals("application/problem+json", String.valueOf(a.head.headers().get("content-type")));
        assertNotNull(a.head.headers().get("x-gozargah-transaction"));
        assertTrue(a.body.contains("\"type\":\"urn:gozargah:error:" + code + "\""), a.body);
    }
}
