package io.gozargah.engine.demo;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoProvidersIT {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private static DemoProviders providers;

    @BeforeAll
    static void start() throws IOException {
        providers = DemoProviders.start(0, 0, 0);
    }

    @AfterAll
    static void stop() {
        providers.close();
    }

    /**
     * Without TCP_NODELAY the JDK server's separate head and body writes cost 40 ms per answer (Nagle against
     * the gateway's delayed ACK): the demo ran at 226 requests a second. The switch is a system property the
     * JDK server reads when the first one starts; what it does to latency is measured with h2load, not here.
     */
    @Test
    void shouldHaveTurnedNagleOffForTheServersItStarted() {
        assertEquals("true", System.getProperty(DemoProviders.NODELAY_PROPERTY));
    }

    @Test
    void shouldAnswerValidNationalIdWithTheSamePersonEveryTime() throws Exception {
        HttpResponse<String> first = get(providers.nocrAddress(), "/api/v1/identity/" + DemoConsumers.VALID_NATIONAL_ID);
        HttpResponse<String> second = get(providers.nocrAddress(), "/api/v1/identity/" + DemoConsumers.VALID_NATIONAL_ID);

        assertEquals(200, first.statusCode());
        assertEquals("application/json; charset=utf-8", first.headers().firstValue("Content-Type").orElseThrow());
        Map<?, ?> person = json(first);
        assertEquals(DemoConsumers.VALID_NATIONAL_ID, person.get("nationalId"));
        assertEquals(Boolean.TRUE, person.get("alive"));
        assertTrue(person.get("birthDate").toString().matches("13[3-8][0-9]/(0[1-9]|1[0-2])/(0[1-9]|[12][0-9]|3[01])"),
                person.toString());
        assertTrue(person.get("gender").equals("male") || person.get("gender").equals("female"));
        assertTrue(person.get("lastName").toString().codePoints().allMatch(c -> c == ' ' || (c >= 0x0600 && c <= 0x06FF)),
                "Persian last name: " + person.get("lastName"));
        assertEquals(first.body(), second.body());
    }

    @Test
    void shouldAnswerWrongCheckDigitWith422() throws Exception {
        assertJsonError(providers.nocrAddress(), "/api/v1/identity/" + DemoConsumers.INVALID_NATIONAL_ID,
                422, "invalid-national-id");
    }

    @Test
    void shouldAnswerMalformedNationalIdWith400() throws Exception {
        for (String id : new String[] {"12345", "001234567x", "0012345679%2F"}) {
            assertJsonError(providers.nocrAddress(), "/api/v1/identity/" + id, 400, "malformed-national-id");
        }
    }

    @Test
    void shouldAnswerHeadWithGetHeadersAndNoBody() throws Exception {
        String path = "/api/v1/identity/" + DemoConsumers.VALID_NATIONAL_ID;
        HttpResponse<String> get = get(providers.nocrAddress(), path);
        HttpResponse<String> head = CLIENT.send(request(providers.nocrAddress(), path)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        assertEquals(String.valueOf(get.body().getBytes(StandardCharsets.UTF_8).length),
                head.headers().firstValue("Content-Length").orElseThrow());
    }

    @Test
    void shouldRefuseOtherMethodsWith405AndAllow() throws Exception {
        HttpResponse<String> response = CLIENT.send(request(providers.nocrAddress(), "/api/v1/identity/0012345679")
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, response.statusCode());
        assertEquals("GET, HEAD", response.headers().firstValue("Allow").orElseThrow());
    }

    @Test
    void shouldAnswerUnknownPathsWithJson404() throws Exception {
        assertJsonError(providers.nocrAddress(), "/api/v2/other", 404, "not-found");
    }

    @Test
    void shouldAnswerPostalCodeWithAddress() throws Exception {
        HttpResponse<String> response = get(providers.postAddress(), "/v2/address/" + DemoConsumers.POSTAL_CODE);
        assertEquals(200, response.statusCode());
        Map<?, ?> address = json(response);
        assertEquals(DemoConsumers.POSTAL_CODE, address.get("postalCode"));
        assertTrue(address.get("plaque") instanceof Integer, address.toString());
        for (String field : new String[] {"province", "city", "street"}) {
            assertTrue(address.get(field) instanceof String s && !s.isBlank(), field);
        }
    }

    @Test
    void shouldAnswerMalformedPostalCodeWith400() throws Exception {
        for (String code : new String[] {"159163471", "15916347110", "15916a4711"}) {
            assertJsonError(providers.postAddress(), "/v2/address/" + code, 400, "malformed-postal-code");
        }
    }

    @Test
    void shouldQueuePersianSmsWithPartCount() throws Exception {
        String text = "س".repeat(71);
        HttpResponse<String> response = post("{\"to\":\"09121234567\",\"text\":\"" + text + "\"}");
        assertEquals(202, response.statusCode());
        Map<?, ?> queued = json(response);
        assertEquals("queued", queued.get("status"));
        assertEquals(2, queued.get("parts"));
        assertTrue(queued.get("messageId") instanceof String id && !id.isEmpty());
    }

    @Test
    void shouldQueueAsciiSmsInOnePart() throws Exception {
        HttpResponse<String> response = post("{\"to\":\"09121234567\",\"text\":\"" + "x".repeat(160) + "\"}");
        assertEquals(202, response.statusCode());
        assertEquals(1, json(response).get("parts"));
    }

    @Test
    void shouldRejectBadSmsBodiesWith400() throws Exception {
        String[] bodies = {
                "", "not json", "[1,2]", "{\"to\":\"09121234567\"}", "{\"to\":9121234567,\"text\":\"hi\"}",
                "{\"to\":\"0912123456\",\"text\":\"hi\"}", "{\"to\":\"09121234567\",\"text\":\"\"}",
                "{\"to\":\"09121234567\",\"text\":\"hi\",\"to\":\"09120000000\"}",
        };
        for (String body : bodies) {
            HttpResponse<String> response = post(body);
            assertEquals(400, response.statusCode(), body);
            assertEquals("bad-request", json(response).get("error"), body);
        }
    }

    @Test
    void shouldRejectOversizedSmsBodyWith413() throws Exception {
        String body = "{\"to\":\"09121234567\",\"text\":\"" + "x".repeat(SmsSendEndpoint.MAX_BODY_BYTES) + "\"}";
        assertEquals(413, post(body).statusCode());
    }

    @Test
    void shouldRejectFormBodyWith415() throws Exception {
        HttpResponse<String> response = CLIENT.send(request(providers.smsAddress(), "/gateway/send")
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("to=09121234567&text=hi")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(415, response.statusCode());
    }

    @Test
    void shouldRefuseGetOnSmsWith405() throws Exception {
        assertEquals(405, get(providers.smsAddress(), "/gateway/send").statusCode());
    }

    @Test
    void shouldNameProviderAndPortWhenPortIsTaken() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            IOException e = assertThrows(IOException.class, () -> DemoProviders.start(0, taken.getLocalPort(), 0));
            assertTrue(e.getMessage().startsWith("demo provider post cannot listen on 127.0.0.1:" + taken.getLocalPort()),
                    e.getMessage());
        }
    }

    private static void assertJsonError(InetSocketAddress address, String path, int status, String error)
            throws Exception {
        HttpResponse<String> response = get(address, path);
        assertEquals(status, response.statusCode(), path);
        assertEquals(JsonReply.CONTENT_TYPE, response.headers().firstValue("Content-Type").orElseThrow(), path);
        assertEquals(error, json(response).get("error"), path);
    }

    private static HttpRequest.Builder request(InetSocketAddress address, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + path))
                .timeout(Duration.ofSeconds(10));
    }

    private static HttpResponse<String> get(InetSocketAddress address, String path) throws Exception {
        return CLIENT.send(request(address, path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String json) throws Exception {
        return CLIENT.send(request(providers.smsAddress(), "/gateway/send")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static Map<?, ?> json(HttpResponse<String> response) {
        return (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromString(response.body());
    }
}
