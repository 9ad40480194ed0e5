package io.gozargah.codec.http1;

import static io.gozargah.codec.http1.Transcript.byteByByte;
import static io.gozargah.codec.http1.Transcript.bytes;
import static io.gozargah.codec.http1.Transcript.split;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every valid message, fed whole, split in two at every byte boundary and fed byte by byte, must be
 * reported identically (Netty's {@code HttpRequestDecoderTest} practice). The whole-input transcript is
 * also checked against what the message says, so an identical wrong answer does not pass.
 */
class SplitInputTest {

    private static final List<HttpMethod> GETS = List.of(HttpMethod.GET, HttpMethod.GET, HttpMethod.GET);

    @TestFactory
    Stream<DynamicTest> requestsParseTheSameWhateverTheCuts() {
        return Stream.of(
                request("GET with headers",
                        "GET /nocr/identity?id=42 HTTP/1.1\r\nHost: gw.example\r\nX-Api-Key:  k1 \r\n"
                                + "Accept: */*\r\n\r\n",
                        "HEAD GET GET /nocr/identity?id=42 HTTP/1.1 framing=NONE length=-1 keepAlive=true"
                                + " continue=false hosts=1 headLength=85\n"
                                + "  Host: 'gw.example' id=1 line=18\n"
                                + "  X-Api-Key: 'k1' id=13 line=17\n"
                                + "  Accept: '*/*' id=0 line=13\n"
                                + "COMPLETE\nEND NEED_MORE"),
                request("POST with Content-Length body",
                        "POST /sms/send HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\nExpect: 100-Continue\r\n\r\n"
                                + "hello world",
                        "HEAD POST POST /sms/send HTTP/1.1 framing=CONTENT_LENGTH length=11 keepAlive=true"
                                + " continue=true hosts=1 headLength=78\n"
                                + "  Host: 'a' id=1 line=9\n"
                                + "  Content-Length: '11' id=2 line=20\n"
                                + "  Expect: '100-Continue' id=10 line=22\n"
                                + "BODY 'hello world'\nCOMPLETE\nEND NEED_MORE"),
                request("chunked with extensions and trailers",
                        "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                                + "5;name=value;quoted=\"a b\"\r\nhello\r\n6\r\n world\r\n"
                                + "0\r\nDigest: sha-256=x\r\nX-Trace: 1\r\n\r\n",
                        "HEAD POST POST /upload HTTP/1.1 framing=CHUNKED length=-1 keepAlive=true"
                                + " continue=false hosts=1 headLength=62\n"
                                + "  Host: 'a' id=1 line=9\n"
                                + "  Transfer-Encoding: 'chunked' id=3 hop-by-hop line=28\n"
                                + "BODY 'hello world'\nTRAILERS\n"
                                + "  Digest: 'sha-256=x' id=0 line=19\n"
                                + "  X-Trace: '1' id=0 line=12\n"
                                + "COMPLETE\nEND NEED_MORE"),
                request("names with underscores, first, inside and last",
                        "GET / HTTP/1.1\r\nHost: a\r\nX_Gozargah_Consumer: medu\r\n_a: 1\r\nX-Api_Key: k\r\nb_: 2\r\n"
                                + "X-Forwarded-For: 6.6.6.6\r\n\r\n",
                        "HEAD GET GET / HTTP/1.1 framing=NONE length=-1 keepAlive=true continue=false hosts=1"
                                + " headLength=108\n"
                                + "  Host: 'a' id=1 line=9\n"
                                + "  X_Gozargah_Consumer: 'medu' id=0 underscore line=27\n"
                                + "  _a: '1' id=0 underscore line=7\n"
                                + "  X-Api_Key: 'k' id=0 underscore line=14\n"
                                + "  b_: '2' id=0 underscore line=7\n"
                                + "  X-Forwarded-For: '6.6.6.6' id=14 line=26\n"
                                + "COMPLETE\nEND NEED_MORE"),
                request("HTTP/1.0 keep-alive",
                        "GET / HTTP/1.0\r\nConnection: Keep-Alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: 5\r\n\r\n",
                        "HEAD GET GET / HTTP/1.0 framing=NONE length=-1 keepAlive=true continue=false hosts=0"
                                + " headLength=74\n"
                                + "  Connection: 'Keep-Alive, X-Hop' id=4 hop-by-hop line=31\n"
                                + "  X-Hop: '1' id=0 hop-by-hop line=10\n"
                                + "  Keep-Alive: '5' id=5 hop-by-hop line=15\n"
                                + "COMPLETE\nEND NEED_MORE"),
                request("pipelined requests after empty lines",
                        "\r\n\r\nGET /a HTTP/1.1\r\nHost: a\r\n\r\nPOST /b HTTP/1.1\r\nHost: a\r\n"
                                + "Content-Length: 3\r\nConnection: close\r\n\r\nxyzDELETE /c HTTP/1.1\r\nHost: a\r\n\r\n",
                        "HEAD GET GET /a HTTP/1.1 framing=NONE length=-1 keepAlive=true continue=false hosts=1"
                                + " headLength=28\n"
                                + "  Host: 'a' id=1 line=9\n"
                                + "COMPLETE\n"
                                + "HEAD POST POST /b HTTP/1.1 framing=CONTENT_LENGTH length=3 keepAlive=false"
                                + " continue=false hosts=1 headLength=67\n"
                                + "  Host: 'a' id=1 line=9\n"
                                + "  Content-Length: '3' id=2 line=19\n"
                                + "  Connection: 'close' id=4 hop-by-hop line=19\n"
                                + "BODY 'xyz'\nCOMPLETE\n"
                                + "HEAD DELETE DELETE /c HTTP/1.1 framing=NONE length=-1 keepAlive=true continue=false"
                                + " hosts=1 headLength=31\n"
                                + "  Host: 'a' id=1 line=9\n"
                                + "COMPLETE\nEND NEED_MORE")
        ).flatMap(c -> c.tests(Transcript::request));
    }

    @TestFactory
    Stream<DynamicTest> responsesParseTheSameWhateverTheCuts() {
        return Stream.of(
                response("Content-Length", GETS,
                        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Gozargah-Transaction: t\r\n\r\nhello",
                        "HEAD 200 'OK' HTTP/1.1 framing=CONTENT_LENGTH length=5 keepAlive=true headLength=65\n"
                                + "  Content-Length: '5' id=2 line=19\n"
                                + "  X-Gozargah-Transaction: 't' id=16 line=27\n"
                                + "BODY 'hello'\nCOMPLETE\nEND NEED_MORE"),
                response("chunked", GETS,
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n",
                        "HEAD 200 'OK' HTTP/1.1 framing=CHUNKED length=-1 keepAlive=true headLength=47\n"
                                + "  Transfer-Encoding: 'chunked' id=3 hop-by-hop line=28\n"
                                + "BODY '0123456789'\nCOMPLETE\nEND NEED_MORE"),
                response("close-delimited", GETS,
                        "HTTP/1.0 200 OK\r\nServer: old\r\n\r\nuntil the end",
                        "HEAD 200 'OK' HTTP/1.0 framing=UNTIL_CLOSE length=-1 keepAlive=false headLength=32\n"
                                + "  Server: 'old' id=18 line=13\n"
                                + "BODY 'until the end'\nEND MESSAGE_COMPLETE"),
                response("100 then 200", GETS,
                        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                        "HEAD 100 'Continue' HTTP/1.1 framing=NONE length=-1 keepAlive=true headLength=25\n"
                                + "COMPLETE\n"
                                + "HEAD 200 'OK' HTTP/1.1 framing=CONTENT_LENGTH length=2 keepAlive=true headLength=38\n"
                                + "  Content-Length: '2' id=2 line=19\n"
                                + "BODY 'ok'\nCOMPLETE\nEND NEED_MORE"),
                response("103 then 200", GETS,
                        "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
                                + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
                        "HEAD 103 'Early Hints' HTTP/1.1 framing=NONE length=-1 keepAlive=true headLength=57\n"
                                + "  Link: '</s.css>; rel=preload' id=0 line=29\n"
                                + "COMPLETE\n"
                                + "HEAD 200 'OK' HTTP/1.1 framing=CONTENT_LENGTH length=0 keepAlive=true headLength=38\n"
                                + "  Content-Length: '0' id=2 line=19\n"
                                + "COMPLETE\nEND NEED_MORE"),
                response("204 with a Content-Length header, then 304, then 200", GETS,
                        "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n"
                                + "HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n"
                                + "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n1234567",
                        "HEAD 204 'No Content' HTTP/1.1 framing=NONE length=-1 keepAlive=true headLength=46\n"
                                + "  Content-Length: '7' id=2 line=19\n"
                                + "COMPLETE\n"
                                + "HEAD 304 'Not Modified' HTTP/1.1 framing=NONE length=-1 keepAlive=true headLength=48\n"
                                + "  Content-Length: '7' id=2 line=19\n"
                                + "COMPLETE\n"
                                + "HEAD 200 'OK' HTTP/1.1 framing=CONTENT_LENGTH length=7 keepAlive=true headLength=38\n"
                                + "  Content-Length: '7' id=2 line=19\n"
                                + "BODY '1234567'\nCOMPLETE\nEND NEED_MORE"),
                response("response to HEAD with Content-Length", List.of(HttpMethod.HEAD, HttpMethod.GET),
                        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nHTTP/1.1 404 \r\nContent-Length: 1\r\n\r\nx",
                        "HEAD 200 'OK' HTTP/1.1 framing=NONE length=-1 keepAlive=true headLength=40\n"
                                + "  Content-Length: '100' id=2 line=21\n"
                                + "COMPLETE\n"
                                + "HEAD 404 '' HTTP/1.1 framing=CONTENT_LENGTH length=1 keepAlive=true headLength=36\n"
                                + "  Content-Length: '1' id=2 line=19\n"
                                + "BODY 'x'\nCOMPLETE\nEND NEED_MORE")
        ).flatMap(c -> c.tests(fragments -> Transcript.response(c.methods, fragments)));
    }

    private static Case request(String name, String input, String expected) {
        return new Case(name, List.of(), input, expected);
    }

    private static Case response(String name, List<HttpMethod> methods, String input, String expected) {
        return new Case(name, methods, input, expected);
    }

    private static final class Case {
        final String name;
        final List<HttpMethod> methods;
        final byte[] input;
        final String expected;

        Case(String name, List<HttpMethod> methods, String input, String expected) {
            this.name = name;
            this.methods = methods;
            this.input = bytes(input);
            this.expected = expected;
        }

        Stream<DynamicTest> tests(Function<byte[][], String> parse) {
            return Stream.of(
                    DynamicTest.dynamicTest(name + ": whole", () -> assertEquals(expected, parse.apply(new byte[][] {input}))),
                    DynamicTest.dynamicTest(name + ": split at every byte", () -> {
                        for (int cut = 0; cut <= input.length; cut++) {
                            assertEquals(expected, parse.apply(split(input, cut)), "cut at " + cut);
                        }
                    }),
                    DynamicTest.dynamicTest(name + ": byte by byte", () -> {
                        String transcript = parse.apply(byteByByte(input));
                        assertEquals(expected, transcript);
                        assertFalse(transcript.contains("ERROR"));
                    }));
        }
    }
}
