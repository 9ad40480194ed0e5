package io.gozargah.engine.http2;

import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.H2Client;
import io.gozargah.engine.testing.RawH2Client;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.handler.codec.http2.Http2Error;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP/2 attack shapes, sent frame by frame: the connection that attacks is closed with GOAWAY, the
 * provider sees a bounded number of requests, and other connections keep being served.
 */
class Http2AttackIT {
    private static final int MAX_RST = 50;
    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private GatewayFixture gateway;

    @BeforeEach
    void start() throws Exception {
        upstream = setup.provider(TestUpstream.answering("ok"));
        gateway = setup.start(setup.standardYaml(null, null)
                + "http2:\n  maxRstFramesPerWindow: " + MAX_RST + "\n  maxHeaderListSize: 8KiB\n");
    }

    @Test
    void shouldCloseARapidResetConnectionAndKeepTheUpstreamCalm() throws Exception {
        try (H2Client bystander = new H2Client(gateway.port())) {
            assertEquals(200, bystander.send(H2Client.request("GET", "/prov/svc", "x-api-key", ALICE_KEY), null)
                    .status());
            int before = upstream.requests();
            try (RawH2Client attacker = new RawH2Client(gateway.port())) {
                byte[] block = RawH2Client.get("/prov/svc", ALICE_KEY);
                int sent = 0;
                try {
                    for (int i = 0; i < 2000; i++) {
                        int stream = 1 + 2 * i;
                        attacker.frame(RawH2Client.HEADERS, RawH2Client.END_STREAM | RawH2Client.END_HEADERS, stream,
                                block);
                        attacker.rst(stream, (int) Http2Error.CANCEL.code());
                        sent++;
                        if (i % 10 == 9) {
                            attacker.flush();
                            if (attacker.count(RawH2Client.GOAWAY) > 0) {
                                break; // stop writing, or a TCP reset could discard what the server sent
                            }
                        }
                    }
                    attacker.flush();
                } catch (IOException closed) {
                    // the gateway hung up mid-attack: that is the point
                }

                RawH2Client.Frame goAway = attacker.awaitGoAway(10);
                assertNotNull(goAway, "a GOAWAY after " + sent + " HEADERS+RST_STREAM pairs");
                assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.goAwayCode());
                assertTrue(attacker.awaitClosed(10), "the attacking connection is closed");
            }
            int reached = upstream.requests() - before;
            assertTrue(reached <= MAX_RST, reached + " of the attack's requests reached the provider");
            // The other connection, and new ones, are still served.
            assertEquals(200, bystander.send(H2Client.request("GET", "/prov/svc", "x-api-key", ALICE_KEY), null)
                    .status());
        }
        try (H2Client fresh = new H2Client(gateway.port())) {
            assertEquals(200, fresh.send(H2Client.request("GET", "/prov/svc", "x-api-key", ALICE_KEY), null).status());
        }
    }

    @Test
    void shouldCloseAConnectionThatSendsEndlessContinuationFrames() throws Exception {
        try (RawH2Client attacker = new RawH2Client(gateway.port())) {
            byte[] block = RawH2Client.get("/prov/svc", ALICE_KEY);
            attacker.frame(RawH2Client.HEADERS, 0, 1, block);
            byte[] piece = RawH2Client.block("x-filler", "y");
            try {
                for (int i = 0; i < 100_000; i++) {
                    attacker.frame(RawH2Client.CONTINUATION, 0, 1, piece);
                    if (i % 100 == 99) {
                        attacker.flush();
                    }
                }
                attacker.flush();
            } catch (IOException closed) {
                // closed mid-flood
            }

            // The GOAWAY is sent, but a client still writing when the server closes may get a TCP reset that
            // discards it (RFC 9293 §3.6): what must hold is that the server ends the connection.
            assertTrue(attacker.awaitClosed(10), "the flooding connection is closed");
        }
        assertEquals(0, upstream.requests());
    }

    @Test
    void shouldRefuseAnOversizedHeaderList() throws Exception {
        // A little over the advertised 8 KiB: the stream is answered 431 (by Netty's codec, before routing).
        try (H2Client client = new H2Client(gateway.port(), 65535, true)) {
            H2Client.Response r = client.send(H2Client.request("GET", "/prov/svc", "x-api-key", ALICE_KEY,
                    "x-big", "a".repeat(8 * 1024 + 100)), null);
            assertEquals(431, r.status());
            assertEquals(200, client.send(H2Client.request("GET", "/prov/svc", "x-api-key", ALICE_KEY), null)
                    .status());
        }
        // Far over it, split over CONTINUATION frames: the connection is closed.
        try (RawH2Client attacker = new RawH2Client(gateway.port())) {
            byte[] block = RawH2Client.block(":method", "GET", ":scheme", "http", ":path", "/prov/svc",
                    "x-api-key", ALICE_KEY, "x-big", "b".repeat(64 * 1024));
            int frameSize = 16 * 1024;
            attacker.frame(RawH2Client.HEADERS, RawH2Client.END_STREAM, 1,
                    java.util.Arrays.copyOfRange(block, 0, frameSize));
            try {
                for (int off = frameSize; off < block.length; off += frameSize) {
                    int end = Math.min(block.length, off + frameSize);
                    attacker.frame(RawH2Client.CONTINUATION, end == block.length ? RawH2Client.END_HEADERS : 0, 1,
                            java.util.Arrays.copyOfRange(block, off, end));
                }
                attacker.flush();
            } catch (IOException closed) {
                // closed mid-block
            }
            assertTrue(attacker.awaitClosed(10), "the connection is closed for a header list far past the limit");
        }
        assertEquals(1, upstream.requests());
    }
}
