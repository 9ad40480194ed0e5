package io.gozargah.engine.trace;

import io.gozargah.engine.exchange.Exchange;
import io.gozargah.engine.exchange.ExchangeStage;
import io.gozargah.engine.exchange.TransactionIds;
import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.H2Client;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.TestH2Upstream;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * W3C Trace Context through the gateway (issue 22 item 9), from an HTTP/1.1 and an HTTP/2 consumer to an HTTP/1.1
 * and an HTTP/2 provider, checked in what the provider receives and what the consumer gets back: a consumer's valid
 * {@code traceparent} keeps its trace id and sampled flag with the gateway's span as the parent, and its
 * {@code tracestate} goes along; a malformed or repeated one is replaced by a trace whose id is the transaction id
 * (as the journal records it), and its {@code tracestate} stays behind; a request without one starts that trace.
 * Every response, the gateway's own answers included, carries the gateway's {@code traceparent}, never the
 * provider's.
 */
class TraceContextIT {
    private static final String CONSUMER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String VALID = "00-" + CONSUMER_TRACE + "-00f067aa0ba902b7-01";
    private static final String UNSAMPLED = "00-" + CONSUMER_TRACE + "-00f067aa0ba902b7-00";
    private static final String STATE = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7";
    /** What the providers here answer with: theirs must not reach the consumer. */
    private static final String PROVIDER_TRACE = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private static final String PROVIDER_STATE = "provider=own";

    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    /** The transaction id of each exchange as the stages (the journal among them) saw it, by its text. */
    private final Map<String, long[]> completed = new ConcurrentHashMap<>();

    enum Side { HTTP_1_1, HTTP_2 }

    /** One exchange, from both ends. */
    private record Seen(int status, List<String> providerParents, List<String> providerStates,
                        List<String> consumerParents, List<String> consumerStates, String transaction) {

        String providerParent() {
            assertEquals(1, providerParents.size(), "one traceparent reaches the provider: " + providerParents);
            return providerParents.get(0);
        }

        String consumerParent() {
            assertEquals(1, consumerParents.size(), "one traceparent reaches the consumer: " + consumerParents);
            return consumerParents.get(0);
        }
    }

    private Side front;
    private Side back;
    private TestUpstream http1Provider;
    private TestH2Upstream http2Provider;
    private GatewayFixture gateway;

    static Stream<Arguments> paths() {
        return Stream.of(Arguments.of(Side.HTTP_1_1, Side.HTTP_1_1), Arguments.of(Side.HTTP_1_1, Side.HTTP_2),
                Arguments.of(Side.HTTP_2, Side.HTTP_1_1), Arguments.of(Side.HTTP_2, Side.HTTP_2));
    }

