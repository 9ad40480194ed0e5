package io.gozargah.engine.http1;

import io.gozargah.engine.admission.Admission;
import io.gozargah.engine.config.ConfigLoader;
import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.deadline.DeadlineWheel;
import io.gozargah.engine.exchange.Exchange;
import io.gozargah.engine.exchange.ExchangeStage;
import io.gozargah.engine.exchange.ExchangeStages;
import io.gozargah.engine.exchange.Outcome;
import io.gozargah.engine.server.ServerContext;
import io.gozargah.engine.testing.GatewayFixture;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP/1.1 front end and its exchange driver on embedded channels, both sides: the consumer's connection and
 * the real upstream connections the pool opens (embedded too), with the loop's clock moved by hand and its
 * deadline wheel advanced by the test. Every deadline the front end and the driver keep is checked here without
 * waiting.
 */
class Http1ConnectionTest {
    private static final long SECOND = 1_000_000_000L;
    private static final String GET = "GET /prov/svc/x HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n";

    @TempDir
    Path dir;

    private long now = 1_000 * SECOND;
    private final List<EmbeddedChannel> upstreams = new ArrayList<>();
    private final List<Outcome> outcomes = new ArrayList<>();
    private Admission admission;
    private ServerContext server;
    private EmbeddedChannel client;
    private DeadlineWheel wheel;

