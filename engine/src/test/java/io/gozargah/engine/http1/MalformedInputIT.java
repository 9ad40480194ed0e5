package io.gozargah.engine.http1;

import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.RawHttpClient.Response;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static io.gozargah.engine.testing.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed, ambiguous and oversized requests, one row each: the exact bytes sent, the problem answered
 * and whether the connection is closed after it (DESIGN.md "Bad input"; RFC 9112 §2.2, §3, §5, §6.3, §7.1).
 * Every request carries alice's valid key, so only the malformation decides the answer; none may reach
 * the upstream. Where the parser rejects, the framing of whatever follows is unknowable and the gateway
 * closes; where only routing or the Host rule rejects, the framing is known and the connection stays usable.
 */
class MalformedInputIT {
    private static final int MAX_START_LINE = 256;
    private static final int MAX_HEADER_COUNT = 16;
    private static final int MAX_HEADER_BYTES = 1024;
    private static final int MAX_BODY = 512;

    private static final String HOST = "Host: gw.test\r\n";
    private static final String KEY = "X-Api-Key: " + ALICE_KEY + "\r\n";
    private static final String OK = HOST + KEY;

    @RegisterExtension
    static final GatewayUnderTest setup = new GatewayUnderTest();

    private static TestUpstream upstream;
    private static GatewayFixture gateway;

