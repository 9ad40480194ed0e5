package io.gozargah.engine.admin;

import io.gozargah.engine.testing.AdminFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.RawHttpClient.Response;
import io.gozargah.engine.testing.TestUpstream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static io.gozargah.engine.testing.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admin listener: token checks, endpoints, refusals, reload; and that consumers cannot reach it. */
class AdminApiIT {
    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private AdminFixture fixture;

    @BeforeEach
    void start() throws Exception {
        upstream = setup.provider(TestUpstream.answering("{}"));
        fixture = setup.closeAfter(AdminFixture.start(setup.standardYaml(null, null), Duration.ofSeconds(2)));
    }

    private static void assertAdminProblem(Response r, int status, String code) {
        assertEquals(status, r.status(), r.bodyText());
        assertEquals("application/problem+json", r.header("Content-Type"));
        assertTrue(r.bodyText().contains("\"type\":\"urn:gozargah:admin:" + code + "\""), r.bodyText());
        assertTrue(r.bodyText().contains("\"status\":" + status), r.bodyText());
    }

    @Test
    void shouldRefuseMetricsWithoutTheRightBearerToken() throws Exception {
        Response none = fixture.call("GET", "/metrics", null);
        assertAdminProblem(none, 401, "unauthenticated");
        assertEquals("Bearer realm=\"gozargah-admin\"", none.header("WWW-Authenticate"));
        assertAdminProblem(fixture.call("GET", "/metrics", "Bearer wrong-token-0123456789abcdef"), 401,
                "unauthenticated");
        assertAdminProblem(fixture.call("GET", "/metrics", "Bearer " + AdminFixture.TOKEN + "x"), 401,
                "unauthenticated");
        assertAdminProblem(fixture.call("GET", "/metrics", "Basic " + AdminFixture.TOKEN), 401, "unauthenticated");
        assertAdminProblem(fixture.call("POST", "/admin/drain", null), 401, "unauthenticated");
        assertAdminProblem(fixture.call("POST", "/admin/reload", "Bearer nope-nope-nope-nope"), 401,
                "unauthenticated");

        Response ok = fixture.call("GET", "/metrics");
        assertEquals(200, ok.status());
        assertTrue(ok.bodyText().contains("# TYPE gozargah_requests_total counter"), ok.bodyText());
        assertEquals(200, fixture.call("GET", "/metrics", "bearer " + AdminFixture.TOKEN).status(),
                "the scheme is case-insensitive (RFC 9110 §11.1)");
    }

    @Test
    void shouldAnswerHealthAndReadinessWithoutAToken() throws Exception {
        Response health = fixture.call("GET", "/health", null);
        assertEquals(200, health.status());
        assertEquals("{\"status\":\"up\"}", health.bodyText());
        Response ready = fixture.call("GET", "/ready", null);
        assertEquals(200, ready.status());
        assertEquals("{\"ready\":true,\"reasons\":[]}", ready.bodyText());
    }

    @Test
    void shouldAnswerUnknownPathsAndMethodsWithProblems() throws Exception {
        assertAdminProblem(fixture.call("GET", "/nope", null), 404, "not-found");
        assertAdminProblem(fixture.call("GET", "/admin/consumers/", null), 404, "not-found");
        Response post = fixture.call("POST", "/metrics");
        assertAdminProblem(post, 405, "method-not-allowed");
        assertEquals("GET", post.header("Allow"));
        Response get = fixture.call("GET", "/admin/drain");
        assertAdminProblem(get, 405, "method-not-allowed");
        assertEquals("POST", get.header("Allow"));
        assertAdminProblem(fixture.call("DELETE", "/health", null), 405, "method-not-allowed");
        try (RawHttpClient c = new RawHttpClient(fixture.adminPort())) {
            c.send("GET /metrics HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");
            assertAdminProblem(c.read(), 400, "bad-request");
        }
    }

    @Test
    void shouldNotServeTheAdminApiOnTheConsumerListener() throws Exception {
        try (RawHttpClient c = new RawHttpClient(fixture.gateway().port())) {
            c.send("GET /metrics HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer " + AdminFixture.TOKEN + "\r\n\r\n");
            assertProblem(c.read(), 401, "unauthenticated");
            c.send("GET /admin/services HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n");
            assertProblem(c.read(), 404, "unknown-service");
            c.send("GET /health HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n");
            assertProblem(c.read(), 404, "unknown-service");
        }
    }

