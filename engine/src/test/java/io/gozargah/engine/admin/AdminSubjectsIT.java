package io.gozargah.engine.admin;

import io.gozargah.engine.config.AdminConfig;
import io.gozargah.engine.subject.SubjectKey;
import io.gozargah.engine.testing.AdminFixture;
import io.gozargah.engine.testing.Await;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.RawHttpClient.Response;
import io.gozargah.engine.testing.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code GET /admin/subjects/{kind}/{value}} on a gateway whose journal holds transactions about subjects. */
class AdminSubjectsIT {
    private static final String SUBJECT = "0012345679";
    private static final String OTHER = "0098765432";
    private static final String PATH = "/admin/subjects/national-code/" + SUBJECT;
    private static final Pattern COUNT = Pattern.compile("\"count\":(\\d+)");

    @TempDir
    Path dir;

    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private AdminFixture fixture;

    /** prov/svc takes its subject from the path; alice asks three times about SUBJECT and once about OTHER. */
    private void start(int subjectResults, Executor scans) throws Exception {
        Path key = dir.resolve("subject.key");
        SubjectKey.generate(key);
        setup.provider(TestUpstream.answering("{}"));
        String rule = "        subject: { from: path, pattern: '^(\\d{10})$', kind: national-code }\n";
        String yaml = setup.standardYaml(null, null)
                .replace("        path: /api/svc\n", "        path: /api/svc\n" + rule)
                + "journal:\n  dir: " + dir.resolve("journal") + "\n  ringBytes: 64KiB\n"
                + "  subjectKeyFile: " + key + "\n";
        fixture = setup.closeAfter(AdminFixture.start(yaml, Duration.ofSeconds(2),
                new AdminConfig("127.0.0.1", 0, AdminFixture.TOKEN, AdminConfig.DEFAULT_MAX_CONNECTIONS,
                        AdminConfig.DEFAULT_IDLE_TIMEOUT, AdminConfig.DEFAULT_REQUEST_HEAD_TIMEOUT, subjectResults),
                scans));
        try (RawHttpClient c = new RawHttpClient(fixture.gateway().port())) {
            for (String s : new String[] {SUBJECT, OTHER, SUBJECT, SUBJECT}) {
                c.send("GET /prov/svc/" + s + " HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n");
                assertEquals(200, c.read().status());
            }
        }
    }

