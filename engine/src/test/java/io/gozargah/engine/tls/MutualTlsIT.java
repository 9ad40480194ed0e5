package io.gozargah.engine.tls;

import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.TestCertificates;
import io.gozargah.engine.testing.TestCertificates.Issued;
import io.gozargah.engine.testing.TestUpstream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static io.gozargah.engine.testing.GatewayFixture.BOB_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Client certificates as consumer identity, with Java's HttpClient over h2: a good certificate identifies its
 * consumer; with clientAuth require an unknown or expired one fails the handshake, with optional it counts as
 * absent; a certificate and a key must name the same consumer.
 */
class MutualTlsIT {
    private static TestCertificates certs;
    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private GatewayFixture gateway;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certs = TestCertificates.create();
    }

    private void start(String clientAuth) throws Exception {
        upstream = setup.provider(TestUpstream.answering("ok"));
        String yaml = TlsIT.tlsYaml(upstream.port(), "{ certificate: " + certs.server.certificatePem() + ", key: "
                + certs.server.keyPem() + ", clientAuth: " + clientAuth + ", trustedCas: " + certs.ca.certificatePem()
                + " }").replace("  alice:\n", "  alice:\n    certificates: [ \""
                + TestCertificates.fingerprint(certs.goodClient.certificate()) + "\" ]\n");
        Path file = Files.createTempDirectory("gozargah-mtls").resolve("gateway.yaml");
        Files.writeString(file, yaml);
        gateway = setup.start(file);
    }

    private HttpResponse<String> call(Issued certificate, String apiKey) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                .connectTimeout(Duration.ofSeconds(10)).sslContext(certs.clientContext(certificate)).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + gateway.port()
                + "/prov/svc")).timeout(Duration.ofSeconds(20));
        if (apiKey != null) {
            request.header("X-Api-Key", apiKey);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldIdentifyAConsumerByItsCertificateAlone() throws Exception {
        start("require");

        HttpResponse<String> r = call(certs.goodClient, null);

        assertEquals(200, r.statusCode(), r.body());
        assertEquals(HttpClient.Version.HTTP_2, r.version());
        assertEquals("alice", upstream.last().headers().get("X-Gozargah-Consumer"));
    }

    @Test
    void shouldFailTheHandshakeForUnknownExpiredOrMissingCertificatesWhenRequired() throws Exception {
        start("require");

        assertHandshakeFails(() -> call(certs.unknownClient, ALICE_KEY), "certificate from another CA");
        assertHandshakeFails(() -> call(certs.expiredClient, ALICE_KEY), "expired certificate");
        assertHandshakeFails(() -> call(null, ALICE_KEY), "no certificate");
        assertEquals(0, upstream.requests());
    }

    /** A refused handshake is an I/O failure of the call, not its timeout (which would mean nobody answered). */
    private static void assertHandshakeFails(Executable call, String what) {
        IOException e = assertThrows(IOException.class, call, what);
        assertFalse(e instanceof HttpTimeoutException, what + ": timed out instead of failing the handshake");
    }

    @Test
    void shouldTreatAnUnverifiableCertificateAsAbsentWhenOptional() throws Exception {
        start("optional");

        HttpResponse<String> expiredWithKey = call(certs.expiredClient, ALICE_KEY);
        HttpResponse<String> expiredAlone = call(certs.expiredClient, null);
        HttpResponse<String> unknownAlone = call(certs.unknownClient, null);
        HttpResponse<String> noneWithKey = call(null, ALICE_KEY);

        assertEquals(200, expiredWithKey.statusCode(), expiredWithKey.body());
        assertEquals(401, expiredAlone.statusCode());
        assertTrue(expiredAlone.body().contains("the client certificate did not verify"), expiredAlone.body());
        assertEquals(401, unknownAlone.statusCode());
        assertEquals(200, noneWithKey.statusCode());
        assertEquals(2, upstream.requests());
    }

    @Test
    void shouldRequireACertificateAndAKeyToNameTheSameConsumer() throws Exception {
        start("optional");

        HttpResponse<String> same = call(certs.goodClient, ALICE_KEY);
        HttpResponse<String> different = call(certs.goodClient, BOB_KEY);

        assertEquals(200, same.statusCode(), same.body());
        assertEquals(401, different.statusCode());
        assertTrue(different.body().contains("the API key names consumer bob but the client certificate names"
                + " consumer alice; both must name the same consumer"), different.body());
        assertTrue(different.body().contains("urn:gozargah:error:unauthenticated"), different.body());
        assertEquals(1, upstream.requests());
    }
}