    @Test
    void shouldListServicesAndConsumersWithGrantsAndUsage() throws Exception {
        Response services = fixture.call("GET", "/admin/services");
        assertEquals(200, services.status());
        assertEquals("application/json", services.header("Content-Type"));
        String body = services.bodyText();
        assertTrue(body.contains("{\"provider\":\"prov\",\"service\":\"svc\",\"path\":\"/api/svc\","
                + "\"methods\":[\"GET\",\"HEAD\",\"POST\",\"PUT\"],\"endpoints\":[\"http://127.0.0.1:"
                + upstream.port() + "/base\"],\"responseTimeoutMillis\":2000,\"grantedTo\":[\"alice\"]}"), body);

        try (RawHttpClient c = new RawHttpClient(fixture.gateway().port())) {
            for (int i = 0; i < 2; i++) {
                c.send("GET /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n");
                assertEquals(200, c.read().status());
            }
            c.send("GET /prov/missing HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n");
            assertEquals(404, c.read().status());
        }
        String after = fixture.call("GET", "/admin/services").bodyText();
        assertTrue(after.contains("\"providers\":[{\"provider\":\"prov\",\"endpoints\":[{\"url\":\"http://127.0.0.1:"
                + upstream.port() + "/base\",\"weight\":1,\"backup\":false,\"healthy\":true,\"ejected\":false,"
                + "\"ejectedForMillis\":0,\"ejections\":0,\"outstanding\":0,\"successes\":2,\"failures\":0,"
                + "\"successRate\":1.0}]}]"), after);
        Response alice = fixture.call("GET", "/admin/consumers/alice");
        assertEquals(200, alice.status());
        assertEquals("{\"consumer\":\"alice\",\"apiKeys\":1,\"grants\":[\"prov/svc\",\"prov/slow\",\"prov/root\"],"
                + "\"usage\":{\"_none/_none\":{\"unknown-service\":1},\"prov/svc\":{\"ok\":2}}}", alice.bodyText());
        assertAdminProblem(fixture.call("GET", "/admin/consumers/carol"), 404, "unknown-consumer");
    }

    @Test
    void shouldListAConsumerAsGrantedWhateverTheTermsOfItsGrant() throws Exception {
        fixture.close();
        String limited = setup.standardYaml(null, null)
                .replace("      - service: prov/svc\n",
                        "      - { service: prov/svc, rate: 100, burst: 10, quotaDay: 1000, quotaMonth: 20000 }\n")
                .replace("      - service: prov/slow\n", "      - { service: prov/slow, quotaMonth: 5 }\n");
        fixture = setup.closeAfter(AdminFixture.start(limited, Duration.ofSeconds(2)));
        String body = fixture.call("GET", "/admin/services").bodyText();
        assertEquals(3, body.split("\"grantedTo\":\\[\"alice\"\\]", -1).length - 1,
                "alice is granted svc (with a rate and quotas), slow (with a quota) and root: " + body);
    }

    @Test
    void shouldReloadThroughTheConfigReloaderAndRefuseABadFileWithItsLocation() throws Exception {
        Path file = fixture.gateway().gateway().snapshot().config().source();
        String original = Files.readString(file);
        Files.writeString(file, original.replace("  bob:\n", "  carol:\n"));
        Response ok = fixture.call("POST", "/admin/reload");
        assertEquals(200, ok.status(), ok.bodyText());
        assertTrue(ok.bodyText().startsWith("{\"reloaded\":true,"), ok.bodyText());
        assertEquals(200, fixture.call("GET", "/admin/consumers/carol").status());

        Files.writeString(file, original + "unknownSection: 1\n");
        Response bad = fixture.call("POST", "/admin/reload");
        assertAdminProblem(bad, 422, "reload-failed");
        assertTrue(bad.bodyText().contains(file + ":"), bad.bodyText());
        assertTrue(bad.bodyText().contains("unknown key 'unknownSection'"), bad.bodyText());
        assertEquals(200, fixture.call("GET", "/admin/consumers/carol").status(), "the running config stays");
    }
}
