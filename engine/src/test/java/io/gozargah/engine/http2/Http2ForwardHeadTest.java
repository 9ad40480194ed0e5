package io.gozargah.engine.http2;

import io.gozargah.engine.admission.Admission;
import io.gozargah.engine.config.ConfigLoader;
import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.exchange.ClientForwarding;
import io.gozargah.engine.exchange.ExchangeStages;
import io.gozargah.engine.exchange.ForwardHead;
import io.gozargah.engine.exchange.TransactionIds;
import io.gozargah.engine.route.PathRouter;
import io.gozargah.engine.route.RouteMatch;
import io.gozargah.engine.route.ServiceRoute;
import io.gozargah.engine.server.ServerContext;
import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.trace.TraceParent;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An HTTP/2 consumer's HEADERS rendered as the HEADERS an HTTP/2 provider gets ({@link ForwardHead#http2}): the
 * gateway's own pseudo-header fields in place of the consumer's, the consumer's fields as decoded (cookie crumbs
 * too, RFC 9113 §8.2.3) minus what is never forwarded, and the gateway's identity and trace fields.
 */
class Http2ForwardHeadTest {
    private static final long TX_MSB = 0x0192_3456_789a_7bcdL;
    private static final long TX_LSB = 0x8123_4567_89ab_cdefL;
    private static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @TempDir
    Path dir;
    private ServerContext server;
    private Admission admission;
    private final TraceParent trace = new TraceParent();
    private final byte[] transactionLine = new byte[TransactionIds.TEXT_LENGTH];

    @BeforeEach
    void start() throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, GatewayFixture.standardYaml(9, "    protocol: h2c\n", null));
        GatewayConfig config = ConfigLoader.load(file);
        admission = Admission.open(config.admission(), () -> 0L);
        server = new ServerContext(config, EmbeddedChannel::new, new ExchangeStages(List.of()), admission, null,
                () -> 0L);
    }

    @AfterEach
    void stop() throws Exception {
        admission.close();
    }

    private Http2Headers render(Http2Headers request) {
        Http2RequestView head = new Http2RequestView(request, true);
        try {
            assertTrue(head.check(server), head.detail());
            RouteMatch match = new RouteMatch();
            assertEquals(PathRouter.Verdict.ROUTED, PathRouter.route(server.snapshot(), head.target(),
                    head.targetStart(), head.targetLength(), match));
            ServiceRoute service = match.service();
            trace.start(TX_MSB, TX_LSB);
            head.readTraceParent(trace);
            TransactionIds.writeText(transactionLine, 0, TX_MSB, TX_LSB);
            return ForwardHead.http2(head, match, service, service.endpoints()[0], server.snapshot().consumer("alice"),
                    transactionLine, 0, ClientForwarding.of(new InetSocketAddress("10.1.2.3", 4567), false), trace);
        } finally {
            head.release();
        }
    }

    private static List<String> values(Http2Headers h, String name) {
        return h.getAll(name).stream().map(CharSequence::toString).toList();
    }

    @Test
    void shouldReplaceTheConsumersPseudoHeaderFieldsWithTheGateways() {
        Http2Headers h = render(new DefaultHttp2Headers().method("GET").scheme("https").authority("gw.example")
                .path("/prov/svc/x?y=1").add("x-api-key", ALICE_KEY).add("cookie", "a=1").add("cookie", "b=2")
                .add("accept", "application/json"));
        assertEquals("GET", h.method().toString());
        assertEquals("http", h.scheme().toString(), "the endpoint's scheme");
        assertEquals("127.0.0.1:9", h.authority().toString(), "the endpoint's authority");
        assertEquals("/base/api/svc/x?y=1", h.path().toString());
        assertEquals(List.of("a=1", "b=2"), values(h, "cookie"), "crumbs may go on as they are (RFC 9113 §8.2.3)");
        assertEquals(List.of("application/json"), values(h, "accept"));
        assertNull(h.get("x-api-key"));
        assertEquals(List.of("alice"), values(h, "x-gozargah-consumer"));
        assertEquals(List.of("10.1.2.3"), values(h, "x-forwarded-for"));
        assertEquals(List.of("http"), values(h, "x-forwarded-proto"));
        assertEquals(List.of(TransactionIds.toText(TX_MSB, TX_LSB)), values(h, "x-gozargah-transaction"));
    }

    @Test
    void shouldKeepAValidTraceAndReplaceARepeatedOne() {
        String span = String.format("%016x", TX_MSB ^ TX_LSB);
        Http2Headers valid = render(new DefaultHttp2Headers().method("GET").scheme("http").authority("gw")
                .path("/prov/svc").add("traceparent", VALID).add("tracestate", "a=b"));
        assertEquals(List.of(VALID.substring(0, 36) + span + "-01"), values(valid, "traceparent"));
        assertEquals(List.of("a=b"), values(valid, "tracestate"));

        Http2Headers repeated = render(new DefaultHttp2Headers().method("GET").scheme("http").authority("gw")
                .path("/prov/svc").add("traceparent", VALID).add("traceparent", VALID).add("tracestate", "a=b"));
        assertEquals(List.of("00-" + TransactionIds.toText(TX_MSB, TX_LSB).replace("-", "") + "-" + span + "-01"),
                values(repeated, "traceparent"));
        assertFalse(repeated.contains("tracestate"));
    }
}