    private void start(Side front, Side back) throws Exception {
        this.front = front;
        this.back = back;
        String providerExtra = null;
        if (back == Side.HTTP_1_1) {
            http1Provider = setup.provider((ctx, req) -> {
                DefaultFullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII));
                resp.headers().set("Content-Length", 2).set("traceparent", PROVIDER_TRACE)
                        .set("tracestate", PROVIDER_STATE);
                ctx.writeAndFlush(resp);
            });
        } else {
            http2Provider = setup.provider(TestH2Upstream.h2c(Http2Settings.defaultSettings(), r -> {
                Http2Headers h = new DefaultHttp2Headers().status("200").setInt("content-length", 2)
                        .set("traceparent", PROVIDER_TRACE).set("tracestate", PROVIDER_STATE);
                r.stream().eventLoop().execute(() -> {
                    r.stream().write(new DefaultHttp2HeadersFrame(h, false));
                    r.stream().writeAndFlush(new DefaultHttp2DataFrame(
                            Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII), true));
                });
            }));
            providerExtra = "    protocol: h2c\n";
        }
        gateway = setup.start(setup.standardYaml(providerExtra, null), List.of(new ExchangeStage() {
            @Override
            public void complete(Exchange x) {
                completed.put(TransactionIds.toText(x.txMsb(), x.txLsb()), new long[] {x.txMsb(), x.txLsb()});
            }
        }));
    }

    /** A GET of prov/svc with {@code fields} (name, value pairs) added after the key, and what each end saw. */
    private Seen exchange(String key, String... fields) throws Exception {
        int providerRequests = providerRequests();
        int status;
        List<String> parents = new ArrayList<>();
        List<String> states = new ArrayList<>();
        String transaction;
        if (front == Side.HTTP_1_1) {
            StringBuilder head = new StringBuilder("GET /prov/svc HTTP/1.1\r\nHost: gw\r\n");
            if (key != null) {
                head.append("X-Api-Key: ").append(key).append("\r\n");
            }
            for (int i = 0; i < fields.length; i += 2) {
                head.append(fields[i]).append(": ").append(fields[i + 1]).append("\r\n");
            }
            try (RawHttpClient client = new RawHttpClient(gateway.port())) {
                RawHttpClient.Response r = client.send(head.append("\r\n").toString()).read();
                status = r.status();
                for (String[] h : r.headers()) {
                    if (h[0].equalsIgnoreCase("traceparent")) {
                        parents.add(h[1]);
                    } else if (h[0].equalsIgnoreCase("tracestate")) {
                        states.add(h[1]);
                    }
                }
                transaction = r.header("X-Gozargah-Transaction");
            }
        } else {
            Http2Headers h = key == null ? H2Client.request("GET", "/prov/svc")
                    : H2Client.request("GET", "/prov/svc", "x-api-key", key);
            for (int i = 0; i < fields.length; i += 2) {
                h.add(fields[i].toLowerCase(java.util.Locale.ROOT), fields[i + 1]);
            }
            try (H2Client client = new H2Client(gateway.port())) {
                H2Client.Response r = client.send(h, null);
                status = r.status();
                r.headers.getAll("traceparent").forEach(v -> parents.add(v.toString()));
                r.headers.getAll("tracestate").forEach(v -> states.add(v.toString()));
                transaction = r.header("x-gozargah-transaction");
            }
        }
        List<String> providerParents = new ArrayList<>();
        List<String> providerStates = new ArrayList<>();
        if (providerRequests() > providerRequests) {
            if (back == Side.HTTP_1_1) {
                io.netty.handler.codec.http.HttpHeaders seen = http1Provider.last().headers();
                providerParents.addAll(seen.getAll("traceparent"));
                providerStates.addAll(seen.getAll("tracestate"));
            } else {
                Http2Headers seen = http2Provider.requests().get(http2Provider.requests().size() - 1).headers();
                seen.getAll("traceparent").forEach(v -> providerParents.add(v.toString()));
                seen.getAll("tracestate").forEach(v -> providerStates.add(v.toString()));
            }
        }
        assertNotNull(transaction, "every response carries the transaction id");
        return new Seen(status, providerParents, providerStates, parents, states, transaction);
    }

    private int providerRequests() {
        return back == Side.HTTP_1_1 ? http1Provider.requests() : http2Provider.requests().size();
    }

    /** The gateway's span: derived from the transaction id as the journal recorded it. */
    private String gatewaySpan(String transaction) throws Exception {
        io.gozargah.engine.testing.Await.until(() -> completed.containsKey(transaction), "the exchange's completion");
        long[] id = completed.get(transaction);
        UUID uuid = UUID.fromString(transaction);
        assertEquals(uuid.getMostSignificantBits(), id[0]);
        assertEquals(uuid.getLeastSignificantBits(), id[1]);
        return String.format("%016x", id[0] ^ id[1]);
    }

    /** The gateway's own trace for an exchange: the transaction id's 128 bits, the gateway's span, sampled. */
    private String ownTrace(String transaction) throws Exception {
        return "00-" + transaction.replace("-", "") + "-" + gatewaySpan(transaction) + "-01";
    }

    @ParameterizedTest(name = "{0} consumer, {1} provider")
    @MethodSource("paths")
    void shouldKeepAValidTraceWithTheGatewayAsParentAndPassItsState(Side front, Side back) throws Exception {
        start(front, back);
        Seen x = exchange(ALICE_KEY, "traceparent", VALID, "tracestate", STATE);
        assertEquals(200, x.status());
        String expected = "00-" + CONSUMER_TRACE + "-" + gatewaySpan(x.transaction()) + "-01";
        assertEquals(expected, x.providerParent(), "same trace and flags, the gateway's span as parent");
        assertEquals(List.of(STATE), x.providerStates(), "the consumer's tracestate goes with its trace");
        assertEquals(expected, x.consumerParent(), "the consumer gets the gateway's traceparent, not the provider's");
        assertEquals(List.of(), x.consumerStates(), "the provider's tracestate is not passed back");

        Seen unsampled = exchange(ALICE_KEY, "traceparent", UNSAMPLED);
        assertEquals("00-" + CONSUMER_TRACE + "-" + gatewaySpan(unsampled.transaction()) + "-00",
                unsampled.providerParent(), "the sampled flag is kept when clear too");
        assertNotEquals(x.providerParent(), unsampled.providerParent(), "each exchange is a span of its own");
    }

    @ParameterizedTest(name = "{0} consumer, {1} provider")
    @MethodSource("paths")
    void shouldReplaceAMalformedTraceWithTheTransactionsAndDropItsState(Side front, Side back) throws Exception {
        start(front, back);
        for (String malformed : List.of(VALID.toUpperCase(java.util.Locale.ROOT), VALID + "-x", "00-abc",
                "00-" + "0".repeat(32) + "-00f067aa0ba902b7-01")) {
            Seen x = exchange(ALICE_KEY, "traceparent", malformed, "tracestate", STATE);
            assertEquals(200, x.status(), malformed);
            String own = ownTrace(x.transaction());
            assertEquals(own, x.providerParent(), malformed);
            assertEquals(List.of(), x.providerStates(), "a tracestate without its valid traceparent stays behind");
            assertEquals(own, x.consumerParent(), malformed);
            assertEquals(List.of(), x.consumerStates());
        }
    }

    @ParameterizedTest(name = "{0} consumer, {1} provider")
    @MethodSource("paths")
    void shouldReplaceARepeatedTrace(Side front, Side back) throws Exception {
        start(front, back);
        Seen x = exchange(ALICE_KEY, "traceparent", VALID, "traceparent", VALID, "tracestate", STATE);
        assertEquals(200, x.status());
        String own = ownTrace(x.transaction());
        assertEquals(own, x.providerParent());
        assertEquals(List.of(), x.providerStates());
        assertEquals(own, x.consumerParent());
    }

    @ParameterizedTest(name = "{0} consumer, {1} provider")
    @MethodSource("paths")
    void shouldStartATraceFromTheTransactionIdWhenThereIsNone(Side front, Side back) throws Exception {
        start(front, back);
        Seen x = exchange(ALICE_KEY, "tracestate", STATE);
        assertEquals(200, x.status());
        String own = ownTrace(x.transaction());
        assertEquals(own, x.providerParent());
        assertEquals(List.of(), x.providerStates());
        assertEquals(own, x.consumerParent());
        assertEquals(List.of(), x.consumerStates());
    }

    @ParameterizedTest(name = "{0} consumer, {1} provider")
    @MethodSource("paths")
    void shouldAnswerItsOwnProblemsWithTheTrace(Side front, Side back) throws Exception {
        start(front, back);
        Seen refused = exchange(null, "traceparent", VALID);
        assertEquals(401, refused.status());
        assertEquals(List.of(), refused.providerParents(), "nothing reached the provider");
        assertEquals("00-" + CONSUMER_TRACE + "-" + gatewaySpan(refused.transaction()) + "-01",
                refused.consumerParent());

        Seen own = exchange(null);
        assertEquals(401, own.status());
        assertEquals(ownTrace(own.transaction()), own.consumerParent());
        assertTrue(completed.size() >= 2);
    }
}
