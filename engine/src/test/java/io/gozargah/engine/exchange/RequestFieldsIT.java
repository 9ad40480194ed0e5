package io.gozargah.engine.exchange;

import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.H2Client;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static io.gozargah.engine.testing.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fields that look like the gateway's own, or claim another origin or method, sent over HTTP/1.1 and HTTP/2,
 * in heads and in trailers, checked in the bytes a provider receives: only the gateway's identity fields
 * arrive, once each, with the gateway's values; the look-alikes never do; a service that asks for a claim
 * field by name gets that one.
 */
class RequestFieldsIT {
    /** Name, value pairs a spoofing client adds, and the names (lower case) none of which may reach a provider. */
    private static final String[] SPOOFS = {
            "X_Gozargah_Consumer", "medu",
            "X_Forwarded_For", "6.6.6.6",
            "X-Api_Key", "gzk_someone_elses",
            "Forwarded", "for=6.6.6.6;host=evil.example",
            "X-Real-IP", "6.6.6.6",
            "True-Client-IP", "6.6.6.6",
            "X-Forwarded-Host", "evil.example",
            "X-HTTP-Method-Override", "DELETE",
            "X-HTTP-Method", "DELETE",
            "X-Method-Override", "DELETE",
            "X-Gozargah-Consumer", "medu",
            "X-Forwarded-For", "6.6.6.6",
            "X-Request-Note", "kept"};
    private static final List<String> NEVER = List.of("x_gozargah_consumer", "x_forwarded_for", "x-api_key",
            "forwarded:", "x-real-ip", "true-client-ip", "x-forwarded-host", "x-http-method-override",
            "x-http-method:", "x-method-override", "medu", "6.6.6.6", "evil.example", "delete", "gzk_someone_elses");

    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private GatewayFixture gateway;