    @BeforeEach
    void start() throws Exception {
        String yaml = GatewayFixture.standardYaml(9, "    requestTimeout: 10s\n    sendTimeout: 20s\n",
                "  maxDiscardBytes: 1024\n");
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, yaml);
        GatewayConfig config = ConfigLoader.load(file);
        admission = Admission.open(config.admission(), () -> now);
        ExchangeStage recorder = new ExchangeStage() {
            @Override
            public void complete(Exchange x) {
                outcomes.add(x.outcome());
            }
        };
        server = new ServerContext(config, () -> {
            // Registered by the pool's bootstrap on the client's embedded loop; the connect succeeds at once.
            EmbeddedChannel upstream = new EmbeddedChannel(DefaultChannelId.newInstance(), false, false);
            upstreams.add(upstream);
            return upstream;
        }, new ExchangeStages(List.of(recorder)), admission, null, () -> now);
        client = new EmbeddedChannel(new Http1Connection(server));
        wheel = server.loop(client.eventLoop()).deadlines();
    }

    @AfterEach
    void stop() throws Exception {
        for (EmbeddedChannel upstream : upstreams) {
            upstream.finishAndReleaseAll();
        }
        client.finishAndReleaseAll();
        admission.close();
    }

    // ---------------------------------------------------------------------------------------------
    // The connection's own deadlines
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldCloseAConnectionThatSendsNothingWithinTheIdleTimeout() {
        advance(29 * SECOND);
        assertTrue(client.isOpen(), "open within the idle timeout (30 s)");

        advance(SECOND + wheel.tickNanos());
        assertFalse(client.isOpen(), "closed once the idle timeout passed");
    }

    @Test
    void shouldCloseAKeptAliveConnectionIdleAfterItsLastAnswer() {
        send(GET);
        EmbeddedChannel upstream = upstream(0);
        assertTrue(readText(upstream).startsWith("GET /base/api/svc/x HTTP/1.1\r\n"));
        advance(SECOND);
        respond(upstream, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertTrue(readText(client).startsWith("HTTP/1.1 200 OK\r\n"));

        advance(29 * SECOND + SECOND / 2);
        assertTrue(client.isOpen(), "the idle clock starts at the end of the exchange, not at its head");
        advance(SECOND / 2 + wheel.tickNanos());
        assertFalse(client.isOpen());
        assertEquals(List.of(Outcome.PROXIED), outcomes);
    }

    @Test
    void shouldCloseAConnectionWhoseHeadDoesNotArriveWithinTheHeadTimeout() {
        advance(10 * SECOND);
        send("GET /prov/svc HTTP/1.1\r\nHost: gw\r\n");
        advance(5 * SECOND - wheel.tickNanos());
        assertTrue(client.isOpen(), "open within the head timeout (5 s) of the head's first bytes");

        advance(2 * wheel.tickNanos());
        assertFalse(client.isOpen());
        assertTrue(upstreams.isEmpty(), "nothing went upstream");
        assertEquals(List.of(), outcomes, "no exchange started");
    }

    // ---------------------------------------------------------------------------------------------
    // The exchange's deadlines
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldAnswer408AndCloseWhenTheRequestDoesNotArriveWholeWithinTheRequestTimeout() {
        send("POST /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\nContent-Length: 10\r\n\r\nabcd");
        EmbeddedChannel upstream = upstream(0);
        String forwarded = readText(upstream);
        assertTrue(forwarded.startsWith("POST /base/api/svc HTTP/1.1\r\n") && forwarded.endsWith("\r\n\r\nabcd"),
                forwarded);

        advance(9 * SECOND);
        send("efg");
        assertEquals("efg", readText(upstream));
        assertNull(client.readOutbound(), "a request arriving steadily is still within its timeout");

        advance(SECOND + wheel.tickNanos());
        String answer = readText(client);
        assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
        assertTrue(answer.contains("Connection: close\r\n"), answer);
        assertTrue(answer.contains("urn:gozargah:error:"), answer);
        assertFalse(client.isOpen(), "the rest of the body is not read");
        assertFalse(upstream.isOpen(), "the provider never sees the half request completed");
        assertEquals(List.of(Outcome.REQUEST_TIMEOUT), outcomes);
    }

    @Test
    void shouldAnswer504WhenTheProviderGivesNoHeadWithinTheResponseTimeoutAndKeepTheConnection() {
        send(GET);
        EmbeddedChannel upstream = upstream(0);
        readText(upstream);

        advance(2 * SECOND - wheel.tickNanos());
        assertNull(client.readOutbound(), "within the response timeout (2 s)");

        advance(2 * wheel.tickNanos());
        String answer = readText(client);
        assertTrue(answer.startsWith("HTTP/1.1 504 "), answer);
        assertFalse(answer.contains("Connection: close"), answer);
        assertTrue(client.isOpen(), "the client's request was whole: its connection is kept");
        assertFalse(upstream.isOpen(), "the silent upstream connection is closed, never pooled");
        assertEquals(List.of(Outcome.UPSTREAM_TIMEOUT), outcomes);

        send(GET);
        assertEquals(2, upstreams.size(), "the next request gets a fresh upstream connection");
    }

    @Test
    void shouldCutOffAClientThatTakesNoneOfItsResponseForTheSendTimeout() {
        send(GET);
        EmbeddedChannel upstream = upstream(0);
        readText(upstream);
        respond(upstream, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
        assertTrue(readText(client).startsWith("HTTP/1.1 200 OK\r\n"));

        clientTakesNothing(true);
        assertFalse(upstream.config().isAutoRead(), "the provider is not read while the client takes nothing");
        advance(20 * SECOND - wheel.tickNanos());
        assertTrue(client.isOpen(), "within the send timeout (20 s)");

        advance(2 * wheel.tickNanos());
        assertFalse(client.isOpen(), "cut off");
        assertFalse(upstream.isOpen(), "its upstream connection, mid-response, is closed");
        assertEquals(List.of(Outcome.SEND_TIMEOUT), outcomes);
    }

    @Test
    void shouldStopTheSendClockWhenTheClientTakesItsResponseAgain() {
        send(GET);
        EmbeddedChannel upstream = upstream(0);
        readText(upstream);
        respond(upstream, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
        readText(client);

        clientTakesNothing(true);
        advance(19 * SECOND);
        clientTakesNothing(false);
        advance(19 * SECOND);
        assertTrue(client.isOpen());
        respond(upstream, "0\r\n\r\n");
        assertTrue(readText(client).endsWith("0\r\n\r\n"));
        assertEquals(List.of(Outcome.PROXIED), outcomes);
    }

    // ---------------------------------------------------------------------------------------------
    // A refused request's rest
    // ---------------------------------------------------------------------------------------------

    @Test
    void shouldDropARefusedRequestsRestWithinTheDiscardLimitAndKeepTheConnection() {
        send("POST /prov/svc HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n");
        String answer = readText(client);
        assertTrue(answer.startsWith("HTTP/1.1 401 "), answer);
        assertFalse(answer.contains("Connection: close"), answer);

        send("200\r\n" + "x".repeat(512) + "\r\n0\r\n\r\n");
        assertTrue(client.isOpen(), "512 bytes dropped: within limits.maxDiscardBytes (1024)");
        send(GET);
        assertEquals(1, upstreams.size(), "the next request on the connection is served");
        assertEquals(List.of(Outcome.UNAUTHENTICATED), outcomes);
    }

    @Test
    void shouldCloseWhenARefusedRequestsRestPassesTheDiscardLimit() {
        send("POST /prov/svc HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n");
        assertTrue(readText(client).startsWith("HTTP/1.1 401 "));

        send("400\r\n" + "x".repeat(1024) + "\r\n");
        assertTrue(client.isOpen(), "1,024 bytes: at the limit");
        send("1\r\nx\r\n");
        assertFalse(client.isOpen(), "one byte past limits.maxDiscardBytes");
        assertTrue(upstreams.isEmpty());
    }

    @Test
    void shouldCloseWhenARefusedRequestsRestIsNotDroppedWithinTheHeadTimeout() {
        send("POST /prov/svc HTTP/1.1\r\nHost: gw\r\nContent-Length: 100\r\n\r\nabc");
        assertTrue(readText(client).startsWith("HTTP/1.1 401 "));

        advance(5 * SECOND - wheel.tickNanos());
        assertTrue(client.isOpen(), "the rest may still come within the head timeout (5 s)");
        advance(2 * wheel.tickNanos());
        assertFalse(client.isOpen());
    }

    @Test
    void shouldCloseAfterTheAnswerWhenADeclaredRestIsLargerThanTheDiscardLimit() {
        send("POST /prov/svc HTTP/1.1\r\nHost: gw\r\nContent-Length: 5000\r\n\r\n");
        String answer = readText(client);
        assertTrue(answer.startsWith("HTTP/1.1 401 ") && answer.contains("Connection: close\r\n"), answer);
        assertFalse(client.isOpen());
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------

    /** Moves the loop's clock and advances its deadline wheel (as the loop's periodic task does). */
    private void advance(long nanos) {
        now += nanos;
        wheel.tick();
        client.runPendingTasks();
    }

    private void send(String text) {
        client.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
        client.runPendingTasks();
    }

    private void respond(EmbeddedChannel upstream, String text) {
        upstream.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
        client.runPendingTasks();
    }

    private EmbeddedChannel upstream(int i) {
        assertTrue(upstreams.size() > i, "upstream connection " + i + " was opened");
        return upstreams.get(i);
    }

    /** Makes the client's channel unwritable (or writable again), as a full socket buffer would. */
    private void clientTakesNothing(boolean full) {
        client.unsafe().outboundBuffer().setUserDefinedWritability(1, !full);
        client.runPendingTasks();
    }

    /** Everything written to {@code channel} so far, as text (released). */
    private static String readText(Channel channel) {
        EmbeddedChannel ch = (EmbeddedChannel) channel;
        StringBuilder text = new StringBuilder();
        ByteBuf buf;
        while ((buf = ch.readOutbound()) != null) {
            text.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return text.toString();
    }
}
