package io.gozargah.engine.auth;

import io.gozargah.codec.journal.RefusalSummaryFlyweight;
import io.gozargah.codec.journal.SummaryReason;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import io.gozargah.engine.calendar.BillingCalendar;
import io.gozargah.engine.exchange.Outcome;
import io.gozargah.engine.journal.JournalContents;
import io.gozargah.engine.journal.JournalReader;
import io.gozargah.engine.journal.JournalStatistics;
import io.gozargah.engine.journal.JournalVerifier;
import io.gozargah.engine.journal.OutcomeCode;
import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.RawH2Client;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.RawHttpClient.Response;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.handler.codec.http2.Http2Error;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One client address (127.0.0.1) floods the gateway with wrong API keys, over HTTP/1.1 and over HTTP/2,
 * reconnecting whenever it is closed on, while an honest consumer calls from another address (127.0.0.2) and,
 * with a valid key, from the flooding address itself. What the attacker gets is counted client side, answer by
 * answer, and held against what the journal holds: its first failures as records of their own, the rest as
 * refusal summaries whose counts add up to exactly the answers it got after them.
 */
class AuthFailureFloodIT {
    private static final String ATTACKER = "127.0.0.1";
    private static final String HONEST = "127.0.0.2";
    private static final int BURST = 20;
    /** server.authFailures.rate: one interval is 100 ms. */
    private static final int RATE = 10;
    private static final int ANSWERS = 400;

    @TempDir
    Path dir;

    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private GatewayFixture gateway;

    /** Every answer given, in order: who got it, its status and transaction id. */
    private final List<Answer> answers = new ArrayList<>();

    private record Answer(String who, int status, String tx) {
    }

    private void start() throws Exception {
        upstream = setup.provider(TestUpstream.answering("{}"));
        String yaml = setup.standardYaml(null, null).replace("  shutdownGrace: 2s\n",
                "  shutdownGrace: 2s\n  authFailures: { rate: " + RATE + ", burst: " + BURST + " }\n")
                + "journal:\n  dir: " + dir.resolve("journal") + "\n  ringBytes: 1MiB\n  summaryInterval: 200ms\n";
        gateway = setup.start(yaml);
    }

    @Test
    void shouldThrottleAFloodOfWrongKeysOverHttp1AndJournalItAsCounts() throws Exception {
        start();
        long floodStart = System.nanoTime();
        long firstThrottled = 0;
        int throttledCount = 0;
        RawHttpClient attacker = new RawHttpClient(ATTACKER, gateway.port());
        try {
            for (int i = 0; attack().size() < ANSWERS; i++) {
                attacker.send("GET /prov/svc/" + i + " HTTP/1.1\r\nHost: gw\r\nX-Api-Key: gzk_wrong_" + i + "\r\n\r\n");
                Response r = attacker.read();
                answers.add(new Answer("attacker", r.status(), r.header("X-Gozargah-Transaction")));
                if (r.status() == 429) {
                    if (firstThrottled == 0) {
                        firstThrottled = System.nanoTime();
                    }
                    assertEquals("close", r.header("Connection"));
                    assertTrue(Long.parseLong(r.header("Retry-After")) >= 1);
                    assertEquals("application/problem+json", r.header("Content-Type"));
                    String problem = r.bodyText();
                    assertTrue(problem.contains("\"type\":\"urn:gozargah:error:rate-limited\""), problem);
                    assertTrue(problem.contains("throttled") && problem.contains("client address " + ATTACKER),
                            problem);
                    assertTrue(attacker.closedByPeer(), "the connection closes after a throttled failure");
                    attacker.close();
                    if (throttledCount++ % 25 == 0) {
                        honestAtTheFloodingAddress();
                    }
                    attacker = new RawHttpClient(ATTACKER, gateway.port());
                } else {
                    assertEquals(401, r.status(), "a failure is answered 401 or 429, nothing else");
                    assertNull(r.header("Connection"), "a 401 keeps the connection");
                }
                if (i % 20 == 0) {
                    honestFromAnotherAddress();
                }
            }
        } finally {
            attacker.close();
        }
        assertLimitAndJournal(floodStart, firstThrottled);
    }