    /** One malformed request and what the gateway must answer. */
    record Row(String name, String raw, int status, String code, boolean closes) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        upstream = setup.provider((ctx, req) -> {
            DefaultFullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.EMPTY_BUFFER);
            resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
            ctx.writeAndFlush(resp);
        });
        gateway = setup.start(setup.standardYaml(null, ""
                + "  maxStartLineBytes: " + MAX_START_LINE + "\n"
                + "  maxHeaderCount: " + MAX_HEADER_COUNT + "\n"
                + "  maxHeaderBytes: " + MAX_HEADER_BYTES + "\n"
                + "  maxRequestBodyBytes: " + MAX_BODY + "\n"));
    }

    private static Row parseError(String name, String raw) {
        return new Row(name, raw, 400, "bad-request", true);
    }

    private static Row badPath(String path) {
        return new Row("path " + path, "GET " + path + " HTTP/1.1\r\n" + OK + "\r\n", 400, "bad-request", false);
    }

    private static String post(String headers, String body) {
        return "POST /prov/svc HTTP/1.1\r\n" + OK + headers + "\r\n" + body;
    }

    private static String chunked(String chunks) {
        return post("Transfer-Encoding: chunked\r\n", chunks);
    }

    static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        // Framing: Content-Length and Transfer-Encoding (RFC 9112 §6.1, §6.3; RFC 9110 §8.6)
        rows.add(parseError("CL and TE", post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                "5\r\nhello\r\n0\r\n\r\n")));
        rows.add(parseError("TE and CL", post("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
                "5\r\nhello\r\n0\r\n\r\n")));
        rows.add(parseError("duplicate CL", post("Content-Length: 5\r\nContent-Length: 5\r\n", "hello")));
        rows.add(parseError("CL +5", post("Content-Length: +5\r\n", "hello")));
        rows.add(parseError("CL list 5, 5", post("Content-Length: 5, 5\r\n", "hello")));
        rows.add(parseError("CL non-numeric", post("Content-Length: five\r\n", "hello")));
        rows.add(parseError("CL negative", post("Content-Length: -1\r\n", "")));
        rows.add(parseError("CL overflow", post("Content-Length: 99999999999999999999\r\n", "hello")));
        rows.add(parseError("TE gzip", post("Transfer-Encoding: gzip\r\n", "hello")));
        rows.add(parseError("TE chunked, gzip", post("Transfer-Encoding: chunked, gzip\r\n", "0\r\n\r\n")));
        rows.add(new Row("TE gzip, chunked", post("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n"),
                501, "not-implemented", true));
        rows.add(parseError("TE chunked twice", post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
                "0\r\n\r\n")));
        rows.add(parseError("TE in HTTP/1.0", "POST /prov/svc HTTP/1.0\r\n" + OK
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
        rows.add(parseError("space before colon", post("Transfer-Encoding : chunked\r\n", "0\r\n\r\n")));
        // Lines and fields (RFC 9112 §2.2, §5)
        rows.add(parseError("obs-fold", "GET /prov/svc HTTP/1.1\r\n" + OK + "X-Folded: a\r\n b\r\n\r\n"));
        rows.add(parseError("bare CR in a header", "GET /prov/svc HTTP/1.1\r\n" + OK + "X-A: a\rb\r\n\r\n"));
        rows.add(parseError("bare LF line endings", "GET /prov/svc HTTP/1.1\nHost: gw.test\nX-Api-Key: " + ALICE_KEY
                + "\n\n"));
        rows.add(parseError("NUL in a header value", "GET /prov/svc HTTP/1.1\r\n" + OK + "X-A: a\0b\r\n\r\n"));
        rows.add(parseError("invalid char in a header name", "GET /prov/svc HTTP/1.1\r\n" + OK + "X-A(b): 1\r\n\r\n"));
        rows.add(parseError("header without colon", "GET /prov/svc HTTP/1.1\r\n" + OK + "NoColonHere\r\n\r\n"));
        rows.add(parseError("empty header name", "GET /prov/svc HTTP/1.1\r\n" + OK + ": value\r\n\r\n"));
        // Chunked framing (RFC 9112 §7.1)
        rows.add(parseError("chunk size 0x5", chunked("0x5\r\nhello\r\n0\r\n\r\n")));
        rows.add(parseError("chunk size -1", chunked("-1\r\nhello\r\n0\r\n\r\n")));
        rows.add(parseError("chunk size 21 hex digits", chunked("fffffffffffffffffffff\r\nhello\r\n0\r\n\r\n")));
        rows.add(parseError("chunk size 2^64-1", chunked("ffffffffffffffff\r\nhello\r\n0\r\n\r\n")));
        rows.add(parseError("chunk size 2^63", chunked("8000000000000000\r\nhello\r\n0\r\n\r\n")));
        rows.add(parseError("chunk size with leading space", chunked(" 5\r\nhello\r\n0\r\n\r\n")));
        rows.add(parseError("chunk data without CRLF", chunked("5\r\nhelloXY0\r\n\r\n")));
        rows.add(parseError("Content-Length in trailer", chunked("5\r\nhello\r\n0\r\nContent-Length: 5\r\n\r\n")));
        // Request line (RFC 9112 §3, §2.3)
        rows.add(new Row("HTTP/2.0", "GET /prov/svc HTTP/2.0\r\n" + OK + "\r\n", 505, "version-not-supported", true));
        rows.add(new Row("HTTP/1.2", "GET /prov/svc HTTP/1.2\r\n" + OK + "\r\n", 505, "version-not-supported", true));
        rows.add(parseError("lower-case http/1.1", "GET /prov/svc http/1.1\r\n" + OK + "\r\n"));
        rows.add(parseError("two spaces after method", "GET  /prov/svc HTTP/1.1\r\n" + OK + "\r\n"));
        rows.add(parseError("NUL in the target", "GET /prov/svc/a\0b HTTP/1.1\r\n" + OK + "\r\n"));
        rows.add(new Row("request line too long", "GET /prov/svc/" + "a".repeat(MAX_START_LINE) + " HTTP/1.1\r\n" + OK
                + "\r\n", 414, "uri-too-long", true));
        // Header limits (RFC 6585 §5)
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < MAX_HEADER_COUNT + 4; i++) {
            many.append("X-H").append(i).append(": v\r\n");
        }
        rows.add(new Row("too many headers", "GET /prov/svc HTTP/1.1\r\n" + OK + many + "\r\n", 431,
                "headers-too-large", true));
        rows.add(new Row("header section too large", "GET /prov/svc HTTP/1.1\r\n" + OK + "X-Big: "
                + "b".repeat(MAX_HEADER_BYTES) + "\r\n\r\n", 431, "headers-too-large", true));
        // Host (RFC 9112 §3.2): framing is known, the connection stays usable
        rows.add(new Row("missing Host on HTTP/1.1", "GET /prov/svc HTTP/1.1\r\n" + KEY + "\r\n", 400, "bad-request",
                false));
        rows.add(new Row("two Host headers", "GET /prov/svc HTTP/1.1\r\n" + OK + HOST + "\r\n", 400, "bad-request",
                false));
        // Target forms (RFC 9112 §3.2): routed by path, or refused
        rows.add(new Row("absolute-form to an unknown path", "GET http://elsewhere.example/nope/x HTTP/1.1\r\n" + OK
                + "\r\n", 404, "unknown-service", false));
        rows.add(new Row("absolute-form without a path", "GET http://elsewhere.example HTTP/1.1\r\n" + OK + "\r\n",
                400, "bad-request", false));
        rows.add(new Row("asterisk-form OPTIONS *", "OPTIONS * HTTP/1.1\r\n" + OK + "\r\n", 400, "bad-request", false));
        // Body limits: the rest of a too-large body has nowhere to go, so the connection closes
        rows.add(new Row("body too large by Content-Length", post("Content-Length: " + (MAX_BODY + 1) + "\r\n", ""),
                413, "payload-too-large", true));
        rows.add(new Row("body too large by chunked stream", chunked(Integer.toHexString(MAX_BODY + 88) + "\r\n"
                + "c".repeat(MAX_BODY + 88) + "\r\n"), 413, "payload-too-large", true));
        // Paths that could escape the service prefix (RFC 3986 §2.1, §5.2.4)
        rows.add(badPath("/prov/svc/../x"));
        rows.add(badPath("/prov/svc/%2e%2e/x"));
        rows.add(badPath("/prov/svc/%2E%2e/x"));
        rows.add(badPath("/prov/svc/a%2fb"));
        rows.add(badPath("/prov/svc/a%2Fb"));
        rows.add(badPath("/prov/svc/a%5cb"));
        rows.add(parseError("path /prov/svc/a\\b (not a target byte)", "GET /prov/svc/a\\b HTTP/1.1\r\n" + OK + "\r\n"));
        rows.add(badPath("/prov/svc/a%00b"));
        rows.add(badPath("/prov/svc/./x"));
        rows.add(badPath("/prov/svc/..;/x"));
        rows.add(badPath("/prov//svc"));
        rows.add(badPath("/prov/svc/a%zz"));
        rows.add(badPath("/prov/svc/a%2"));
        rows.add(badPath("/prov/svc/.."));
        rows.add(badPath("/prov/svc/%2e"));
        return rows;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void shouldAnswerMalformedRequestWithoutReachingUpstream(Row row) throws Exception {
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            c.send(row.raw());
            Response r = c.read();
            assertProblem(r, row.status(), row.code());
            if (row.closes()) {
                assertEquals("close", r.header("Connection"), "the framing after this is unknowable");
                assertTrue(c.closedByPeer(), "the gateway closes after answering");
            } else {
                assertNull(r.header("Connection"));
                // Still in step: the next request on the same connection is answered (by the gateway itself).
                Response next = c.send("GET /prov/nope HTTP/1.1\r\n" + OK + "\r\n").read();
                assertProblem(next, 404, "unknown-service");
            }
        }
        assertEquals(0, upstream.requests(), "a malformed request reached the upstream");
    }

}
