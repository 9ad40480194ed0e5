package io.gozargah.engine.server;

import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.H2Client;
import io.gozargah.engine.testing.RawH2Client;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.handler.codec.http2.Http2Error;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The cleartext listener tells the h2c preface from HTTP/1.1 by its first bytes. A client that opens with the
 * PRI method speaks HTTP/2 (the method exists only for the preface, RFC 9113 §11.6), so a preface that goes
 * wrong after it is an HTTP/2 connection error PROTOCOL_ERROR (§3.4): HTTP/2 frames ending in GOAWAY, then
 * the close, and never an HTTP/1.1 answer.
 */
class CleartextPrefaceIT {
    @RegisterExtension
    static final GatewayUnderTest setup = new GatewayUnderTest();

    private static TestUpstream upstream;
    private static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        upstream = setup.provider((ctx, req) -> TestUpstream.writeRaw(ctx,
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        gateway = setup.start();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n",            // the right length, a wrong middle
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\r",            // one byte off at the end
            "PRI * HTTP/2.0\r\n\r\nGET / HTTP/1.1\r\n\r\n", // an HTTP/1.1 request after the request line
            "PRI * HTTP/2.0\n\nSM\n\n\0\0\0\0\0\0\0\0\0",  // bare LFs
            "PRI * HTTP/1.1\r\nHost: x\r\n\r\n",           // PRI with an HTTP/1.1 version
            "PRI /prov/svc HTTP/1.1\r\nHost: x\r\n\r\n",   // PRI as an HTTP/1.1 method
    })
    void shouldAnswerACorruptPrefaceAsAnHttp2ConnectionError(String preface) throws Exception {
        int before = upstream.requests();
        byte[] answer;
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(preface.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            answer = readUntilClosed(socket.getInputStream());
        }
        assertFalse(new String(answer, StandardCharsets.ISO_8859_1).startsWith("HTTP/"),
                "an HTTP/1.1 answer to an HTTP/2 preface");
        List<RawH2Client.Frame> frames = RawH2Client.parseFrames(answer);
        RawH2Client.Frame last = frames.get(frames.size() - 1);
        assertEquals(RawH2Client.GOAWAY, last.type(), "the last frame before the close is a GOAWAY: " + frames);
        assertEquals(Http2Error.PROTOCOL_ERROR.code(), last.goAwayCode());
        assertEquals(before, upstream.requests(), "nothing of a corrupt preface reaches the provider");
    }

    @Test
    void shouldStillServeHttp1AndAGenuineH2cPreface() throws Exception {
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            RawHttpClient.Response r = c.send("GET /prov/svc HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + ALICE_KEY
                    + "\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("ok", r.bodyText());
        }
        // A method that only starts like PRI is HTTP/1.1 (and not one the service allows).
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            RawHttpClient.Response r = c.send("PRIX /prov/svc HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + ALICE_KEY
                    + "\r\n\r\n").read();
            assertTrue(r.statusLine().startsWith("HTTP/1.1 "), r.statusLine());
        }
        try (H2Client c = new H2Client(gateway.port())) {
            assertEquals(200, c.send(H2Client.request("GET", "/prov/svc", "x-api-key", ALICE_KEY), null).status());
        }
    }

    /** Everything the server sends until it closes (a reset after what it sent counts as the close). */
    private static byte[] readUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) != -1) {
                out.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            fail("the connection stayed open after a corrupt preface; received " + out.size() + " bytes");
        } catch (IOException reset) {
            // closed with a reset
        }
        return out.toByteArray();
    }
}
