package io.gozargah.engine.http2;

import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.RawH2Client;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.handler.codec.http2.Http2Error;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * What a client can hold with a refused HTTP/2 stream whose body is still coming: the gateway reads and drops the
 * rest, as HTTP/1.1 does, but only up to {@code limits.maxDiscardBytes} and within {@code server.requestHeadTimeout};
 * past either the stream is reset NO_ERROR (RFC 9113 §8.1) and the connection goes on serving.
 */
class Http2RefusedBodyIT {
    private static final int WAIT = 10;

    private static TestUpstream upstream;
    private static GatewayFixture gateway;
    private RawH2Client client;

    @BeforeAll
    static void start() throws Exception {
        upstream = TestUpstream.http((ctx, req) -> TestUpstream.writeRaw(ctx,
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        String yaml = GatewayFixture.standardYaml(upstream.port(), null, "  maxDiscardBytes: 1024\n")
                .replace("requestHeadTimeout: 5s", "requestHeadTimeout: 400ms");
        gateway = GatewayFixture.start(yaml);
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

    @Test
    void shouldDropARefusedBodyWithinTheLimitAndKeepServing() throws Exception {
        postAnswered401(1);
        client.frame(RawH2Client.DATA, RawH2Client.END_STREAM, 1, new byte[512]);
        client.flush();
        assertServes(3);
        assertNull(client.awaitReset(1, 0), "a body within maxDiscardBytes ends its stream without a reset");
    }

    @Test
    void shouldResetARefusedStreamWhoseBodyGoesPastTheDiscardLimit() throws Exception {
        postAnswered401(1);
        client.frame(RawH2Client.DATA, 0, 1, new byte[1024]);
        client.frame(RawH2Client.DATA, 0, 1, new byte[1024]);
        client.flush();
        assertResetWithoutError(1);
        assertServes(3);
    }

    @Test
    void shouldResetARefusedStreamWhoseBodyStopsComing() throws Exception {
        postAnswered401(1);
        assertResetWithoutError(1);
        assertServes(3);
    }

    /** A POST without a key whose body is still to come, answered 401 to its end. */
    private void postAnswered401(int stream) throws Exception {
        client.frame(RawH2Client.HEADERS, RawH2Client.END_HEADERS, stream, RawH2Client.block(":method", "POST",
                ":scheme", "http", ":path", "/prov/svc", ":authority", "gw"));
        client.flush();
        RawH2Client.Frame head = client.awaitHeaders(stream, WAIT);
        assertNotNull(head, "an answer on stream " + stream);
        assertEquals(401, head.status());
        assertNotNull(client.await(f -> f.stream() == stream && f.type() == RawH2Client.DATA && f.endStream(), WAIT),
                "the 401 on stream " + stream + " ends");
    }

    private void assertResetWithoutError(int stream) throws Exception {
        RawH2Client.Frame reset = client.awaitReset(stream, WAIT);
        assertNotNull(reset, "a RST_STREAM on stream " + stream);
        assertEquals(Http2Error.NO_ERROR.code(), reset.rstCode(), "the reset's error code");
        assertEquals(0, client.count(RawH2Client.GOAWAY), "the stream ends, not the connection");
    }

    private void assertServes(int stream) throws Exception {
        client.frame(RawH2Client.HEADERS, RawH2Client.END_STREAM | RawH2Client.END_HEADERS, stream,
                RawH2Client.get("/prov/svc", ALICE_KEY));
        client.flush();
        RawH2Client.Frame head = client.awaitHeaders(stream, WAIT);
        assertNotNull(head, "an answer on stream " + stream);
        assertEquals(200, head.status());
    }
}