    private static int count(Response r) {
        Matcher m = COUNT.matcher(r.bodyText());
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** Waits until the journal writer has written the four transactions (it drains its ring on its own thread). */
    private void awaitJournaled() throws InterruptedException {
        Await.until(() -> {
            try {
                return count(fixture.call("GET", "/admin/subjects/national-code/" + OTHER)) == 1;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "the journal holds the transactions");
    }

    private static void assertAdminProblem(Response r, int status, String code) {
        assertEquals(status, r.status(), r.bodyText());
        assertEquals("application/problem+json", r.header("Content-Type"));
        assertTrue(r.bodyText().contains("\"type\":\"urn:gozargah:admin:" + code + "\""), r.bodyText());
    }

    @Test
    void shouldListTheSubjectsTransactionsAsJournalSubjectDoes() throws Exception {
        start(AdminConfig.DEFAULT_SUBJECT_RESULTS, null);
        awaitJournaled();

        Response r = fixture.call("GET", PATH);
        assertEquals(200, r.status(), r.bodyText());
        assertEquals("application/json", r.header("Content-Type"));
        String body = r.bodyText();
        assertTrue(body.startsWith("{\"kind\":\"national-code\",\"count\":3,\"truncated\":false,\"transactions\":[{"
                + "\"time\":\""), body);
        assertEquals(3, body.split("\"consumer\":\"alice\",\"service\":\"prov/svc\",\"status\":200,"
                + "\"outcome\":\"ok\",\"transaction\":\"", -1).length - 1, body);
        assertFalse(body.contains(SUBJECT), "the answer names the subject's kind, not the subject");

        Response encoded = fixture.call("GET", "/admin/subjects/national-code/%30012345679");
        assertEquals(3, count(encoded), "the value is percent-decoded: " + encoded.bodyText());
    }

    @Test
    void shouldCapTheResultsAndSayTheListIsTruncated() throws Exception {
        start(2, null);
        awaitJournaled();
        Response r = fixture.call("GET", PATH);
        assertEquals(200, r.status());
        assertEquals(2, count(r), r.bodyText());
        assertTrue(r.bodyText().contains("\"truncated\":true"), r.bodyText());
    }

    @Test
    void shouldKeepToFromAndTo() throws Exception {
        start(AdminConfig.DEFAULT_SUBJECT_RESULTS, null);
        awaitJournaled();
        assertEquals(3, count(fixture.call("GET", PATH + "?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00%2B03:30")));
        Response future = fixture.call("GET", PATH + "?from=2100-01-01T00:00:00Z");
        assertEquals(0, count(future), future.bodyText());
        assertTrue(future.bodyText().contains("\"from\":\"2100-01-01T00:00:00Z\""), future.bodyText());
        assertEquals(0, count(fixture.call("GET", PATH + "?to=2020-01-01T00:00:00Z")));

        assertAdminProblem(fixture.call("GET", PATH + "?from=yesterday"), 400, "bad-request");
        assertAdminProblem(fixture.call("GET", PATH + "?from=2025-03-21"), 400, "bad-request"); // no time, no offset
        assertAdminProblem(fixture.call("GET", PATH + "?to="), 400, "bad-request");
        assertAdminProblem(fixture.call("GET", PATH + "?from=2025-03-21T00:00:00Z&to=2025-03-20T00:00:00Z"), 400,
                "bad-request");
        assertAdminProblem(fixture.call("GET", PATH + "?since=2025-03-21T00:00:00Z"), 400, "bad-request");
        assertAdminProblem(fixture.call("GET", "/admin/subjects/national-code/%3"), 400, "bad-request");
    }

    @Test
    void shouldRefuseAnUnknownKindABadTokenAndOtherMethods() throws Exception {
        start(AdminConfig.DEFAULT_SUBJECT_RESULTS, null);
        Response unknown = fixture.call("GET", "/admin/subjects/postal-code/" + SUBJECT);
        assertAdminProblem(unknown, 404, "unknown-subject-kind");
        assertTrue(unknown.bodyText().contains("the kinds are national-code"), unknown.bodyText());
        assertAdminProblem(fixture.call("GET", "/admin/subjects/national-code"), 404, "not-found");
        assertAdminProblem(fixture.call("GET", "/admin/subjects/national-code/a/b"), 404, "not-found");

        Response none = fixture.call("GET", PATH, null);
        assertAdminProblem(none, 401, "unauthenticated");
        assertFalse(none.bodyText().contains("transactions"));
        assertAdminProblem(fixture.call("GET", PATH, "Bearer wrong-token-0123456789abcdef"), 401, "unauthenticated");
        assertAdminProblem(fixture.call("POST", PATH), 405, "method-not-allowed");
    }

    /** Scans held on this executor until the test lets them run. */
    private static final class HeldScans implements Executor {
        final ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();

        @Override
        public void execute(Runnable scan) {
            held.add(scan);
        }

        void runAll() {
            for (Runnable r = held.poll(); r != null; r = held.poll()) {
                new Thread(r, "held-scan").start();
            }
        }
    }

    private CompletableFuture<Response> call(String path) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return fixture.call("GET", path);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void shouldAnswerBusyWhileAScanRunsAndKeepServingTheRest() throws Exception {
        HeldScans scans = new HeldScans();
        start(AdminConfig.DEFAULT_SUBJECT_RESULTS, scans);
        CompletableFuture<Response> first = call(PATH);
        Await.until(() -> !scans.held.isEmpty(), "the first scan is running");

        Response busy = fixture.call("GET", PATH);
        assertAdminProblem(busy, 503, "busy");
        assertEquals("1", busy.header("Retry-After"));
        assertEquals(200, fixture.call("GET", "/health").status(), "the admin loop is not blocked by the scan");
        assertEquals(200, fixture.call("GET", "/metrics").status());

        scans.runAll();
        assertEquals(200, first.get().status(), first.get().bodyText());
        // The first scan released its turn before its answer was written: the next one runs.
        CompletableFuture<Response> next = call(PATH);
        Await.until(() -> !scans.held.isEmpty(), "the next scan is running");
        scans.runAll();
        assertEquals(200, next.get().status(), next.get().bodyText());
    }
}
