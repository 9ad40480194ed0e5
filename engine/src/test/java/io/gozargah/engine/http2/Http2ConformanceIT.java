package io.gozargah.engine.http2;

import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.RawH2Client;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Error;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 9113's answers to frames a stream's state forbids and to malformed requests, one case per test, each sent as
 * raw frames over a real socket. Most cases come twice: on a stream the gateway is still serving (its request sits
 * at a provider that does not answer within the test), and on a stream the gateway has already answered with 401
 * (a request without a key), which is what a conformance suite that sends no key sees.
 */
class Http2ConformanceIT {
    private static final int PRIORITY = 2;
    private static final int WAIT = 10;

    private static TestUpstream upstream;
    private static GatewayFixture gateway;
    private RawH2Client client;

    @BeforeAll
    static void start() throws Exception {
        // /prov/slow is never answered (the service's 300 ms response timeout ends it); the rest is answered "ok".
        upstream = TestUpstream.http((ctx, req) -> {
            if (req.uri().startsWith("/base/slow")) {
                return;
            }
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII));
            resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, 2);
            ctx.writeAndFlush(resp);
        });
        gateway = GatewayFixture.start(GatewayFixture.standardYaml(upstream.port(), null, null));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    @BeforeEach
    void connect() throws IOException {
        client = new RawH2Client(gateway.port());
    }

    @AfterEach
    void disconnect() throws IOException {
        client.close();
    }

    // ---------------------------------------------------------------------------------------------
    // RFC 9113 §5.1: frames on half-closed (remote) and closed streams
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldResetDataOnAHalfClosedRemoteStreamAsStreamClosed() throws Exception {
        client.frame(RawH2Client.HEADERS, RawH2Client.END_STREAM | RawH2Client.END_HEADERS, 1, slowGet());
        client.frame(RawH2Client.DATA, 0, 1, bytes("late"));
        client.flush();
        assertStreamError(1, Http2Error.STREAM_CLOSED);
        assertStillServes(3);
    }

    @Test
    void shouldEndTheConnectionWithStreamClosedForDataOnAStreamClosedByItsAnswer() throws Exception {
        getAnswered(1, ALICE_KEY, 200);
        client.frame(RawH2Client.DATA, RawH2Client.END_STREAM, 1, bytes("late"));
        client.flush();
        assertConnectionError(Http2Error.STREAM_CLOSED);
    }

    @Test
    void shouldEndTheConnectionWithStreamClosedForDataOnAStreamClosedByIts401() throws Exception {
        getAnswered(1, null, 401);
        client.frame(RawH2Client.DATA, RawH2Client.END_STREAM, 1, bytes("late"));
        client.flush();
        assertConnectionError(Http2Error.STREAM_CLOSED);
    }

    @Test
    void shouldEndTheConnectionWithStreamClosedForHeadersOnAStreamClosedByIts401() throws Exception {
        getAnswered(1, null, 401);
        client.frame(RawH2Client.HEADERS, RawH2Client.END_STREAM | RawH2Client.END_HEADERS, 1,
                RawH2Client.block("x-trailer", "late"));
        client.flush();
        assertConnectionError(Http2Error.STREAM_CLOSED);
    }

    // ---------------------------------------------------------------------------------------------
    // RFC 9113 §5.1.1: stream identifiers
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldEndTheConnectionWithProtocolErrorForAStreamIdLowerThanAnEarlierOne() throws Exception {
        getAnswered(5, ALICE_KEY, 200);
        client.frame(RawH2Client.HEADERS, RawH2Client.END_STREAM | RawH2Client.END_HEADERS, 3,
                RawH2Client.get("/prov/svc", ALICE_KEY));
        client.flush();
        assertConnectionError(Http2Error.PROTOCOL_ERROR);
    }

    @Test
    void shouldEndTheConnectionWithProtocolErrorForAStreamIdLowerThanOneAnswered401() throws Exception {
        getAnswered(5, null, 401);
        client.frame(RawH2Client.HEADERS, RawH2Client.END_STREAM | RawH2Client.END_HEADERS, 3, getWithoutKey());
        client.flush();
        assertConnectionError(Http2Error.PROTOCOL_ERROR);
    }

    // ---------------------------------------------------------------------------------------------
    // RFC 9113 §6.3: PRIORITY of the wrong length
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldResetAPriorityFrameWhoseLengthIsNotFiveAsFrameSizeError() throws Exception {
        client.frame(RawH2Client.HEADERS, RawH2Client.END_STREAM | RawH2Client.END_HEADERS, 1, slowGet());
        client.frame(PRIORITY, 0, 1, new byte[4]);
        client.flush();
        assertStreamError(1, Http2Error.FRAME_SIZE_ERROR);
        assertStillServes(3);
    }

    @Test
    void shouldResetAPriorityFrameWhoseLengthIsNotFiveAfterA401() throws Exception {
        postAnswered401(1);
        client.frame(PRIORITY, 0, 1, new byte[4]);
        client.flush();
        assertStreamError(1, Http2Error.FRAME_SIZE_ERROR);
        assertStillServes(3);
    }

    // ---------------------------------------------------------------------------------------------
    // RFC 9113 §6.9.1: windows past 2^31-1
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldResetAStreamWhoseWindowGrowsPastTheMaximumAsFlowControlError() throws Exception {
        client.frame(RawH2Client.HEADERS, RawH2Client.END_STREAM | RawH2Client.END_HEADERS, 1, slowGet());
        client.windowUpdate(1, Integer.MAX_VALUE);
        client.windowUpdate(1, Integer.MAX_VALUE);
        client.flush();
        assertStreamError(1, Http2Error.FLOW_CONTROL_ERROR);
        assertStillServes(3);
    }

    @Test
    void shouldResetAStreamWhoseWindowGrowsPastTheMaximumAfterA401() throws Exception {
        postAnswered401(1);
        client.windowUpdate(1, Integer.MAX_VALUE);
        client.windowUpdate(1, Integer.MAX_VALUE);
        client.flush();
        assertStreamError(1, Http2Error.FLOW_CONTROL_ERROR);
        assertStillServes(3);
    }

    @Test
    void shouldEndTheConnectionWhoseWindowGrowsPastTheMaximumAsFlowControlError() throws Exception {
        getAnswered(1, null, 401);
        client.windowUpdate(0, Integer.MAX_VALUE);
        client.windowUpdate(0, Integer.MAX_VALUE);
        client.flush();
        assertConnectionError(Http2Error.FLOW_CONTROL_ERROR);
    }

    // ---------------------------------------------------------------------------------------------
    // RFC 9113 §8.1: a second HEADERS that does not end the stream; pseudo-header fields in trailers
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldResetASecondHeadersWithoutEndStreamAsProtocolError() throws Exception {
        client.frame(RawH2Client.HEADERS, RawH2Client.END_HEADERS, 1, post(ALICE_KEY));
        client.frame(RawH2Client.HEADERS, RawH2Client.END_HEADERS, 1, RawH2Client.block("x-trailer", "a"));
        client.flush();
        assertStreamError(1, Http2Error.PROTOCOL_ERROR);
        assertStillServes(3);
    }

    @Test
    void shouldResetASecondHeadersWithoutEndStreamAfterA401() throws Exception {
        postAnswered401(1);
        client.frame(RawH2Client.HEADERS, RawH2Client.END_HEADERS, 1, RawH2Client.block("x-trailer", "a"));
        client.flush();
        assertStreamError(1, Http2Error.PROTOCOL_ERROR);
        assertStillServes(3);
    }

    @Test
    void shouldResetTrailersWithAPseudoHeaderFieldAsProtocolError() throws Exception {
        client.frame(RawH2Client.HEADERS, RawH2Client.END_HEADERS, 1, post(ALICE_KEY));
        client.frame(RawH2Client.HEADERS, RawH2Client.END_STREAM | RawH2Client.END_HEADERS, 1,
                RawH2Client.block(":path", "/prov/svc"));
        client.flush();
        assertStreamError(1, Http2Error.PROTOCOL_ERROR);
        assertStillServes(3);
    }

    @Test
    void shouldResetTrailersWithAPseudoHeaderFieldAfterA401() throws Exception {
        postAnswered401(1);
        client.frame(RawH2Client.HEADERS, RawH2Client.END_STREAM | RawH2Client.END_HEADERS, 1,
                RawH2Client.block(":path", "/prov/svc"));
        client.flush();
        assertStreamError(1, Http2Error.PROTOCOL_ERROR);
        assertStillServes(3);
    }

    // ---------------------------------------------------------------------------------------------
    // RFC 9113 §8.3.1: a request without :method, :scheme or :path is malformed (checked before the key)
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldResetARequestWithoutMethodAsProtocolErrorNot401() throws Exception {
        assertMalformed(RawH2Client.block(":scheme", "http", ":path", "/prov/svc", ":authority", "gw"));
    }

    @Test
    void shouldResetARequestWithoutSchemeAsProtocolErrorNot401() throws Exception {
        assertMalformed(RawH2Client.block(":method", "GET", ":path", "/prov/svc", ":authority", "gw"));
    }

    @Test
    void shouldResetARequestWithoutPathAsProtocolErrorNot401() throws Exception {
        assertMalformed(RawH2Client.block(":method", "GET", ":scheme", "http", ":authority", "gw"));
    }

    // ---------------------------------------------------------------------------------------------
    // RFC 9113 §8.1.1: content-length against the DATA received
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldResetABodyShorterThanItsContentLengthAsProtocolError() throws Exception {
        client.frame(RawH2Client.HEADERS, RawH2Client.END_HEADERS, 1, post(ALICE_KEY, "content-length", "4"));
        client.frame(RawH2Client.DATA, RawH2Client.END_STREAM, 1, bytes("ab"));
        client.flush();
        assertStreamError(1, Http2Error.PROTOCOL_ERROR);
        assertStillServes(3);
    }

    @Test
    void shouldResetABodyShorterThanItsContentLengthAfterA401() throws Exception {
        client.frame(RawH2Client.HEADERS, RawH2Client.END_HEADERS, 1, post(null, "content-length", "4"));
        client.flush();
        await401(1);
        client.frame(RawH2Client.DATA, RawH2Client.END_STREAM, 1, bytes("ab"));
        client.flush();
        assertStreamError(1, Http2Error.PROTOCOL_ERROR);
        assertStillServes(3);
    }

    // ---------------------------------------------------------------------------------------------
    // RFC 9113 §8.1: a complete answer, then the reset that declines the rest of the request
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldSendTheWholeAnswerBeforeTheResetThatFollowsItInTheSameRead() throws Exception {
        // A path no request-target may hold, with the body still to come: 400, then RST_STREAM PROTOCOL_ERROR. The
        // reset is written in the read that brought the request, and must not overtake (and so discard) the DATA.
        client.frame(RawH2Client.HEADERS, RawH2Client.END_HEADERS, 1, RawH2Client.block(":method", "POST",
                ":scheme", "http", ":path", "/prov/svc/a|b", ":authority", "gw", "x-api-key", ALICE_KEY));
        client.flush();
        RawH2Client.Frame reset = client.awaitReset(1, WAIT);
        assertNotNull(reset);
        assertEquals(Http2Error.PROTOCOL_ERROR.code(), reset.rstCode());
        assertTrue(client.body(1).contains("urn:gozargah:error:bad-request"),
                "the problem document arrived before the reset: '" + client.body(1) + "'");
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------

    private static byte[] slowGet() {
        return RawH2Client.get("/prov/slow", ALICE_KEY);
    }

    private static byte[] getWithoutKey() {
        return RawH2Client.block(":method", "GET", ":scheme", "http", ":path", "/prov/svc", ":authority", "gw");
    }

    /** A POST to /prov/svc with {@code key} (none if null) and {@code extra} fields. */
    private static byte[] post(String key, String... extra) {
        String[] base = key == null
                ? new String[]{":method", "POST", ":scheme", "http", ":path", "/prov/svc", ":authority", "gw"}
                : new String[]{":method", "POST", ":scheme", "http", ":path", "/prov/svc", ":authority", "gw",
                "x-api-key", key};
        String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return RawH2Client.block(all);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A GET on {@code stream} (with {@code key}, none if null) answered {@code status} to its end. */
    private void getAnswered(int stream, String key, int status) throws Exception {
        client.frame(RawH2Client.HEADERS, RawH2Client.END_STREAM | RawH2Client.END_HEADERS, stream,
                key == null ? getWithoutKey() : RawH2Client.get("/prov/svc", key));
        client.flush();
        RawH2Client.Frame head = client.awaitHeaders(stream, WAIT);
        assertNotNull(head, "an answer on stream " + stream);
        assertEquals(status, head.status());
        assertNotNull(client.await(f -> f.stream() == stream && f.type() == RawH2Client.DATA && f.endStream(), WAIT),
                "the answer on stream " + stream + " ends");
    }

    /** A POST without a key whose body is still to come, answered 401 to its end. */
    private void postAnswered401(int stream) throws Exception {
        client.frame(RawH2Client.HEADERS, RawH2Client.END_HEADERS, stream, post(null));
        client.flush();
        await401(stream);
    }

    private void await401(int stream) throws Exception {
        RawH2Client.Frame head = client.awaitHeaders(stream, WAIT);
        assertNotNull(head, "an answer on stream " + stream);
        assertEquals(401, head.status());
        assertNotNull(client.await(f -> f.stream() == stream && f.type() == RawH2Client.DATA && f.endStream(), WAIT),
                "the 401 on stream " + stream + " ends");
    }

    /** The first RST_STREAM on {@code stream} carries {@code error}, and the connection is not ended. */
    private void assertStreamError(int stream, Http2Error error) throws Exception {
        RawH2Client.Frame reset = client.awaitReset(stream, WAIT);
        assertNotNull(reset, "a RST_STREAM on stream " + stream);
        assertEquals(error.code(), reset.rstCode(), "the reset's error code");
        assertEquals(0, client.count(RawH2Client.GOAWAY), "a stream error, not a connection error");
    }

    private void assertConnectionError(Http2Error error) throws Exception {
        RawH2Client.Frame goAway = client.awaitGoAway(WAIT);
        assertNotNull(goAway, "a GOAWAY");
        assertEquals(error.code(), goAway.goAwayCode(), "the GOAWAY's error code");
        assertTrue(client.awaitClosed(WAIT), "the connection is closed");
    }

    /** The connection still serves: a GET on {@code stream} is answered 200. */
    private void assertStillServes(int stream) throws Exception {
        client.frame(RawH2Client.HEADERS, RawH2Client.END_STREAM | RawH2Client.END_HEADERS, stream,
                RawH2Client.get("/prov/svc", ALICE_KEY));
        client.flush();
        RawH2Client.Frame head = client.awaitHeaders(stream, WAIT);
        assertNotNull(head, "an answer on stream " + stream + " after the stream error");
        assertEquals(200, head.status());
    }

    /** A request without a key and without {@code block}'s missing pseudo-header: 400 (not 401), then the reset. */
    private void assertMalformed(byte[] block) throws Exception {
        int before = upstream.requests();
        client.frame(RawH2Client.HEADERS, RawH2Client.END_STREAM | RawH2Client.END_HEADERS, 1, block);
        client.flush();
        RawH2Client.Frame reset = client.awaitReset(1, WAIT);
        assertNotNull(reset, "a RST_STREAM for a malformed request");
        assertEquals(Http2Error.PROTOCOL_ERROR.code(), reset.rstCode());
        RawH2Client.Frame head = client.awaitHeaders(1, 0);
        if (head != null) {
            assertNotEquals(401, head.status(), "malformed is found before authentication");
            assertEquals(400, head.status());
        }
        assertEquals(before, upstream.requests());
        assertStillServes(3);
    }
}
