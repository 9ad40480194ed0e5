package io.gozargah.codec.http1;

import static io.gozargah.codec.http1.Transcript.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed, ambiguous and smuggling-shaped input, one row each: the error the parser must report, or
 * null where the input is valid and must be accepted. Ambiguous framing is rejected, never guessed
 * (RFC 9112 §6.3, §5.1, §2.2). Each row is also fed byte by byte, which must not change the verdict.
 */
class MalformedInputTest {

    private static final String GET = "GET / HTTP/1.1\r\nHost: a\r\n";
    private static final String POST = "POST / HTTP/1.1\r\nHost: a\r\n";
    private static final String CHUNKED = POST + "Transfer-Encoding: chunked\r\n\r\n";
    private static final Http1Limits SMALL = new Http1Limits(64, 4, 128, 32);

    static Stream<Arguments> requests() {
        return Stream.of(
                row("Content-Length and Transfer-Encoding", POST + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
                        Http1Error.CONTENT_LENGTH_AND_TRANSFER_ENCODING),
                row("Content-Length twice, equal values", POST + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
                        Http1Error.DUPLICATE_CONTENT_LENGTH),
                row("Content-Length +5", POST + "Content-Length: +5\r\n\r\nhello", Http1Error.BAD_CONTENT_LENGTH),
                row("Content-Length -1", POST + "Content-Length: -1\r\n\r\n", Http1Error.BAD_CONTENT_LENGTH),
                row("Content-Length list 5, 5", POST + "Content-Length: 5, 5\r\n\r\nhello", Http1Error.BAD_CONTENT_LENGTH),
                row("Content-Length not a number", POST + "Content-Length: 0x5\r\n\r\n", Http1Error.BAD_CONTENT_LENGTH),
                row("Content-Length empty", POST + "Content-Length: \r\n\r\n", Http1Error.BAD_CONTENT_LENGTH),
                row("Content-Length overflow", POST + "Content-Length: 9223372036854775808\r\n\r\n",
                        Http1Error.BAD_CONTENT_LENGTH),
                row("Content-Length at Long.MAX_VALUE", POST + "Content-Length: 9223372036854775807\r\n\r\n", null),
                row("Transfer-Encoding chunked, gzip", POST + "Transfer-Encoding: chunked, gzip\r\n\r\n",
                        Http1Error.BAD_TRANSFER_ENCODING),
                row("Transfer-Encoding gzip", POST + "Transfer-Encoding: gzip\r\n\r\n", Http1Error.BAD_TRANSFER_ENCODING),
                row("Transfer-Encoding chunked twice in one field", POST + "Transfer-Encoding: chunked, chunked\r\n\r\n",
                        Http1Error.BAD_TRANSFER_ENCODING),
                row("Transfer-Encoding chunked in two fields",
                        POST + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
                        Http1Error.BAD_TRANSFER_ENCODING),
                row("Transfer-Encoding gzip, chunked", POST + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                        Http1Error.UNSUPPORTED_TRANSFER_CODING),
                row("Transfer-Encoding unknown coding", POST + "Transfer-Encoding: foo, chunked\r\n\r\n",
                        Http1Error.UNSUPPORTED_TRANSFER_CODING),
                row("Transfer-Encoding chunkedchunked", POST + "Transfer-Encoding: chunkedchunked\r\n\r\n",
                        Http1Error.BAD_TRANSFER_ENCODING),
                row("Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                        Http1Error.BAD_TRANSFER_ENCODING),
                row("Transfer-Encoding with space before colon", POST + "Transfer-Encoding : chunked\r\n\r\n",
                        Http1Error.WHITESPACE_BEFORE_COLON),
                row("Connection names Content-Length", POST + "Connection: content-length\r\nContent-Length: 3\r\n\r\nabc",
                        Http1Error.CONNECTION_NAMES_FRAMING_FIELD),
                row("Connection names Transfer-Encoding, among others",
                        POST + "Connection: keep-alive, Transfer-Encoding\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                        Http1Error.CONNECTION_NAMES_FRAMING_FIELD),
                row("Connection names Host", GET + "Connection: HOST\r\n\r\n", Http1Error.CONNECTION_NAMES_FRAMING_FIELD),
                row("Connection names Trailer", GET + "Connection: trailer\r\n\r\n",
                        Http1Error.CONNECTION_NAMES_FRAMING_FIELD),
                row("Connection names a gateway field", GET + "Connection: close,X-Gozargah-Consumer\r\n\r\n",
                        Http1Error.CONNECTION_NAMES_FRAMING_FIELD),
                row("Connection names TE and Upgrade (RFC 9110 requires it)",
                        GET + "Connection: TE, Upgrade, HTTP2-Settings\r\nTE: trailers\r\nUpgrade: h2c\r\n\r\n", null),
                row("Connection names a field that only looks like Content-Length", GET + "Connection: content-lengths\r\n\r\n",
                        null),
                row("obs-fold", GET + "X-Long: a\r\n b\r\n\r\n", Http1Error.OBS_FOLD),
                row("whitespace-led line after the request line", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", Http1Error.OBS_FOLD),
                row("bare CR in a value", GET + "X-A: a\rb\r\n\r\n", Http1Error.BARE_CR),
                row("bare CR in the request line", "GET /\r HTTP/1.1\r\n\r\n", Http1Error.BARE_CR),
                // A bare CR is reported even when the line has another fault that comes before it.
                row("bare CR after an invalid method byte", "GE(T /\rx HTTP/1.1\r\n\r\n", Http1Error.BARE_CR),
                row("bare CR after an invalid target byte", "GET /a#\rb HTTP/1.1\r\n\r\n", Http1Error.BARE_CR),
                row("bare CR in a request line without version", "GET /\rx\r\n\r\n", Http1Error.BARE_CR),
                row("bare CR in a name", GET + "X\rA: 1\r\n\r\n", Http1Error.BARE_CR),
                row("bare CR after whitespace before colon", GET + "Host : a\rb\r\n\r\n", Http1Error.BARE_CR),
                row("bare CR in a line ending with a bare LF", GET + "X-A: a\rb\n\r\n", Http1Error.BARE_CR),
                row("bare CR in a field line over the count", GET + "A: 1\r\nB: 2\r\nC: 3\r\nD: \r4\r\n\r\n",
                        Http1Error.BARE_CR),
                row("bare CR in a chunk-size line", CHUNKED + "5\r;a\r\nhello\r\n0\r\n\r\n", Http1Error.BARE_CR),
                row("CRLF of a request line across the limit", "GET /" + "a".repeat(51) + " HTTP/1.1\r\n\r\n",
                        Http1Error.URI_TOO_LONG),
                row("bare CR at the request line limit", "GET /" + "a".repeat(51) + " HTTP/1.1\rX\r\n\r\n",
                        Http1Error.BARE_CR),
                row("request line at the limit", "GET /" + "a".repeat(50) + " HTTP/1.1\r\nHost: a\r\n\r\n", null),
                row("bare LF ending a field line", GET + "X-A: a\n\r\n", Http1Error.BARE_LF),
                row("bare LF ending the request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", Http1Error.BARE_LF),
                row("NUL in a value", GET + "X-A: a\0b\r\n\r\n", Http1Error.BAD_HEADER_VALUE),
                row("DEL in a value", GET + "X-A: a\u007fb\r\n\r\n", Http1Error.BAD_HEADER_VALUE),
                row("HTAB and obs-text in a value", GET + "X-A: a\tb\u00e9\r\n\r\n", null),
                row("chunk size 0x5", CHUNKED + "0x5\r\nhello\r\n0\r\n\r\n", Http1Error.BAD_CHUNK_SIZE),
                row("chunk size -1", CHUNKED + "-1\r\nx\r\n0\r\n\r\n", Http1Error.BAD_CHUNK_SIZE),
                row("chunk size with leading space", CHUNKED + " 5\r\nhello\r\n0\r\n\r\n", Http1Error.BAD_CHUNK_SIZE),
                row("chunk size with trailing space", CHUNKED + "5 \r\nhello\r\n0\r\n\r\n", Http1Error.BAD_CHUNK_SIZE),
                row("chunk size overflow", CHUNKED + "fffffffffffffffffffff\r\n", Http1Error.CHUNK_SIZE_OVERFLOW),
                row("chunk size just past Long.MAX_VALUE", CHUNKED + "8000000000000000\r\n", Http1Error.CHUNK_SIZE_OVERFLOW),
                row("chunk line too long", CHUNKED + "1;" + "e".repeat(40) + "\r\nx\r\n0\r\n\r\n", Http1Error.BAD_CHUNK_SIZE),
                row("chunk size empty", CHUNKED + "\r\n", Http1Error.BAD_CHUNK_SIZE),
                row("chunk extension with a CTL", CHUNKED + "5;a=\u0001\r\nhello\r\n0\r\n\r\n", Http1Error.BAD_CHUNK_EXTENSION),
                row("chunk extension without a name", CHUNKED + "5;\r\nhello\r\n0\r\n\r\n", Http1Error.BAD_CHUNK_EXTENSION),
                row("chunk extension unbalanced quote", CHUNKED + "5;a=\"b\r\nhello\r\n0\r\n\r\n",
                        Http1Error.BAD_CHUNK_EXTENSION),
                row("chunk data without CRLF", CHUNKED + "5\r\nhelloXX0\r\n\r\n", Http1Error.BAD_CHUNK_DELIMITER),
                row("chunk data with LF only", CHUNKED + "5\r\nhello\n0\r\n\r\n", Http1Error.BAD_CHUNK_DELIMITER),
                row("chunked body with trailers", CHUNKED + "5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n", null),
                row("trailer that sets Content-Length", CHUNKED + "0\r\nContent-Length: 5\r\n\r\n", Http1Error.BAD_TRAILER),
                row("trailer with obs-fold", CHUNKED + "0\r\nX-T: 1\r\n 2\r\n\r\n", Http1Error.OBS_FOLD),
                row("absolute-form", "GET http://gw.example/nocr/identity HTTP/1.1\r\nHost: gw.example\r\n\r\n", null),
                row("absolute-form with another scheme", "GET ftp://gw.example/x HTTP/1.1\r\nHost: a\r\n\r\n",
                        Http1Error.BAD_TARGET),
                row("asterisk-form with OPTIONS", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", null),
                row("asterisk-form with GET", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", Http1Error.BAD_TARGET),
                row("CONNECT authority-form", "CONNECT gw.example:443 HTTP/1.1\r\nHost: gw.example:443\r\n\r\n", null),
                row("CONNECT origin-form", "CONNECT /x HTTP/1.1\r\nHost: a\r\n\r\n", Http1Error.BAD_TARGET),
                row("authority-form with GET", "GET gw.example:443 HTTP/1.1\r\nHost: a\r\n\r\n", Http1Error.BAD_TARGET),
                row("fragment in target", "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", Http1Error.BAD_TARGET),
                row("non-ASCII in target", "GET /\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n", Http1Error.BAD_TARGET),
                row("HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", Http1Error.BAD_VERSION),
                row("HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", Http1Error.BAD_VERSION),
                row("lowercase http/1.1", "GET / http/1.1\r\nHost: a\r\n\r\n", Http1Error.BAD_REQUEST_LINE),
                row("HTTP/0.9 request line", "GET /\r\n\r\n", Http1Error.BAD_REQUEST_LINE),
                row("two spaces after the method", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", Http1Error.BAD_REQUEST_LINE),
                row("trailing space after the version", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", Http1Error.BAD_REQUEST_LINE),
                row("invalid method token", "GE(T / HTTP/1.1\r\nHost: a\r\n\r\n", Http1Error.BAD_METHOD),
                row("extension method", "PROPFIND /x HTTP/1.1\r\nHost: a\r\n\r\n", null),
                row("leading empty lines", "\r\n\r\n" + GET + "\r\n", null),
                row("request line too long", "GET /" + "a".repeat(64) + " HTTP/1.1\r\n\r\n", Http1Error.URI_TOO_LONG),
                row("too many headers", GET + "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", Http1Error.TOO_MANY_HEADERS),
                row("headers too large", GET + "X-Big: " + "b".repeat(120) + "\r\n\r\n", Http1Error.HEADERS_TOO_LARGE),
                row("invalid character in a name", GET + "X(A): 1\r\n\r\n", Http1Error.BAD_HEADER_NAME),
                row("empty name", GET + ": 1\r\n\r\n", Http1Error.BAD_HEADER_NAME),
                row("field line without colon", GET + "X-A 1\r\n\r\n", Http1Error.WHITESPACE_BEFORE_COLON),
                row("field line without colon or space", GET + "X-A\r\n\r\n", Http1Error.BAD_HEADER_NAME),
                row("whitespace before colon", GET + "Host : a\r\n\r\n", Http1Error.WHITESPACE_BEFORE_COLON));
    }

    static Stream<Arguments> responses() {
        return Stream.of(
                row("response 101", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n",
                        Http1Error.UNSUPPORTED_UPGRADE),
                row("response Transfer-Encoding gzip", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxx",
                        Http1Error.BAD_TRANSFER_ENCODING),
                row("response Content-Length and Transfer-Encoding",
                        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                        Http1Error.CONTENT_LENGTH_AND_TRANSFER_ENCODING),
                row("response status of two digits", "HTTP/1.1 20 OK\r\n\r\n", Http1Error.BAD_STATUS_LINE),
                row("response status 600", "HTTP/1.1 600 Odd\r\n\r\n", Http1Error.BAD_STATUS_LINE),
                row("response HTTP/2.0", "HTTP/2.0 200 OK\r\n\r\n", Http1Error.BAD_VERSION),
                row("response status line too long", "HTTP/1.1 200 " + "o".repeat(9000) + "\r\n\r\n",
                        Http1Error.BAD_STATUS_LINE),
                row("response bare CR in the reason", "HTTP/1.1 200 O\rK\r\n\r\n", Http1Error.BARE_CR),
                row("response bare CR after a bad status", "HTTP/1.1 2x0 O\rK\r\n\r\n", Http1Error.BARE_CR),
                row("response without reason", "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", null),
                row("response truncated body", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc",
                        Http1Error.UNEXPECTED_EOF),
                row("response truncated chunked body", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
                        Http1Error.UNEXPECTED_EOF));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void request(String name, String input, Http1Error expected) {
        assertVerdict(expected, Transcript.request(SMALL, bytes(input)));
        assertVerdict(expected, Transcript.request(SMALL, Transcript.byteByByte(bytes(input))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("responses")
    void response(String name, String input, Http1Error expected) {
        assertVerdict(expected, Transcript.response(List.of(HttpMethod.GET), bytes(input)));
        assertVerdict(expected, Transcript.response(List.of(HttpMethod.GET), Transcript.byteByByte(bytes(input))));
    }

    private static void assertVerdict(Http1Error expected, String transcript) {
        if (expected == null) {
            assertFalse(transcript.startsWith("ERROR") || transcript.contains("\nERROR"), transcript);
        } else {
            String last = transcript.substring(transcript.lastIndexOf('\n', transcript.length() - 2) + 1).trim();
            assertEquals(expected.name(), last.substring(last.lastIndexOf(' ') + 1), transcript);
        }
    }

    private static Arguments row(String name, String input, Http1Error expected) {
        return arguments(name, input, expected);
    }
}