    @Test
    void shouldThrottleAFloodOfWrongKeysOverHttp2WithGoAwayAfterTheAnswer() throws Exception {
        start();
        long floodStart = System.nanoTime();
        long firstThrottled = 0;
        int n = 0;
        int goAways = 0;
        while (attack().size() < ANSWERS) {
            try (RawH2Client attacker = new RawH2Client(ATTACKER, gateway.port())) {
                attacker.windowUpdate(0, 1 << 24); // the connection's window never limits what it is answered
                RawH2Client.Frame goAway = null;
                for (int stream = 1; goAway == null && attack().size() < ANSWERS; stream += 10) {
                    // Five streams in one write: the gateway reads them in one batch.
                    for (int s = stream; s < stream + 10; s += 2) {
                        attacker.frame(RawH2Client.HEADERS, RawH2Client.END_HEADERS | RawH2Client.END_STREAM, s,
                                RawH2Client.get("/prov/svc/" + n, "gzk_wrong_" + n++));
                    }
                    attacker.flush();
                    boolean throttled = false;
                    for (int s = stream; s < stream + 10; s += 2) {
                        int id = s;
                        RawH2Client.Frame end = attacker.await(f -> f.stream() == id && f.endStream()
                                || f.type() == RawH2Client.GOAWAY && lastStreamId(f) < id, 10);
                        assertNotNull(end, "stream " + id + " answered, or refused by a GOAWAY before it");
                        if (end.type() == RawH2Client.GOAWAY) {
                            continue;
                        }
                        RawH2Client.Frame head = attacker.awaitHeaders(id, 0);
                        assertEquals(RawH2Client.DATA, end.type(), "the problem document comes whole");
                        String problem = attacker.body(id);
                        answers.add(new Answer("attacker", head.status(),
                                head.headers().get("x-gozargah-transaction").toString()));
                        if (head.status() == 429) {
                            throttled = true;
                            if (firstThrottled == 0) {
                                firstThrottled = System.nanoTime();
                            }
                            assertTrue(Long.parseLong(head.headers().get("retry-after").toString()) >= 1);
                            assertTrue(problem.contains("\"type\":\"urn:gozargah:error:rate-limited\""), problem);
                            assertTrue(problem.contains("throttled"), problem);
                        } else {
                            assertEquals(401, head.status());
                        }
                    }
                    if (throttled) {
                        goAway = attacker.await(f -> f.type() == RawH2Client.GOAWAY, 10);
                        assertNotNull(goAway, "a throttled failure ends the connection with GOAWAY");
                    } else {
                        assertNull(attacker.await(f -> f.type() == RawH2Client.GOAWAY, 0), "only after a 429");
                    }
                }
                if (goAway == null) {
                    break;
                }
                goAways++;
                assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), goAway.goAwayCode());
                int last = lastStreamId(goAway);
                for (RawH2Client.Frame f : frames(attacker)) {
                    if (f.type() == RawH2Client.HEADERS) {
                        assertTrue(f.stream() <= last, "no stream after the GOAWAY's last is served: " + f.stream());
                    }
                }
                for (int s = 1; s <= last; s += 2) {
                    int id = s;
                    assertNotNull(attacker.await(f -> f.stream() == id && f.endStream(), 0),
                            "every stream up to the GOAWAY's last is answered: " + id);
                }
                assertTrue(attacker.awaitClosed(10), "and the connection closes");
            }
            honestAtTheFloodingAddressOverHttp2();
            honestFromAnotherAddress();
        }
        assertTrue(goAways >= 2, "throttled failures end connections with GOAWAY: " + goAways);
        assertLimitAndJournal(floodStart, firstThrottled);
    }

    /**
     * What the attacker got: its first failures 401 up to the limit (the burst, and one more per interval of the
     * time they took), then throttled; the honest calls all 200; and the journal: records of their own for those
     * first failures and every honest call, summaries for all the attacker got after them, counts exact.
     */
    private void assertLimitAndJournal(long floodStart, long firstThrottled) throws Exception {
        assertTrue(firstThrottled != 0, "the flood is throttled");
        List<Answer> attack = attack();
        int first = 0;
        while (attack.get(first).status() == 401) {
            first++;
        }
        long intervals = TimeUnit.NANOSECONDS.toMillis(firstThrottled - floodStart) / (1000 / RATE);
        assertTrue(first >= BURST && first <= BURST + intervals + 1, first + " failures answered 401 before the"
                + " first 429, " + intervals + " intervals into the flood");
        long throttled = attack.stream().filter(a -> a.status() == 429).count();
        long laterUnauthenticated = attack.size() - first - throttled;
        assertTrue(throttled > laterUnauthenticated, "past the burst most failures are refused: " + throttled
                + " 429, " + laterUnauthenticated + " 401");
        for (Answer a : answers) {
            if (!a.who().equals("attacker")) {
                assertEquals(200, a.status(), a.who() + " is never held back by the flood");
            }
        }
        assertEquals(throttled, metric("gozargah_auth_failures_throttled_total"));

        gateway.close();
        gateway = null;
        JournalContents j = JournalContents.read(dir.resolve("journal"));
        assertEquals(-1, j.firstBrokenLink, "the chain holds");
        for (int i = 0; i < attack.size(); i++) {
            Answer a = attack.get(i);
            if (i < first) {
                JournalContents.Tx t = j.find(a.tx());
                assertNotNull(t, "failure " + i + ", below the limit, has a record of its own");
                TransactionRecordFlyweight r = t.flyweight();
                assertEquals(401, r.httpStatus());
                assertEquals(OutcomeCode.of(Outcome.UNAUTHENTICATED), r.outcomeCode());
                assertEquals(0, r.consumerId());
                assertEquals("prov/svc", j.name(r.serviceId()), "with the service it tried");
                assertEquals(0x7F000001, r.clientIpv4());
                assertFalse(j.summarizes(a.tx()));
            } else {
                assertNull(j.find(a.tx()), "answer " + i + " (" + a.status() + "), in the flood, has no record");
                assertTrue(j.summarizes(a.tx()), "answer " + i + " is in a summary's range");
            }
        }
        Map<Integer, Long> summarized = new TreeMap<>();
        for (JournalContents.Summary s : j.summaries) {
            RefusalSummaryFlyweight f = s.flyweight();
            assertEquals(SummaryReason.AUTHENTICATION_FLOOD, f.reason());
            assertEquals(0, f.consumerId());
            assertEquals(0, f.serviceId(), "one count per address, whatever paths the flood tried");
            byte[] address = new byte[16];
            assertEquals(4, f.getClientAddress(address, 0), "an IPv4 address");
            assertArrayEquals(new byte[] {127, 0, 0, 1}, Arrays.copyOf(address, 4), "the attacker's");
            assertEquals(f.httpStatus() == 429 ? OutcomeCode.of(Outcome.RATE_LIMITED)
                    : OutcomeCode.of(Outcome.UNAUTHENTICATED), f.outcomeCode());
            summarized.merge(f.httpStatus(), f.count(), Long::sum);
        }
        assertEquals(throttled, summarized.getOrDefault(429, 0L), "every 429 counted once");
        assertEquals(laterUnauthenticated, summarized.getOrDefault(401, 0L), "and every 401 of the throttled spell");
        for (Answer a : answers) {
            if (!a.who().equals("attacker")) {
                assertNotNull(j.find(a.tx()), a.who() + "'s call has its own record");
            }
        }
        assertEquals(answers.size(), j.transactions.size() + j.summarized(), "the journal holds every answer, once");

        try (JournalReader reader = JournalReader.open(dir.resolve("journal"))) {
            JournalVerifier verifier = new JournalVerifier(reader.names(), false);
            reader.readAvailable(verifier);
            assertFalse(verifier.failed(), String.valueOf(verifier.problem()));
            assertEquals(attack.size() - first, verifier.summarized(), "journal verify");
        }
        try (JournalReader reader = JournalReader.open(dir.resolve("journal"))) {
            JournalStatistics statistics = new JournalStatistics(reader.names(),
                    BillingCalendar.named("gregorian", ZoneOffset.UTC), Long.MIN_VALUE, Long.MAX_VALUE);
            reader.readAvailable(statistics);
            assertEquals(answers.size(), statistics.transactions(), "journal report's total is the answers given");
            assertEquals(attack.size() - first, statistics.summarized());
        }
    }

    private List<Answer> attack() {
        return answers.stream().filter(a -> a.who().equals("attacker")).toList();
    }

    private void honestFromAnotherAddress() throws IOException {
        try (RawHttpClient c = new RawHttpClient(HONEST, gateway.port())) {
            c.send("GET /prov/svc/x HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n");
            Response r = c.read();
            answers.add(new Answer("honest " + HONEST, r.status(), r.header("X-Gozargah-Transaction")));
        }
    }

    /** A valid key from the address being throttled: the throttle counts failures only. */
    private void honestAtTheFloodingAddress() throws IOException {
        try (RawHttpClient c = new RawHttpClient(ATTACKER, gateway.port())) {
            for (int i = 0; i < 2; i++) {
                c.send("GET /prov/svc/x HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n");
                Response r = c.read();
                answers.add(new Answer("honest " + ATTACKER, r.status(), r.header("X-Gozargah-Transaction")));
                assertNull(r.header("Connection"));
            }
        }
    }

    private void honestAtTheFloodingAddressOverHttp2() throws Exception {
        try (RawH2Client c = new RawH2Client(ATTACKER, gateway.port())) {
            c.frame(RawH2Client.HEADERS, RawH2Client.END_HEADERS | RawH2Client.END_STREAM, 1,
                    RawH2Client.get("/prov/svc/x", ALICE_KEY));
            c.flush();
            assertTrue(c.awaitStreamEnd(1, 10));
            RawH2Client.Frame head = c.awaitHeaders(1, 0);
            answers.add(new Answer("honest " + ATTACKER + " h2", head.status(),
                    head.headers().get("x-gozargah-transaction").toString()));
            assertNull(c.await(f -> f.type() == RawH2Client.GOAWAY, 0));
        }
    }

    private static int lastStreamId(RawH2Client.Frame goAway) {
        byte[] p = goAway.payload();
        return (p[0] & 0x7F) << 24 | (p[1] & 0xFF) << 16 | (p[2] & 0xFF) << 8 | (p[3] & 0xFF);
    }

    /** Every frame the client has received so far. */
    private static List<RawH2Client.Frame> frames(RawH2Client c) throws InterruptedException {
        List<RawH2Client.Frame> all = new ArrayList<>();
        c.await(f -> {
            all.add(f);
            return false;
        }, 0);
        return all;
    }

    private long metric(String name) {
        for (String line : gateway.gateway().metrics().scrape().split("\n")) {
            if (line.startsWith(name + " ")) {
                return (long) Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError(name + " is not in the scrape");
    }
}
