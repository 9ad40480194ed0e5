package io.gozargah.engine.admin;

import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.config.JournalConfig;
import io.gozargah.engine.config.ProviderConfig;
import io.gozargah.engine.config.ServiceConfig;
import io.gozargah.engine.config.SubjectConfig;
import io.gozargah.engine.journal.JournalException;
import io.gozargah.engine.journal.JournalReader;
import io.gozargah.engine.journal.SubjectSearch;
import io.gozargah.engine.server.Gateway;
import io.gozargah.engine.subject.SubjectKey;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;

/**
 * {@code GET /admin/subjects/{kind}/{value}[?from=INSTANT&to=INSTANT]}: every transaction about one subject, as
 * {@code gozargah journal subject --json} lists them ({@link SubjectSearch.Match#document()}), for a citizen-facing
 * service to build on. The value is hashed with the running configuration's subject key and the journal scanned
 * once, on {@code scans} (never on the admin listener's event loop, which must keep answering probes and scrapes),
 * one scan at a time: a request that finds one running is answered 503 {@code busy} with {@code Retry-After}
 * rather than queued behind it. At most {@code admin.subjectResults} transactions are listed, oldest first; the
 * answer says {@code truncated} when there were more (ask again from the last one's time).
 *
 * <p>{@code from} and {@code to} are ISO-8601 instants with an offset ({@code 2025-03-21T00:00:00Z},
 * {@code 2025-03-21T03:30:00+03:30}); {@code from} is included, {@code to} excluded. The subject's value is never
 * logged ({@link #redacted}).
 */
final class AdminSubjects {
    static final String PREFIX = "/admin/subjects/";

    private final Gateway gateway;
    private final Executor scans;
    private final int maxResults;
    private final Semaphore scanning = new Semaphore(1);

    AdminSubjects(Gateway gateway, Executor scans, int maxResults) {
        this.gateway = gateway;
        this.scans = scans;
        this.maxResults = maxResults;
    }

    /** {@code path} as it may be logged: a subject's path without the subject. */
    static String redacted(String path) {
        return path != null && path.startsWith(PREFIX) ? PREFIX + "..." : path;
    }

