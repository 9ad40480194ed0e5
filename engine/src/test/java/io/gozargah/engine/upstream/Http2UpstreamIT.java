package io.gozargah.engine.upstream;

import io.gozargah.engine.testing.Await;
import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.RawHttpClient.Response;
import io.gozargah.engine.testing.TestH2Upstream;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static io.gozargah.engine.testing.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Providers that speak cleartext HTTP/2 (h2c, prior knowledge) behind the HTTP/1.1 front end, against Netty's
 * HTTP/2 server: translation both ways, multiplexing and the stream limit, GOAWAY, resets, timeouts, flow
 * control with small windows, trailers.
 */
class Http2UpstreamIT {
    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestH2Upstream upstream;
    private GatewayFixture gateway;

    /** One event loop, so every exchange shares one pool and the connection counts are exact. */
    private void startGateway(String providerExtra) throws Exception {
        String yaml = setup.standardYaml("    protocol: h2c\n" + providerExtra, null)
                .replace("eventLoops: 2", "eventLoops: 1");
        gateway = setup.start(yaml);
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: gw.test\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n";
    }

    private static Http2Settings settings(long maxStreams) {
        return Http2Settings.defaultSettings().maxConcurrentStreams(maxStreams);
    }

    @Test
    void shouldTranslateRequestAndResponse() throws Exception {
        upstream = setup.provider(TestH2Upstream.h2c(settings(100), r -> r.respond(201, "got " + r.path() + " "
                + new String(r.body(), StandardCharsets.UTF_8))));
        startGateway("");
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            Response r = client.send("POST /prov/svc/a/b?q=1 HTTP/1.1\r\nHost: gw.test\r\nX-Api-Key: " + ALICE_KEY
                    + "\r\nContent-Type: text/plain\r\nX-Custom: Kept\r\nContent-Length: 5\r\n\r\nhello").read();
            assertEquals(201, r.status(), r.bodyText());
            assertEquals("got /base/api/svc/a/b?q=1 hello", r.bodyText());
            assertEquals("text/plain", r.header("Content-Type"));
            assertNotNull(r.header("X-Gozargah-Transaction"));

            Response g = client.send(get("/prov/svc/x")).read();
            assertEquals(201, g.status());
            assertEquals("got /base/api/svc/x ", g.bodyText());

            Response h = client.send("HEAD /prov/svc/x HTTP/1.1\r\nHost: gw.test\r\nX-Api-Key: " + ALICE_KEY
                    + "\r\n\r\n").read(true);
            assertEquals(201, h.status());
            assertEquals("20", h.header("Content-Length"), "the GET's length, no content");
            Response after = client.send(get("/prov/svc/y")).read();
            assertEquals("got /base/api/svc/y ", after.bodyText(), "nothing of the HEAD response was left over");
        }
        TestH2Upstream.Request seen = upstream.requests().get(0);
        assertEquals("POST", seen.headers().method().toString());
        assertEquals("http", seen.headers().scheme().toString());
        assertEquals("127.0.0.1:" + upstream.port(), seen.headers().authority().toString());
        assertEquals("Kept", seen.headers().get("x-custom").toString());
        assertEquals("alice", seen.headers().get("x-gozargah-consumer").toString());
        assertNotNull(seen.headers().get("x-gozargah-transaction"));
        assertEquals("127.0.0.1", seen.headers().get("x-forwarded-for").toString());
        assertNull(seen.headers().get("x-api-key"), "the API key never goes upstream");
        assertNull(seen.headers().get("host"), "Host becomes :authority (RFC 9113 §8.3.1)");
        assertEquals(1, upstream.connections().size(), "every exchange used one connection");
    }

    @Test
    void shouldMultiplexConcurrentExchangesOverOneConnection() throws Exception {
        BlockingQueue<TestH2Upstream.Request> held = new LinkedBlockingQueue<>();
        upstream = setup.provider(TestH2Upstream.h2c(settings(100), held::add));
        startGateway("");
        int n = 20;
        List<RawHttpClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                RawHttpClient c = new RawHttpClient(gateway.port());
                clients.add(c);
                c.send(get("/prov/svc/" + i));
            }
            Await.until(() -> held.size() == n, "all " + n + " requests in flight at the provider");
            assertEquals(n, upstream.maxOpenStreams());
            assertEquals(1, upstream.connections().size(), "one connection carries every stream");
            for (TestH2Upstream.Request r : held) {
                r.respond(200, r.path());
            }
            for (int i = 0; i < n; i++) {
                Response r = clients.get(i).read();
                assertEquals(200, r.status());
                assertEquals("/base/api/svc/" + i, r.bodyText());
            }
        } finally {
            for (RawHttpClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void shouldOpenASecondConnectionPastThePeersStreamLimit() throws Exception {
        BlockingQueue<TestH2Upstream.Request> held = new LinkedBlockingQueue<>();
        upstream = setup.provider(TestH2Upstream.h2c(settings(3), held::add));
        startGateway("");
        List<RawHttpClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                RawHttpClient c = new RawHttpClient(gateway.port());
                clients.add(c);
                c.send(get("/prov/svc/" + i));
            }
            Await.until(() -> held.size() == 5, "five requests in flight");
            assertEquals(2, upstream.connections().size(), "three streams on the first, two on a second");
            for (TestH2Upstream.Request r : held) {
                r.respond(200, r.path());
            }
            for (int i = 0; i < 5; i++) {
                assertEquals("/base/api/svc/" + i, clients.get(i).read().bodyText());
            }
        } finally {
            for (RawHttpClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void shouldDrainOnGoAwayAndRetryOnlyUnprocessedSafeRequests() throws Exception {
        BlockingQueue<TestH2Upstream.Request> held = new LinkedBlockingQueue<>();
        upstream = setup.provider(TestH2Upstream.h2c(settings(100), held::add));
        startGateway("");
        try (RawHttpClient a = new RawHttpClient(gateway.port());
             RawHttpClient b = new RawHttpClient(gateway.port());
             RawHttpClient c = new RawHttpClient(gateway.port());
             RawHttpClient d = new RawHttpClient(gateway.port())) {
            a.send(get("/prov/svc/a"));
            TestH2Upstream.Request ra = held.poll(10, TimeUnit.SECONDS);
            assertNotNull(ra);
            b.send(get("/prov/svc/b"));
            TestH2Upstream.Request rb = held.poll(10, TimeUnit.SECONDS);
            assertNotNull(rb);
            c.send("POST /prov/svc/c HTTP/1.1\r\nHost: gw.test\r\nX-Api-Key: " + ALICE_KEY
                    + "\r\nContent-Length: 2\r\n\r\nhi");
            TestH2Upstream.Request rc = held.poll(10, TimeUnit.SECONDS);
            assertNotNull(rc);
            assertEquals(1, upstream.connections().size());

            // The provider will finish stream a only: b (a GET) and c (a POST) are above the last stream id.
            upstream.goAway(ra.connection(), ra.streamId());

            // b was not processed and is safe: it is sent again, on a new connection.
            TestH2Upstream.Request retried = held.poll(10, TimeUnit.SECONDS);
            assertNotNull(retried, "the GET above the last stream id was retried");
            assertEquals("/base/api/svc/b", retried.path());
            assertEquals(2, upstream.connections().size(), "the retry went to a new connection");
            retried.respond(200, "b again");
            assertEquals("b again", b.read().bodyText());

            // c had a body: never sent twice, it fails cleanly.
            assertProblem(c.read(), 502, "upstream-unavailable");

            // a, below the last stream id, completes on the draining connection.
            ra.respond(200, "a done");
            assertEquals("a done", a.read().bodyText());

            // New work goes to the new connection.
            d.send(get("/prov/svc/d"));
            TestH2Upstream.Request rd = held.poll(10, TimeUnit.SECONDS);
            assertNotNull(rd);
            assertTrue(rd.connection() != ra.connection(), "no new stream on the connection that sent GOAWAY");
            rd.respond(200, "d");
            assertEquals("d", d.read().bodyText());
            Await.until(() -> !ra.connection().isActive(), "the drained connection closes once its last stream is done");
        }
        assertEquals(5, upstream.requests().size(), "a, b, c, b again, d");
        assertEquals(1, countPath("/base/api/svc/c"), "the POST was sent once");
    }

    @Test
    void shouldAnswerBadGatewayWhenTheProviderResetsTheStream() throws Exception {
        upstream = setup.provider(TestH2Upstream.h2c(settings(100), r -> r.reset(Http2Error.INTERNAL_ERROR)));
        startGateway("");
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            assertProblem(client.send(get("/prov/svc/x")).read(), 502, "upstream-unavailable");
            // The connection stays usable for the next exchange, and the reset request was not repeated.
            assertProblem(client.send(get("/prov/svc/y")).read(), 502, "upstream-unavailable");
        }
        assertEquals(2, upstream.requests().size(), "a reset other than REFUSED_STREAM is never retried");
        assertEquals(1, upstream.connections().size(), "a stream reset leaves the connection in use");
    }

    @Test
    void shouldRetryAStreamRefusedByTheProviderOnce() throws Exception {
        upstream = setup.provider(TestH2Upstream.h2c(settings(100), r -> {
            if (r.path().endsWith("/refuse") && countPath(r.path()) == 1) {
                r.reset(Http2Error.REFUSED_STREAM);
            } else {
                r.respond(200, "ok");
            }
        }));
        startGateway("");
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            Response r = client.send(get("/prov/svc/refuse")).read();
            assertEquals(200, r.status(), r.bodyText());
        }
        assertEquals(2, upstream.requests().size());
    }

    private int countPath(String path) {
        return (int) upstream.requests().stream().filter(r -> r.path().equals(path)).count();
    }

    @Test
    void shouldTimeOutAndCancelTheStream() throws Exception {
        BlockingQueue<TestH2Upstream.Request> held = new LinkedBlockingQueue<>();
        upstream = setup.provider(TestH2Upstream.h2c(settings(100), held::add));
        startGateway("");
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            // prov/slow has a 300 ms response timeout.
            assertProblem(client.send(get("/prov/slow")).read(), 504, "upstream-timeout");
            Await.until(() -> upstream.resetsReceived().contains(Http2Error.CANCEL.code()),
                    "the abandoned stream is reset with CANCEL");
            TestH2Upstream.Request late = held.poll(10, TimeUnit.SECONDS);
            assertNotNull(late);
            late.respond(200, "too late"); // goes nowhere: the stream is gone
            held.clear();
            // The connection itself is still good.
            client.send(get("/prov/svc/next"));
            TestH2Upstream.Request next = held.poll(10, TimeUnit.SECONDS);
            assertNotNull(next);
            next.respond(200, "next");
            assertEquals("next", client.read().bodyText());
        }
        assertEquals(1, upstream.connections().size());
    }

    @Test
    void shouldStreamLargeBodiesBothWaysThroughSmallWindows() throws Exception {
        byte[] requestBody = new byte[300 * 1024];
        byte[] responseBody = new byte[2 * 1024 * 1024 + 17];
        new Random(7).nextBytes(requestBody);
        new Random(8).nextBytes(responseBody);
        // The provider's window for what we send is 4 KiB per stream; what it sends is held to our 64 KiB.
        upstream = setup.provider(TestH2Upstream.h2c(
                Http2Settings.defaultSettings().maxConcurrentStreams(100).initialWindowSize(4096),
                r -> {
                    if (Arrays.equals(requestBody, r.body())) {
                        r.respondInFrames(200, responseBody, 16 * 1024, null);
                    } else {
                        r.respond(400, "request body differs: " + r.body().length + " bytes");
                    }
                }));
        startGateway("");
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            String head = "PUT /prov/svc/big HTTP/1.1\r\nHost: gw.test\r\nX-Api-Key: " + ALICE_KEY
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n";
            client.send(head);
            for (int at = 0; at < requestBody.length; at += 50_000) {
                int len = Math.min(50_000, requestBody.length - at);
                client.send(Integer.toHexString(len) + "\r\n");
                client.send(Arrays.copyOfRange(requestBody, at, at + len));
                client.send("\r\n");
            }
            client.send("0\r\n\r\n");
            Response r = client.read();
            assertEquals(200, r.status(), r.status() == 200 ? "" : r.bodyText());
            assertArrayEquals(responseBody, r.body());
        }
    }

    /**
     * A consumer that does not read holds the provider to what the sockets and one stream window take: the
     * gateway acknowledges DATA only as the consumer drains it.
     */
    @Test
    void shouldHoldTheProviderToTheConsumersPace() throws Exception {
        // Loopback socket buffers take about 4 MiB (measured); without backpressure all of it would leave.
        long total = 16L * 1024 * 1024;
        AtomicLong sent = new AtomicLong();
        upstream = setup.provider(TestH2Upstream.h2c(settings(100), r -> r.respondStreaming(total, sent)));
        startGateway("");
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            client.send(get("/prov/svc/firehose"));
            // Wait until the provider is stalled: nothing more leaves it over two polls 200 ms apart.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            long before;
            do {
                before = sent.get();
                TimeUnit.MILLISECONDS.sleep(200);
            } while ((sent.get() != before || before == 0) && System.nanoTime() < deadline);
            long stalledAt = sent.get();
            assertTrue(stalledAt < total / 2, "the provider sent " + stalledAt + " of " + total
                    + " bytes to a consumer that read nothing");

            Response r = client.read();
            assertEquals(200, r.status());
            assertEquals(total, r.body().length, "everything arrives once the consumer reads");
        }
        assertEquals(total, sent.get());
    }

    @Test
    void shouldPassTrailersBothWays() throws Exception {
        upstream = setup.provider(TestH2Upstream.h2c(settings(100), r -> {
            String requestTrailer = r.trailers() == null ? "none" : String.valueOf(r.trailers().get("x-checksum"));
            r.respondInFrames(200, ("trailer " + requestTrailer).getBytes(StandardCharsets.UTF_8), 4,
                    new DefaultHttp2Headers().set("x-result", "ok").set("x-gozargah-spoof", "no"));
        }));
        startGateway("");
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            Response r = client.send("POST /prov/svc/t HTTP/1.1\r\nHost: gw.test\r\nX-Api-Key: " + ALICE_KEY
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Checksum: 42\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("chunked", r.header("Transfer-Encoding"));
            assertEquals("trailer 42", r.bodyText());
            assertEquals("ok", r.trailer("X-Result"));
            assertNull(r.trailer("X-Gozargah-Spoof"), "the provider cannot forge gateway fields");
        }
    }

    @Test
    void shouldRefuseAResponseFieldThatWouldSplitTheHead() throws Exception {
        upstream = setup.provider(TestH2Upstream.h2c(settings(100),
                r -> r.respondWithField(200, "x-note", "a\r\nx-injected: 1")));
        startGateway("");
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            Response r = client.send(get("/prov/svc/x")).read();
            assertProblem(r, 502, "upstream-unavailable");
            assertNull(r.header("x-injected"));
        }
    }

    @Test
    void shouldAnswerBadGatewayWhenNothingListens() throws Exception {
        upstream = setup.provider(TestH2Upstream.h2c(settings(100), r -> r.respond(200, "x")));
        int port = upstream.port();
        upstream.close();
        upstream = null;
        String yaml = GatewayFixture.standardYaml(port, "    protocol: h2c\n", null);
        gateway = setup.start(yaml);
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            assertProblem(client.send(get("/prov/svc/x")).read(), 502, "upstream-unavailable");
        }
    }
}