    private void start(String limitsYaml) throws Exception {
        upstream = setup.provider((ctx, req) -> {
            DefaultFullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII));
            resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, 2);
            ctx.writeAndFlush(resp);
        });
        String yaml = setup.standardYaml(null, limitsYaml)
                .replace("      slow:\n", "      fwd:\n        path: /fwd\n        methods: [ GET ]\n"
                        + "        passFields: [ X-Forwarded-Host, forwarded ]\n      slow:\n")
                .replace("      - service: prov/slow\n", "      - service: prov/slow\n      - service: prov/fwd\n");
        gateway = setup.start(yaml);
    }

    private static String http1Fields() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < SPOOFS.length; i += 2) {
            b.append(SPOOFS[i]).append(": ").append(SPOOFS[i + 1]).append("\r\n");
        }
        return b.toString();
    }

    private static Http2Headers http2Request(String path) {
        Http2Headers h = H2Client.request("GET", path, "x-api-key", ALICE_KEY);
        for (int i = 0; i < SPOOFS.length; i += 2) {
            h.add(SPOOFS[i].toLowerCase(Locale.ROOT), SPOOFS[i + 1]);
        }
        return h;
    }

    /** What the provider received, lower case, with the gateway's identity fields checked and removed. */
    private String receivedWithoutIdentity() {
        String seen = upstream.receivedText().toLowerCase(Locale.ROOT);
        assertEquals(1, occurrences(seen, "\r\nx-gozargah-consumer: alice\r\n"), seen);
        assertEquals(1, occurrences(seen, "x-gozargah-consumer"), seen);
        assertEquals(1, occurrences(seen, "\r\nx-forwarded-for: 127.0.0.1\r\n"), seen);
        assertEquals(1, occurrences(seen, "x-forwarded-for"), seen);
        assertTrue(seen.contains("\r\nx-request-note: kept\r\n"), seen);
        return seen;
    }

    private static void assertNoneOf(List<String> names, String seen) {
        for (String name : names) {
            assertFalse(seen.contains(name), name + " reached the provider:\n" + seen);
        }
    }

    @Test
    void shouldForwardNoLookAlikeOrClaimFieldOverHttp11() throws Exception {
        start(null);
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            RawHttpClient.Response r = client.send("GET /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY
                    + "\r\n" + http1Fields() + "\r\n").read();
            assertEquals(200, r.status());
        }
        assertNoneOf(NEVER, receivedWithoutIdentity());
    }

    @Test
    void shouldForwardNoLookAlikeOrClaimFieldOverHttp2() throws Exception {
        start(null);
        try (H2Client client = new H2Client(gateway.port())) {
            assertEquals(200, client.send(http2Request("/prov/svc"), null).status());
        }
        assertNoneOf(NEVER, receivedWithoutIdentity());
    }

    @Test
    void shouldPassOnlyTheClaimFieldsAServiceAsksFor() throws Exception {
        start(null);
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            assertEquals(200, client.send("GET /prov/fwd HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\n"
                    + http1Fields() + "\r\n").read().status());
        }
        try (H2Client client = new H2Client(gateway.port())) {
            assertEquals(200, client.send(http2Request("/prov/fwd"), null).status());
        }
        List<String> connections = upstream.received();
        String seen = String.join("", connections).toLowerCase(Locale.ROOT);
        assertEquals(2, occurrences(seen, "\r\nx-forwarded-host: evil.example\r\n"), seen);
        assertEquals(2, occurrences(seen, "\r\nforwarded: for=6.6.6.6;host=evil.example\r\n"), seen);
        assertNoneOf(List.of("x-real-ip", "true-client-ip", "x-http-method", "x-method-override", "x_gozargah",
                "x-api_key", "medu"), seen);
    }

    @Test
    void shouldRefuseUnderscoreNamesWhenConfiguredTo() throws Exception {
        start("  underscoreFields: refuse\n");
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            RawHttpClient.Response r = client.send("GET /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY
                    + "\r\nX_Gozargah_Consumer: medu\r\n\r\n").read();
            assertProblem(r, 400, "bad-request");
            // The framing is known: the connection stays usable for a request without such a name.
            assertEquals(200, client.send("GET /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY
                    + "\r\n\r\n").read().status());
        }
        try (H2Client client = new H2Client(gateway.port())) {
            H2Client.Response r = client.send(H2Client.request("GET", "/prov/svc", "x-api-key", ALICE_KEY,
                    "x_forwarded_for", "6.6.6.6"), null);
            assertEquals(400, r.status());
            assertTrue(r.bodyText().contains("urn:gozargah:error:bad-request"), r.bodyText());
        }
        assertEquals(1, upstream.requests());
    }

    @Test
    void shouldFilterHttp11RequestTrailersAsHeaders() throws Exception {
        start(null);
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            RawHttpClient.Response r = client.send("POST /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n"
                    + "Host: evil.example\r\nX-Forwarded-For: 6.6.6.6\r\nX-Gozargah-Consumer: medu\r\n"
                    + "X_Gozargah_Consumer: medu\r\nForwarded: for=6.6.6.6\r\nX-Api-Key: " + ALICE_KEY + "\r\n"
                    + "X-Checksum: abc\r\n\r\n").read();
            assertEquals(200, r.status());
        }
        String seen = upstream.receivedText().toLowerCase(Locale.ROOT);
        String trailers = seen.substring(seen.indexOf("\r\n0\r\n") + 5);
        assertEquals("x-checksum: abc\r\n\r\n", trailers);
    }

    @Test
    void shouldFilterHttp2RequestTrailersAsHeaders() throws Exception {
        start(null);
        try (H2Client client = new H2Client(gateway.port())) {
            H2Client.Exchange x = client.open(H2Client.request("POST", "/prov/svc", "x-api-key", ALICE_KEY), false);
            x.data("hello".getBytes(StandardCharsets.US_ASCII), false);
            x.trailers(new DefaultHttp2Headers().add("x-forwarded-for", "6.6.6.6").add("x-gozargah-consumer", "medu")
                    .add("x_gozargah_consumer", "medu").add("forwarded", "for=6.6.6.6").add("x-real-ip", "6.6.6.6")
                    .add("x-checksum", "abc"));
            assertEquals(200, x.response.get(10, TimeUnit.SECONDS).status());
        }
        String seen = upstream.receivedText().toLowerCase(Locale.ROOT);
        String trailers = seen.substring(seen.indexOf("\r\n0\r\n") + 5);
        assertEquals("x-checksum: abc\r\n\r\n", trailers);
    }

    private static int occurrences(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
