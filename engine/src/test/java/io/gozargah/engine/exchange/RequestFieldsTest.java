package io.gozargah.engine.exchange;

import io.gozargah.engine.config.ConfigLoader;
import io.gozargah.engine.route.RoutingSnapshot;
import io.gozargah.engine.route.ServiceRoute;
import io.gozargah.engine.testing.GatewayFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestFieldsTest {
    @TempDir
    static Path dir;
    private static ServiceRoute plain;
    private static ServiceRoute passing;

    @BeforeAll
    static void snapshot() throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, GatewayFixture.standardYaml(9, null, null)
                .replace("      slow:\n", "      fwd:\n        path: /fwd\n        passFields: [ x-forwarded-host ]\n"
                        + "      slow:\n"));
        RoutingSnapshot s = RoutingSnapshot.build(ConfigLoader.load(file));
        plain = named(s, "prov/svc");
        passing = named(s, "prov/fwd");
    }

    private static ServiceRoute named(RoutingSnapshot s, String name) {
        return s.services().stream().filter(r -> r.qualifiedName().equals(name)).findFirst().orElseThrow();
    }

    @ParameterizedTest
    @ValueSource(strings = {"accept", "content-type", "cookie", "x-request-id", "authorization",
            "x-forwarded-port", "trailer", "x-gozargah"})
    void shouldForwardOrdinaryFields(String name) {
        assertTrue(RequestFields.forwarded(name, plain, true), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"host", "content-length", "transfer-encoding", "connection", "keep-alive",
            "proxy-connection", "te", "upgrade", "expect", "proxy-authorization", "x-api-key", "x-gozargah-consumer",
            "x-gozargah-transaction", "x-gozargah-anything", "x-forwarded-for", "x-forwarded-proto", "forwarded",
            "x-real-ip", "true-client-ip", "x-forwarded-host", "x-http-method-override", "x-http-method",
            "x-method-override", "x_gozargah_consumer", "x_forwarded_for", "x-api_key", "_", "accept_language"})
    void shouldNeverForwardTheGatewaysFieldsTheirLookAlikesOrClientClaims(String name) {
        assertFalse(RequestFields.forwarded(name, plain, true), name);
    }

    @Test
    void shouldNeverForwardTheConsumersTraceParentAndItsTraceStateOnlyWithItsValidTraceParent() {
        assertFalse(RequestFields.forwarded("traceparent", plain, true));
        assertFalse(RequestFields.forwarded("traceparent", plain, false));
        assertTrue(RequestFields.forwarded("tracestate", plain, true));
        assertFalse(RequestFields.forwarded("tracestate", plain, false));
    }

    @ParameterizedTest
    @ValueSource(strings = {"x-forwarded-host"})
    void shouldForwardAClaimFieldTheServiceAsksFor(String name) {
        assertTrue(RequestFields.forwarded(name, passing, true), name);
        assertFalse(RequestFields.forwarded("forwarded", passing, true));
        assertFalse(RequestFields.forwarded("x_forwarded_host", passing, true));
    }
}
