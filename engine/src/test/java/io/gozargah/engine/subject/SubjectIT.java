package io.gozargah.engine.subject;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import io.gozargah.engine.journal.JournalContents;
import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.H2Client;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static io.gozargah.engine.testing.GatewayFixture.BOB_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Subjects taken from the path, a query parameter and a header field, over HTTP/1.1 and HTTP/2 (h2c), through a
 * real gateway, and the journal it wrote read back: each transaction carries its subject's keyed hash or none, and
 * the subject's own bytes are in no journal file and no log line.
 */
class SubjectIT {
    /** Ten digits that occur nowhere else in a journal or a log by chance. */
    private static final String SUBJECT = "8412365079";
    private static final String KIND = "national-code";

    @TempDir
    Path dir;

    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger gozargahLog = (Logger) LoggerFactory.getLogger("io.gozargah");
    private Level levelBefore;
    private SubjectKey key;
    private GatewayFixture gateway;

    /**
     * Every log event of the gateway's, at every level, kept for the grep; not passed on to the console (the root
     * logger's appender would print them all, whatever the root's level).
     */
    @BeforeEach
    void captureLogs() {
        levelBefore = gozargahLog.getLevel();
        gozargahLog.setLevel(Level.TRACE);
        gozargahLog.setAdditive(false);
        log.start();
        gozargahLog.addAppender(log);
    }

    @AfterEach
    void releaseLogs() {
        gozargahLog.detachAppender(log);
        gozargahLog.setAdditive(true);
        gozargahLog.setLevel(levelBefore);
    }

    /** Three services with a subject rule each, and prov/svc with none; alice is granted all, bob none. */
    private void start() throws Exception {
        Path keyFile = dir.resolve("keys").resolve("subject.key");
        Files.createDirectories(keyFile.getParent());
        SubjectKey.generate(keyFile);
        key = SubjectKey.read(keyFile);
        setup.provider(TestUpstream.answering("{\"ok\":true}"));
        String services = ""
                + "      bypath:\n"
                + "        path: /id\n"
                + "        subject: { from: path, pattern: '^(\\d{10})$', kind: " + KIND + " }\n"
                + "      byquery:\n"
                + "        path: /q\n"
                + "        subject: { from: query, param: nationalId, pattern: '^(\\d{10})$', kind: " + KIND + " }\n"
                + "      byheader:\n"
                + "        path: /h\n"
                + "        subject: { from: header, header: X-Subject, pattern: '^(\\d{10})$', kind: " + KIND + " }\n";
        String yaml = setup.standardYaml(null, null)
                .replace("    services:\n", "    services:\n" + services)
                .replace("      - service: prov/root\n", "      - service: prov/root\n"
                        + "      - service: prov/bypath\n      - service: prov/byquery\n"
                        + "      - service: prov/byheader\n")
                + "journal:\n  dir: " + dir.resolve("journal") + "\n  ringBytes: 64KiB\n"
                + "  subjectKeyFile: " + keyFile + "\n";
        gateway = setup.start(yaml);
    }

    /** Sends {@code target} with alice's key (and {@code field}, if any) over HTTP/1.1; the transaction id. */
    private String http1(RawHttpClient c, String target, String apiKey, String field, int status) throws Exception {
        c.send("GET " + target + " HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + apiKey + "\r\n"
                + (field == null ? "" : field + "\r\n") + "\r\n");
        RawHttpClient.Response r = c.read();
        assertEquals(status, r.status(), target);
        return r.header("X-Gozargah-Transaction");
    }

    private static String h2(H2Client c, String target, String... fields) throws Exception {
        List<String> all = new ArrayList<>(List.of("x-api-key", ALICE_KEY));
        all.addAll(List.of(fields));
        H2Client.Response r = c.send(H2Client.request("GET", target, all.toArray(String[]::new)), null);
        assertEquals(200, r.status(), target + ": " + r.bodyText());
        return r.header("x-gozargah-transaction");
    }

