package io.gozargah.engine.journal;

import io.gozargah.codec.journal.DictionaryEntryFlyweight;
import io.gozargah.codec.journal.MethodCode;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import io.gozargah.engine.exchange.Outcome;
import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.RawHttpClient.Response;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static io.gozargah.engine.testing.GatewayFixture.BOB_KEY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A journal written by this version, through a real gateway, read back field by field. */
class JournalIT {
    private static final String ANSWER = "{\"name\":\"علی\"}";

    @TempDir
    Path dir;

    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private GatewayFixture gateway;

    static String journalYaml(Path dir, String ringBytes) {
        return "journal:\n  dir: " + dir + "\n  ringBytes: " + ringBytes + "\n";
    }

    static String withBodyHashes(String yaml) {
        return yaml.replace("        methods: [ GET, HEAD, POST, PUT ]\n",
                "        methods: [ GET, HEAD, POST, PUT ]\n        journal: { bodies: hash }\n");
    }

    private void start() throws Exception {
        upstream = setup.provider(TestUpstream.answering(ANSWER));
        gateway = setup.start(withBodyHashes(setup.standardYaml(null, null))
                + journalYaml(dir, "64KiB"));
    }

    @Test
    void shouldJournalEveryAnsweredTransactionFieldByField() throws Exception {
        start();
        String body = "{\"nationalCode\":\"0012345679\"}";
        String post;
        String get;
        String forbidden;
        String unauthenticated;
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            c.send("POST /prov/svc/q HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body);
            Response r = c.read();
            assertEquals(200, r.status());
            post = r.header("X-Gozargah-Transaction");
            c.send("GET /prov/root HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n");
            get = c.read().header("X-Gozargah-Transaction");
            c.send("GET /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + BOB_KEY + "\r\n\r\n");
            Response f = c.read();
            assertEquals(403, f.status());
            forbidden = f.header("X-Gozargah-Transaction");
            c.send("DELETE /prov/svc HTTP/1.1\r\nHost: gw\r\n\r\n");
            unauthenticated = c.read().header("X-Gozargah-Transaction");
        }
        long before = System.currentTimeMillis();
        gateway.close();
        gateway = null;

        JournalContents j = JournalContents.read(dir);
        assertEquals(4, j.transactions.size());
        assertEquals(-1, j.firstBrokenLink, "the chain holds");
        for (JournalContents.Tx t : j.transactions) {
            assertTrue(t.idsNamedBefore(), "every id is named before the first record that uses it");
        }

        TransactionRecordFlyweight p = j.find(post).flyweight();
        assertEquals(TransactionRecordFlyweight.SCHEMA_VERSION, p.schemaVersion());
        assertEquals(200, p.httpStatus());
        assertEquals(OutcomeCode.of(Outcome.PROXIED), p.outcomeCode());
        assertEquals(MethodCode.POST, p.methodCode());
        assertEquals("alice", j.name(p.consumerId()));
        assertEquals(DictionaryEntryFlyweight.KIND_CONSUMER, j.kinds.get(p.consumerId()));
        assertEquals("prov/svc", j.name(p.serviceId()));
        assertEquals(DictionaryEntryFlyweight.KIND_SERVICE, j.kinds.get(p.serviceId()));
        assertEquals("http://127.0.0.1:" + upstream.port() + "/base", j.name(p.endpointId()));
        assertEquals(body.length(), p.requestBytes());
        assertEquals(ANSWER.getBytes(StandardCharsets.UTF_8).length, p.responseBytes());
        assertTrue(p.totalDurationNanos() > 0);
        assertTrue(p.upstreamDurationNanos() > 0 && p.upstreamDurationNanos() <= p.totalDurationNanos());
        long startMillis = p.startEpochNanos() / 1_000_000;
        assertTrue(startMillis <= before && startMillis > before - 60_000, "start time is wall-clock nanos");
        assertFalse(p.clientAddressIsIpv6());
        assertEquals(0x7F000001, p.clientIpv4());
        assertTrue(p.clientPort() > 0);
        assertTrue(p.hasBodyHashes(), "prov/svc asks for body hashes");
        byte[] hash = new byte[32];
        p.getRequestBodySha256(hash, 0);
        assertArrayEquals(sha256(body.getBytes(StandardCharsets.UTF_8)), hash, ByteBufUtil.hexDump(hash));
        p.getResponseBodySha256(hash, 0);
        assertArrayEquals(sha256(ANSWER.getBytes(StandardCharsets.UTF_8)), hash);

        TransactionRecordFlyweight g = j.find(get).flyweight();
        assertEquals(MethodCode.GET, g.methodCode());
        assertEquals("prov/root", j.name(g.serviceId()));
        assertFalse(g.hasBodyHashes(), "prov/root does not ask for body hashes");
        assertEquals(TransactionRecordFlyweight.LENGTH_WITHOUT_BODY_HASHES, j.find(get).bytes().length);

        TransactionRecordFlyweight f = j.find(forbidden).flyweight();
        assertEquals(403, f.httpStatus());
        assertEquals(OutcomeCode.of(Outcome.FORBIDDEN), f.outcomeCode());
        assertEquals("bob", j.name(f.consumerId()));
        assertEquals(0, f.endpointId(), "never went upstream");
        assertEquals(-1, f.upstreamDurationNanos());
        assertFalse(f.hasBodyHashes(), "refused before any body passed");

        TransactionRecordFlyweight u = j.find(unauthenticated).flyweight();
        assertEquals(401, u.httpStatus());
        assertEquals(0, u.consumerId());
        assertEquals(MethodCode.DELETE, u.methodCode());
        assertNotNull(j.name(u.serviceId()));
    }

    @Test
    void shouldKeepIdsAndTheChainAcrossARestart() throws Exception {
        start();
        String first;
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            c.send("GET /prov/root HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n");
            RawHttpClient.Response r = c.read();
            assertEquals(200, r.status(), r.bodyText());
            first = r.header("X-Gozargah-Transaction");
        }
        gateway.close();
        gateway = setup.start(setup.standardYaml(null, null) + journalYaml(dir, "128KiB"));
        String second;
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            c.send("GET /prov/root HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n");
            RawHttpClient.Response r = c.read();
            assertEquals(200, r.status(), r.bodyText());
            second = r.header("X-Gozargah-Transaction");
        }
        gateway.close();
        gateway = null;

        JournalContents j = JournalContents.read(dir);
        assertEquals(2, j.transactions.size(), () -> "first " + first + " found " + (j.find(first) != null)
                + ", second " + second + " found " + (j.find(second) != null) + ", " + j.summaries.size()
                + " summaries, " + j.dictionaryExcerpts + " dictionary excerpts");
        assertEquals(-1, j.firstBrokenLink, "the second run continues the first run's chain");
        TransactionRecordFlyweight a = j.find(first).flyweight();
        TransactionRecordFlyweight b = j.find(second).flyweight();
        assertEquals(a.consumerId(), b.consumerId());
        assertEquals(a.serviceId(), b.serviceId());
        assertEquals(a.endpointId(), b.endpointId());
    }

    private static byte[] sha256(byte[] bytes) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }
}
