package io.gozargah.engine.server;

import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The same exchange over every transport the config offers (the whole suite can also be run over one). */
class TransportIT {

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "io_uring", "nio"})
    void shouldProxyOverEveryTransport(String transport) throws Exception {
        Assumptions.assumeTrue(!"epoll".equals(transport) || Epoll.isAvailable(), "epoll not available here");
        Assumptions.assumeTrue(!"io_uring".equals(transport) || IoUring.isAvailable(), "io_uring not available here");
        try (TestUpstream upstream = TestUpstream.http((ctx, req) -> TestUpstream.writeRaw(ctx,
                "HTTP/1.1 200 OK\r\nContent-Length: " + req.content().readableBytes() + "\r\n\r\n"
                        + req.content().toString(StandardCharsets.ISO_8859_1)));
             GatewayFixture gateway = GatewayFixture.start(GatewayFixture.standardYaml(upstream.port(), null, null)
                     .replaceFirst("transport: \\S+", "transport: " + transport));
             RawHttpClient c = new RawHttpClient(gateway.port())) {
            assertEquals(transport, gateway.gateway().transport());
            RawHttpClient.Response r = c.send("POST /prov/svc HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + ALICE_KEY
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("abc", r.bodyText());
            assertTrue(r.header("X-Gozargah-Transaction") != null);
            assertEquals(1, upstream.requests());
        }
    }
}
