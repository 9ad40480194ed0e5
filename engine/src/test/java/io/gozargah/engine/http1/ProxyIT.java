package io.gozargah.engine.http1;

import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.RawHttpClient.Response;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static io.gozargah.engine.testing.Problems.assertProblem;
import static io.gozargah.engine.testing.GatewayFixture.BOB_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProxyIT {
    private static final Pattern TX = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private GatewayFixture gateway;

    private static TestUpstream.Responder json(String body) {
        return (ctx, req) -> {
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
            resp.headers().set("X-Gozargah-Forged", "by-provider");
            ctx.writeAndFlush(resp);
        };
    }

    private void start(TestUpstream.Responder responder) throws Exception {
        upstream = setup.provider(responder);
        gateway = setup.start();
    }

    private static String get(String path, String key) {
        return "GET " + path + " HTTP/1.1\r\nHost: gw.test\r\n" + (key == null ? "" : "X-Api-Key: " + key + "\r\n") + "\r\n";
    }

    @Test
    void shouldProxyGrantedRequestWithGatewayHeaders() throws Exception {
        start(json("{\"ok\":true}"));
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            c.send("GET /prov/svc/12345?full=1&x=%20y HTTP/1.1\r\nHost: gw.test\r\nX-Api-Key: " + ALICE_KEY
                    + "\r\nX-Gozargah-Consumer: mallory\r\nX-Gozargah-Role: admin\r\nX-Forwarded-For: 6.6.6.6\r\nAccept: application/json\r\n"
                    + "Connection: keep-alive, X-Secret\r\nX-Secret: hop\r\n\r\n");
            Response r = c.read();
            assertEquals(200, r.status());
            assertEquals("{\"ok\":true}", r.bodyText());
            assertTrue(TX.matcher(r.header("X-Gozargah-Transaction")).matches(), r.header("X-Gozargah-Transaction"));
            assertNull(r.header("X-Gozargah-Forged"), "providers cannot speak in the gateway's header namespace");
        }
        TestUpstream.Recorded req = upstream.last();
        assertEquals("/base/api/svc/12345?full=1&x=%20y", req.uri());
        assertEquals("alice", req.headers().get("X-Gozargah-Consumer"));
        assertTrue(TX.matcher(req.headers().get("X-Gozargah-Transaction")).matches());
        assertEquals("127.0.0.1", req.headers().get("X-Forwarded-For"));
        assertEquals("http", req.headers().get("X-Forwarded-Proto"));
        assertEquals("127.0.0.1:" + upstream.port(), req.headers().get("Host"));
        assertEquals("application/json", req.headers().get("Accept"));
        assertNull(req.headers().get("X-Api-Key"));
        assertNull(req.headers().get("X-Secret"), "a field named by Connection is hop-by-hop");
        assertNull(req.headers().get("Connection"));
        assertEquals(1, req.headers().getAll("X-Gozargah-Consumer").size());
        assertNull(req.headers().get("X-Gozargah-Role"), "no X-Gozargah-* field of the consumer's reaches a provider");
    }

    @Test
    void shouldAnswerProblemsWithoutReachingUpstream() throws Exception {
        start(json("{}"));
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            assertProblem(c.send(get("/prov/svc", null)).read(), 401, "unauthenticated");
            assertProblem(c.send(get("/prov/svc", "gzk_wrong")).read(), 401, "unauthenticated");
            assertProblem(c.send(get("/prov/nope", ALICE_KEY)).read(), 404, "unknown-service");
            assertProblem(c.send(get("/nope/svc", ALICE_KEY)).read(), 404, "unknown-service");
            assertProblem(c.send(get("/prov/svc", BOB_KEY)).read(), 403, "forbidden");
            Response r = c.send("DELETE /prov/svc HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n").read();
            assertProblem(r, 405, "method-not-allowed");
            assertEquals("GET, HEAD, POST, PUT", r.header("Allow"));
            assertProblem(c.send(get("/prov/svc/../admin", ALICE_KEY)).read(), 400, "bad-request");
            assertProblem(c.send(get("/prov/svc/%2e%2e/admin", ALICE_KEY)).read(), 400, "bad-request");
            assertProblem(c.send(get("/prov/svc/a%2fb", ALICE_KEY)).read(), 400, "bad-request");
            assertProblem(c.send(get("/prov/svc/..;/admin", ALICE_KEY)).read(), 400, "bad-request");
            // the connection survived every answer: a good request still goes through
            assertEquals(200, c.send(get("/prov/svc", ALICE_KEY)).read().status());
        }
        assertEquals(1, upstream.requests());
    }


    @Test
    void shouldReuseOneUpstreamConnectionForKeepAliveRequests() throws Exception {
        start(json("{\"n\":1}"));
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            for (int i = 0; i < 1000; i++) {
                Response r = c.send(get("/prov/svc/" + i, ALICE_KEY)).read();
                assertEquals(200, r.status());
            }
        }
        assertEquals(1000, upstream.requests());
        assertEquals(1, upstream.connections());
    }

    @Test
    void shouldAnswerPipelinedRequestsInOrder() throws Exception {
        start((ctx, req) -> json("{\"uri\":\"" + req.uri() + "\"}").respond(ctx, req));
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            StringBuilder all = new StringBuilder();
            for (int i = 0; i < 20; i++) {
                all.append(get("/prov/svc/" + i, ALICE_KEY));
            }
            c.send(all.toString());
            for (int i = 0; i < 20; i++) {
                Response r = c.read();
                assertEquals(200, r.status());
                assertEquals("{\"uri\":\"/base/api/svc/" + i + "\"}", r.bodyText());
            }
        }
    }

    @Test
    void shouldAnswer502WhenUpstreamRefuses() throws Exception {
        upstream = setup.provider(json("{}"));
        int port = upstream.port();
        upstream.close();
        gateway = setup.start(GatewayFixture.standardYaml(port, null, null));
        upstream = null;
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            assertProblem(c.send(get("/prov/svc", ALICE_KEY)).read(), 502, "upstream-unavailable");
        }
    }

    @Test
    void shouldAnswer504WhenUpstreamTooSlow() throws Exception {
        start((ctx, req) -> {
            // never answers
        });
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            long t0 = System.nanoTime();
            assertProblem(c.send(get("/prov/slow", ALICE_KEY)).read(), 504, "upstream-timeout");
            assertTrue(System.nanoTime() - t0 >= 250_000_000L, "waited the configured 300 ms");
        }
    }

    @Test
    void shouldCloseClientWhenUpstreamClosesMidResponse() throws Exception {
        start((ctx, req) -> {
            TestUpstream.writeRaw(ctx, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial");
            ctx.channel().eventLoop().execute(() -> ctx.close());
        });
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            c.send(get("/prov/svc", ALICE_KEY));
            java.io.InputStream in = c.input();
            byte[] all = in.readAllBytes(); // ends: the gateway cut the connection
            String text = new String(all, StandardCharsets.ISO_8859_1);
            assertTrue(text.startsWith("HTTP/1.1 200"), text);
            assertTrue(text.endsWith("partial"), text);
        }
    }

    @Test
    void shouldAnswer502WhenUpstreamClosesBeforeResponse() throws Exception {
        start((ctx, req) -> ctx.close());
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            assertProblem(c.send(get("/prov/svc", ALICE_KEY)).read(), 502, "upstream-unavailable");
        }
    }

    @Test
    void shouldHandleHeadAnd204And304() throws Exception {
        start((ctx, req) -> {
            String uri = req.uri();
            if (uri.endsWith("/204")) {
                TestUpstream.writeRaw(ctx, "HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n");
            } else if (uri.endsWith("/304")) {
                TestUpstream.writeRaw(ctx, "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n");
            } else {
                TestUpstream.writeRaw(ctx, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                        + (req.method().name().equals("HEAD") ? "" : "hello"));
            }
        });
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            Response head = c.send("HEAD /prov/svc HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n").read(true);
            assertEquals(200, head.status());
            assertEquals("5", head.header("Content-Length"));
            Response r204 = c.send(get("/prov/svc/204", ALICE_KEY)).read();
            assertEquals(204, r204.status());
            assertEquals("1", r204.header("X-A"));
            Response r304 = c.send(get("/prov/svc/304", ALICE_KEY)).read();
            assertEquals(304, r304.status());
            Response ok = c.send(get("/prov/svc", ALICE_KEY)).read();
            assertEquals("hello", ok.bodyText(), "the connection is still in step after bodiless responses");
        }
    }

    @Test
    void shouldStreamChunkedBothWays() throws Exception {
        start((ctx, req) -> {
            String body = req.content().toString(StandardCharsets.UTF_8);
            TestUpstream.writeRaw(ctx, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"
                    + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\nX-Sum: 42\r\n\r\n");
        });
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            c.send("POST /prov/svc HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + ALICE_KEY
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n");
            Response r = c.read();
            assertEquals(200, r.status());
            assertEquals("chunked", r.header("Transfer-Encoding"));
            assertEquals("hello world", r.bodyText());
            assertEquals("42", r.trailer("X-Sum"));
        }
        assertEquals("hello world", new String(upstream.last().body(), StandardCharsets.UTF_8));
    }

    @Test
    void shouldHandleExpectContinue() throws Exception {
        start((ctx, req) -> json("{\"len\":" + req.content().readableBytes() + "}").respond(ctx, req));
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            c.send("POST /prov/svc HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + ALICE_KEY
                    + "\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
            Response interim = c.read();
            assertEquals(100, interim.status());
            c.send("ping");
            Response r = c.read();
            assertEquals(200, r.status());
            assertEquals("{\"len\":4}", r.bodyText());
        }
        assertNull(upstream.last().headers().get("Expect"));
    }

    @Test
    void shouldRefuseExpectContinueWhenNotGrantedAndClose() throws Exception {
        start(json("{}"));
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            c.send("POST /prov/svc HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + BOB_KEY
                    + "\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
            Response r = c.read();
            assertProblem(r, 403, "forbidden");
            assertEquals("close", r.header("Connection"));
            assertTrue(c.closedByPeer());
        }
        assertEquals(0, upstream.requests());
    }

    @Test
    void shouldKeepHttp10ClientsWorking() throws Exception {
        start(json("{\"v\":10}"));
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            Response r = c.send("GET /prov/svc HTTP/1.0\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("{\"v\":10}", r.bodyText());
            assertTrue(c.closedByPeer(), "HTTP/1.0 without keep-alive closes after the response");
        }
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            Response r = c.send("GET /prov/svc HTTP/1.0\r\nConnection: keep-alive\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n").read();
            assertEquals("keep-alive", r.header("Connection"));
            assertEquals(200, c.send("GET /prov/svc HTTP/1.0\r\nConnection: keep-alive\r\nX-Api-Key: " + ALICE_KEY
                    + "\r\n\r\n").read().status());
        }
    }

    @Test
    void shouldMapServiceRootPath() throws Exception {
        start(json("{}"));
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            assertEquals(200, c.send(get("/prov/root", ALICE_KEY)).read().status());
            assertEquals("/base/", upstream.last().uri());
            assertEquals(200, c.send(get("/prov/root/x/y?q", ALICE_KEY)).read().status());
            assertEquals("/base/x/y?q", upstream.last().uri());
        }
    }

    @Test
    void shouldConvertCloseDelimitedResponseToChunked() throws Exception {
        start((ctx, req) -> {
            TestUpstream.writeRaw(ctx, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil-close");
            ctx.channel().eventLoop().execute(() -> ctx.close());
        });
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            Response r = c.send(get("/prov/svc", ALICE_KEY)).read();
            assertEquals("chunked", r.header("Transfer-Encoding"));
            assertEquals("until-close", r.bodyText());
            assertFalse("close".equals(r.header("Connection")), "the client connection stays open");
            assertEquals(200, c.send(get("/prov/svc", ALICE_KEY)).read().status());
        }
    }


    @Test
    void shouldNotRetryARequestWhoseAnswerWasGarbledOnAReusedConnection() throws Exception {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        start((ctx, req) -> {
            if (calls.incrementAndGet() == 2) {
                TestUpstream.writeRaw(ctx, "HTTP/1.1 2000 Nonsense\r\n\r\n");
            } else {
                json("{}").respond(ctx, req);
            }
        });
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            assertEquals(200, c.send(get("/prov/svc", ALICE_KEY)).read().status());
            assertProblem(c.send(get("/prov/svc", ALICE_KEY)).read(), 502, "upstream-unavailable");
        }
        assertEquals(2, upstream.requests(), "the GET reached the provider once, not again after a garbled answer");
    }

    @Test
    void shouldCheckTheKeyOfEveryRequestOnAKeepAliveConnection() throws Exception {
        start(json("{}"));
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            assertEquals(200, c.send(get("/prov/svc", ALICE_KEY)).read().status());
            assertProblem(c.send(get("/prov/svc", BOB_KEY)).read(), 403, "forbidden");
            assertEquals(200, c.send(get("/prov/svc", ALICE_KEY)).read().status());
            assertProblem(c.send(get("/prov/svc", ALICE_KEY.substring(0, ALICE_KEY.length() - 1) + "x")).read(), 401,
                    "unauthenticated");
            assertProblem(c.send(get("/prov/svc", ALICE_KEY + "x")).read(), 401, "unauthenticated");
            assertProblem(c.send(get("/prov/svc", null)).read(), 401, "unauthenticated");
            assertEquals(200, c.send(get("/prov/svc", ALICE_KEY)).read().status());
        }
        assertEquals(3, upstream.requests());
    }
}
