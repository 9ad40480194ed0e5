package io.gozargah.engine.http1;

import io.gozargah.codec.http1.Http1Limits;
import io.gozargah.codec.http1.HttpRequestParser;
import io.gozargah.codec.http1.ParseResult;
import io.gozargah.engine.config.ConfigLoader;
import io.gozargah.engine.exchange.ClientForwarding;
import io.gozargah.engine.exchange.ForwardHead;
import io.gozargah.engine.exchange.TransactionIds;
import io.gozargah.engine.route.PathRouter;
import io.gozargah.engine.route.RouteMatch;
import io.gozargah.engine.route.RoutingSnapshot;
import io.gozargah.engine.route.ServiceRoute;
import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.trace.TraceParent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An HTTP/1.1 request head rendered as the HEADERS an HTTP/2 provider gets ({@link ForwardHead#http2}): the
 * pseudo-header fields first (RFC 9113 §8.3.1), {@code Host} as {@code :authority}, names lower case, no
 * connection-specific field (§8.2.2), and the gateway's identity and trace fields with its own values.
 */
class Http1ForwardHeadTest {
    private static final long TX_MSB = 0x0192_3456_789a_7bcdL;
    private static final long TX_LSB = 0x8123_4567_89ab_cdefL;
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    private static RoutingSnapshot snapshot;
    private final HttpRequestParser parser = new HttpRequestParser(Http1Limits.defaults());
    private final TraceParent trace = new TraceParent();
    private final byte[] transactionLine = new byte[8 + TransactionIds.TEXT_LENGTH];
    private ByteBuf input;

    @BeforeAll
    static void load(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, GatewayFixture.standardYaml(9, "    protocol: h2c\n", null));
        snapshot = RoutingSnapshot.build(ConfigLoader.load(file));
    }

    @AfterEach
    void release() {
        if (input != null) {
            input.release();
        }
    }

    /** The HEADERS for {@code request} (an HTTP/1.1 head) as forwarded to prov's HTTP/2 endpoint. */
    private Http2Headers render(String request) {
        input = Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1);
        assertEquals(ParseResult.HEAD, parser.parse(input), request);
        Http1RequestView head = new Http1RequestView().of(parser.head());
        RouteMatch match = new RouteMatch();
        assertEquals(PathRouter.Verdict.ROUTED,
                PathRouter.route(snapshot, head.target(), head.targetStart(), head.targetLength(), match));
        ServiceRoute service = match.service();
        trace.start(TX_MSB, TX_LSB);
        head.readTraceParent(trace);
        TransactionIds.writeText(transactionLine, 8, TX_MSB, TX_LSB);
        return ForwardHead.http2(head, match, service, service.endpoints()[0], snapshot.consumer("alice"),
                transactionLine, 8, ClientForwarding.of(new InetSocketAddress("10.1.2.3", 4567), true), trace);
    }

    private static List<String> names(Http2Headers h) {
        List<String> names = new ArrayList<>();
        for (Map.Entry<CharSequence, CharSequence> field : h) {
            names.add(field.getKey().toString());
        }
        return names;
    }

    private static String get(Http2Headers h, String name) {
        CharSequence v = h.get(name);
        return v == null ? null : v.toString();
    }

    @Test
    void shouldPutThePseudoHeaderFieldsFirstWithHostAsAuthority() {
        Http2Headers h = render("GET /prov/svc/a/b?q=1&r=2 HTTP/1.1\r\nHost: gw.example\r\nAccept: text/plain\r\n\r\n");
        assertEquals(List.of(":method", ":scheme", ":authority", ":path"), names(h).subList(0, 4));
        assertEquals("GET", get(h, ":method"));
        assertEquals("http", get(h, ":scheme"));
        assertEquals("127.0.0.1:9", get(h, ":authority"), "the endpoint's authority, not the client's Host");
        assertEquals("/base/api/svc/a/b?q=1&r=2", get(h, ":path"));
        assertNull(h.get("host"), "Host becomes :authority (RFC 9113 §8.3.1)");
        assertEquals("text/plain", get(h, "accept"));
        assertTrue(names(h).stream().noneMatch(n -> !n.equals(n.toLowerCase())), "names are lower case: " + names(h));
    }

    @Test
    void shouldKeepAnExtensionMethodAndAServiceMappedToTheRoot() {
        Http2Headers h = render("PURGE /prov/root HTTP/1.1\r\nHost: gw\r\n\r\n");
        assertEquals("PURGE", get(h, ":method"));
        assertEquals("/base/", get(h, ":path"));
    }

    @Test
    void shouldDropConnectionSpecificFieldsAndSendNoTeButTrailers() {
        Http2Headers h = render("POST /prov/svc HTTP/1.1\r\nHost: gw\r\nConnection: keep-alive, X-Drop-Me\r\n"
                + "Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: trailers, gzip\r\n"
                + "Upgrade: h2c\r\nX-Drop-Me: 1\r\nTransfer-Encoding: chunked\r\nX-Kept: yes\r\n\r\n");
        for (String name : List.of("connection", "keep-alive", "proxy-connection", "upgrade", "transfer-encoding",
                "x-drop-me", "host")) {
            assertNull(h.get(name), name + " is connection-specific (RFC 9113 §8.2.2)");
        }
        for (CharSequence te : h.getAll("te")) {
            assertEquals("trailers", te.toString(), "te may only say trailers (RFC 9113 §8.2.2)");
        }
        assertEquals("yes", get(h, "x-kept"));
        assertNull(h.get("content-length"), "a body of unknown length: DATA frames and END_STREAM delimit it");
    }

    @Test
    void shouldSendTheGatewaysFramingIdentityAndTrace() {
        Http2Headers h = render("PUT /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + GatewayFixture.ALICE_KEY
                + "\r\nContent-Length: 5\r\nX-Gozargah-Consumer: medu\r\nX-Forwarded-For: 6.6.6.6\r\n"
                + "traceparent: 00-" + TRACE + "-00f067aa0ba902b7-00\r\ntracestate: a=b\r\n\r\n");
        assertEquals("PUT", get(h, ":method"));
        assertEquals("5", get(h, "content-length"));
        assertEquals(List.of("alice"), values(h, "x-gozargah-consumer"));
        assertEquals(List.of(TransactionIds.toText(TX_MSB, TX_LSB)), values(h, "x-gozargah-transaction"));
        assertEquals(List.of("10.1.2.3"), values(h, "x-forwarded-for"));
        assertEquals(List.of("https"), values(h, "x-forwarded-proto"));
        assertEquals(List.of("00-" + TRACE + "-" + String.format("%016x", TX_MSB ^ TX_LSB) + "-00"),
                values(h, "traceparent"));
        assertEquals(List.of("a=b"), values(h, "tracestate"));
        assertNull(h.get("x-api-key"), "the key never goes upstream");
    }

    @Test
    void shouldStartItsOwnTraceAndSayABodilessPostIsEmpty() {
        Http2Headers h = render("POST /prov/svc HTTP/1.1\r\nHost: gw\r\ntracestate: a=b\r\n\r\n");
        assertEquals(List.of("00-" + TransactionIds.toText(TX_MSB, TX_LSB).replace("-", "") + "-"
                + String.format("%016x", TX_MSB ^ TX_LSB) + "-01"), values(h, "traceparent"));
        assertFalse(h.contains("tracestate"), "no tracestate without the consumer's valid traceparent");
        assertEquals("0", get(h, "content-length"));
    }

    private static List<String> values(Http2Headers h, String name) {
        return h.getAll(name).stream().map(CharSequence::toString).toList();
    }
}
