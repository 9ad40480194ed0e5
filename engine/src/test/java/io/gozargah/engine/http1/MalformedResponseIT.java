package io.gozargah.engine.http1;

import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.RawHttpClient.Response;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A provider whose response head is malformed gets its consumer a 502 upstream-unavailable, never a guess
 * at what it meant and never a hang: the upstream keeps its connection open after the bad head, so only
 * the parse error can end the exchange (a timeout would be a 504).
 */
class MalformedResponseIT {
    private static final AtomicReference<String> RESPONSE = new AtomicReference<>();
    @RegisterExtension
    static final GatewayUnderTest setup = new GatewayUnderTest();

    private static TestUpstream upstream;
    private static GatewayFixture gateway;

    /** Reads one request head, then writes the canned response and leaves the connection open. */
    private static final class CannedResponder extends ChannelInboundHandlerAdapter {
        private final StringBuilder seen = new StringBuilder();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf data = (ByteBuf) msg;
            try {
                seen.append(data.toString(StandardCharsets.ISO_8859_1));
            } finally {
                data.release();
            }
            int end = seen.indexOf("\r\n\r\n");
            if (end >= 0) {
                seen.delete(0, end + 4);
                upstream.countRequest();
                ctx.writeAndFlush(Unpooled.copiedBuffer(RESPONSE.get(), StandardCharsets.ISO_8859_1));
            }
        }
    }

    @BeforeAll
    static void start() throws Exception {
        upstream = setup.provider(TestUpstream.raw(CannedResponder::new));
        gateway = setup.start();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 20 OK\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 OK\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nX-A : b\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
        "HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
        "http/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        "SSH-2.0-OpenSSH_9.6\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n"
    })
    void shouldAnswer502ForMalformedResponse(String response) throws Exception {
        RESPONSE.set(response);
        int before = upstream.requests();
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            Response r = c.send("GET /prov/svc HTTP/1.1\r\nHost: gw.test\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n").read();
            assertEquals(502, r.status(), r.bodyText());
            assertEquals("application/problem+json", r.header("Content-Type"));
            assertNotNull(r.header("X-Gozargah-Transaction"));
            assertTrue(r.bodyText().contains("\"type\":\"urn:gozargah:error:upstream-unavailable\""), r.bodyText());
            assertNotNull(r.header("Content-Length"), "a complete problem document, not the provider's head");
        }
        assertEquals(before + 1, upstream.requests(), "asked once, not retried");
    }
}