    @Test
    void shouldJournalTheSubjectsKeyedHashFromPathQueryAndHeaderOverBothProtocols() throws Exception {
        start();
        Map<String, String> about = new LinkedHashMap<>(); // transaction → what it is
        List<String> none = new ArrayList<>();
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            about.put(http1(c, "/prov/bypath/" + SUBJECT, ALICE_KEY, null, 200), "HTTP/1.1 path");
            about.put(http1(c, "/prov/byquery/x?a=1&nationalId=" + SUBJECT + "&b=2", ALICE_KEY, null, 200),
                    "HTTP/1.1 query");
            about.put(http1(c, "/prov/byheader", ALICE_KEY, "x-subject:  " + SUBJECT + " ", 200),
                    "HTTP/1.1 header");
            // Refused for its grant, yet an attempt at the subject's data: findable by the subject too.
            about.put(http1(c, "/prov/bypath/" + SUBJECT, BOB_KEY, null, 403), "HTTP/1.1 forbidden");
            none.add(http1(c, "/prov/svc/" + SUBJECT + "?nationalId=" + SUBJECT, ALICE_KEY, "X-Subject: " + SUBJECT,
                    200)); // no subject rule
            none.add(http1(c, "/prov/bypath/84123650", ALICE_KEY, null, 200)); // no match: served, no subject
            none.add(http1(c, "/prov/byquery?nationalId=" + SUBJECT + "0", ALICE_KEY, null, 200));
            none.add(http1(c, "/prov/byheader", ALICE_KEY, null, 200)); // no such field
        }
        try (H2Client c = new H2Client(gateway.port())) {
            about.put(h2(c, "/prov/bypath/" + SUBJECT), "HTTP/2 path");
            about.put(h2(c, "/prov/byquery?nationalId=" + SUBJECT), "HTTP/2 query");
            about.put(h2(c, "/prov/byheader", "x-subject", SUBJECT), "HTTP/2 header");
            none.add(h2(c, "/prov/svc/" + SUBJECT, "x-subject", SUBJECT));
            none.add(h2(c, "/prov/bypath/" + SUBJECT + "1"));
            none.add(h2(c, "/prov/byheader", "x-subject", "84123650x9")); // no match
        }
        gateway.close();

        JournalContents j = JournalContents.read(dir.resolve("journal"));
        assertEquals(about.size() + none.size(), j.transactions.size());
        assertEquals(-1, j.firstBrokenLink);
        byte[] expected = key.hash(KIND, SUBJECT);
        for (Map.Entry<String, String> e : about.entrySet()) {
            TransactionRecordFlyweight r = j.find(e.getKey()).flyweight();
            assertTrue(r.hasSubject(), e.getValue());
            assertEquals(high(expected), r.subjectHashHigh(), e.getValue());
            assertEquals(low(expected), r.subjectHashLow(), e.getValue());
        }
        for (String tx : none) {
            TransactionRecordFlyweight r = j.find(tx).flyweight();
            assertFalse(r.hasSubject(), tx);
            assertEquals(200, r.httpStatus(), "never refused for its subject");
        }
        assertSubjectNowhere();
    }

    @Test
    void shouldJournalNoSubjectWithoutAnyRule() throws Exception {
        start();
        String tx;
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            tx = http1(c, "/prov/svc/" + SUBJECT, ALICE_KEY, null, 200);
        }
        gateway.close();
        assertFalse(JournalContents.read(dir.resolve("journal")).find(tx).flyweight().hasSubject());
    }

    /** The subject's bytes in no file of the journal's directory and in no log event. */
    private void assertSubjectNowhere() throws IOException {
        byte[] subject = SUBJECT.getBytes(StandardCharsets.US_ASCII);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir.resolve("journal"))) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertFalse(files.isEmpty());
        for (Path f : files) {
            assertEquals(-1, indexOf(Files.readAllBytes(f), subject), f.toString());
        }
        assertFalse(log.list.isEmpty(), "the gateway's log was captured");
        for (ILoggingEvent e : log.list) {
            String text = e.getFormattedMessage() + (e.getThrowableProxy() == null ? ""
                    : e.getThrowableProxy().getMessage());
            assertFalse(text.contains(SUBJECT), text);
        }
    }

    private static int indexOf(byte[] in, byte[] what) {
        outer:
        for (int i = 0; i + what.length <= in.length; i++) {
            for (int k = 0; k < what.length; k++) {
                if (in[i + k] != what[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static long high(byte[] h) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | h[i] & 0xFFL;
        }
        return v;
    }

    private static long low(byte[] h) {
        long v = 0;
        for (int i = 8; i < 16; i++) {
            v = v << 8 | h[i] & 0xFFL;
        }
        return v;
    }
}