    /** The answer for {@code rest}, the path after {@value #PREFIX}, and the request's query (or null). */
    CompletableFuture<AdminReply> handle(String rest, String query) {
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1 || rest.indexOf('/', slash + 1) >= 0) {
            return done(AdminReply.problem(404, "not-found", "Not found",
                    "subjects are at /admin/subjects/{kind}/{value}"));
        }
        String kind = rest.substring(0, slash);
        String value = percentDecoded(rest.substring(slash + 1));
        if (value == null) {
            return done(bad("the subject is not valid percent-encoded UTF-8"));
        }
        if (value.getBytes(StandardCharsets.UTF_8).length > SubjectConfig.MAX_MAX_LENGTH) {
            return done(bad("a subject is at most " + SubjectConfig.MAX_MAX_LENGTH + " bytes"));
        }
        GatewayConfig config = gateway.snapshot().config();
        JournalConfig journal = config.journal();
        TreeSet<String> kinds = kinds(config);
        if (journal == null || !journal.enabled() || journal.subjectKey() == null || !kinds.contains(kind)) {
            return done(AdminReply.problem(404, "unknown-subject-kind", "Unknown subject kind",
                    kinds.isEmpty() || journal == null || !journal.enabled()
                            ? "no service of the running configuration names a subject that the journal keeps"
                            : "no service names subjects of that kind; the kinds are " + String.join(", ", kinds)));
        }
        long[] period = new long[] {Long.MIN_VALUE, Long.MAX_VALUE};
        String refusal = period(query, period);
        if (refusal != null) {
            return done(bad(refusal));
        }
        if (!scanning.tryAcquire()) {
            return done(busy());
        }
        SubjectKey key = journal.subjectKey();
        try {
            return CompletableFuture.supplyAsync(() -> scan(journal, key, kind, value, period[0], period[1]), scans)
                    .whenComplete((reply, failure) -> scanning.release());
        } catch (RejectedExecutionException e) {
            scanning.release();
            return done(busy());
        }
    }

    private AdminReply scan(JournalConfig journal, SubjectKey key, String kind, String value, long from, long to) {
        List<Object> found = new ArrayList<>();
        boolean[] truncated = new boolean[1];
        try {
            if (!JournalReader.exists(journal.dir())) {
                return answer(kind, from, to, found, false); // nothing journaled yet
            }
        } catch (JournalException e) {
            return unavailable(e);
        }
        try (JournalReader reader = JournalReader.open(journal.dir())) {
            SubjectSearch search = new SubjectSearch(reader.names(), key.hash(kind, value), from, to, m -> {
                if (found.size() < maxResults) {
                    found.add(m.document());
                } else {
                    truncated[0] = true;
                }
            });
            while (!truncated[0] && reader.readNext(search)) {
                // one excerpt at a time, so a truncated answer stops the scan
            }
        } catch (JournalException e) {
            return unavailable(e);
        }
        return answer(kind, from, to, found, truncated[0]);
    }

    private static AdminReply unavailable(JournalException e) {
        return AdminReply.problem(503, "journal-unavailable", "Journal unavailable",
                "the journal cannot be read: " + e.getMessage());
    }

    private static AdminReply answer(String kind, long from, long to, List<Object> found, boolean truncated) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("kind", kind);
        if (from != Long.MIN_VALUE) {
            doc.put("from", Instant.ofEpochSecond(0, from).toString());
        }
        if (to != Long.MAX_VALUE) {
            doc.put("to", Instant.ofEpochSecond(0, to).toString());
        }
        doc.put("count", found.size());
        doc.put("truncated", truncated);
        doc.put("transactions", found);
        return AdminReply.json(200, doc);
    }

    /** The kinds of subject the configuration's services name. */
    private static TreeSet<String> kinds(GatewayConfig config) {
        TreeSet<String> kinds = new TreeSet<>();
        for (ProviderConfig p : config.providers().values()) {
            for (ServiceConfig s : p.services().values()) {
                if (s.subject() != null) {
                    kinds.add(s.subject().kind());
                }
            }
        }
        return kinds;
    }

    /** Reads {@code from} and {@code to} into {@code period} (epoch nanos); the refusal's detail, or null. */
    private static String period(String query, long[] period) {
        if (query == null || query.isEmpty()) {
            return null;
        }
        for (String parameter : query.split("&", -1)) {
            int eq = parameter.indexOf('=');
            String name = eq < 0 ? parameter : parameter.substring(0, eq);
            String text = eq < 0 ? null : percentDecoded(parameter.substring(eq + 1));
            int slot = name.equals("from") ? 0 : name.equals("to") ? 1 : -1;
            if (slot < 0) {
                return "the query takes from and to only, not '" + name + "'";
            }
            if (text == null || text.isEmpty()) {
                return name + " needs an ISO-8601 instant with an offset, such as 2025-03-21T00:00:00Z";
            }
            try {
                Instant instant = OffsetDateTime.parse(text).toInstant();
                period[slot] = Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L),
                        instant.getNano());
            } catch (DateTimeParseException | ArithmeticException e) {
                return name + " '" + text + "' is not an ISO-8601 instant with an offset, such as 2025-03-21T00:00:00Z";
            }
        }
        if (period[0] >= period[1]) {
            return "from is not before to";
        }
        return null;
    }

    /** {@code text} percent-decoded as UTF-8 ('+' is itself: a path segment); null when malformed. */
    static String percentDecoded(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                if (i + 2 >= text.length()) {
                    return null;
                }
                int hi = Character.digit(text.charAt(i + 1), 16);
                int lo = Character.digit(text.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c > 0x7F) {
                return null; // a request-target is ASCII (RFC 9112 §3.2)
            } else {
                bytes.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static AdminReply bad(String detail) {
        return AdminReply.problem(400, "bad-request", "Bad request", detail);
    }

    private static AdminReply busy() {
        return AdminReply.problem(503, "busy", "Busy", "another subject search is running; one runs at a time",
                "Retry-After", "1");
    }

    private static CompletableFuture<AdminReply> done(AdminReply reply) {
        return CompletableFuture.completedFuture(reply);
    }
}
