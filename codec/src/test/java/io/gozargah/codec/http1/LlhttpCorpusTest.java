package io.gozargah.codec.http1;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Node.js's llhttp test suite as an outside check of our parsers (corpus: {@code /work/shared/corpora},
 * see its README). Only llhttp's strict modes are our expected behaviour. Every case must agree with
 * llhttp on accept/reject and, when accepted, on method, target, version, fields and body, unless it is
 * listed in {@code llhttp-deviations.txt} with the RFC section that justifies the difference; a listed case
 * must really differ, so the list cannot go stale.
 */
class LlhttpCorpusTest {

    private static final String CORPUS_PROPERTY = "gozargah.llhttp.corpus";
    private static final List<String> STRICT_TYPES = List.of("request", "response", "request-finish", "response-finish");

    private final Map<String, String> deviations = new LinkedHashMap<>();
    private final Map<String, Integer> skipped = new TreeMap<>();
    private final List<String> deviationsSeen = new ArrayList<>();
    private int run;
    private int agreed;

    @TestFactory
    Stream<DynamicTest> llhttpCases() throws IOException {
        String location = System.getProperty(CORPUS_PROPERTY);
        Path corpus = location == null ? null : Paths.get(location);
        if (corpus == null || !Files.isDirectory(corpus.resolve("test"))) {
            String why = "llhttp corpus test SKIPPED: corpus not found (system property " + CORPUS_PROPERTY + "="
                    + location + "); it lives outside this repository, in ../shared/corpora/llhttp";
            // Surefire does not show an aborted test factory's reason; say it in the build log.
            System.err.println(why);
            Assumptions.abort(why);
        }
        readDeviations();
        List<LlhttpCorpus.Case> cases = new ArrayList<>();
        for (String kind : List.of("request", "response")) {
            try (Stream<Path> files = Files.list(corpus.resolve("test").resolve(kind))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".md")).sorted().collect(Collectors.toList())) {
                    cases.addAll(LlhttpCorpus.read(file, kind + "/" + file.getFileName()));
                }
            }
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (LlhttpCorpus.Case c : cases) {
            String skip = skipReason(c);
            if (skip != null) {
                skipped.merge(skip, 1, Integer::sum);
                continue;
            }
            tests.add(DynamicTest.dynamicTest(c.key(), () -> check(c)));
        }
        tests.add(DynamicTest.dynamicTest("summary and every listed deviation exists", () -> summary(cases)));
        return tests.stream();
    }

    private void readDeviations() throws IOException {
        try (var in = LlhttpCorpusTest.class.getResourceAsStream("/llhttp-deviations.txt")) {
            String text = new String(in.readAllBytes(), UTF_8);
            for (String line : text.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split(" :: ", 3);
                assertEquals(3, parts.length, "deviation line needs file :: heading :: reason: " + line);
                deviations.put(parts[0].trim() + " :: " + parts[1].trim(), parts[2].trim());
            }
        }
    }

    private static String skipReason(LlhttpCorpus.Case c) {
        if (!STRICT_TYPES.contains(c.type)) {
            return c.type.contains("lenient") ? "lenient mode (a gateway must not adopt it)" : "mode " + c.type;
        }
        if (c.meta.contains("lenient")) {
            return "lenient flags in meta";
        }
        if (c.meta.contains("skipBody") && c.type.startsWith("request")) {
            return "skipBody on a request (an llhttp callback trick with no HTTP meaning)";
        }
        return null;
    }

    private void check(LlhttpCorpus.Case c) {
        run++;
        Outcome ours = parse(c);
        String difference = difference(c, ours);
        String listed = deviations.get(c.key());
        if (listed != null) {
            assertTrue(difference != null, "listed as a deviation but agrees with llhttp: " + c.key());
            deviationsSeen.add(c.key());
            return;
        }
        assertEquals(null, difference, c.key() + "\ninput: " + printable(c.input));
        agreed++;
    }

    /** Null when we agree with llhttp, otherwise how we differ. */
    private static String difference(LlhttpCorpus.Case c, Outcome ours) {
        List<LlhttpCorpus.Message> theirs = c.headedMessages();
        if (c.rejection != null) {
            return ours.error != null ? null : "llhttp rejects (" + c.rejection + "), we accept: " + ours.messages;
        }
        List<LlhttpCorpus.Message> mine = ours.messages;
        if (c.pausedForUpgrade) {
            // llhttp hands the connection over after a CONNECT or Upgrade head; compare up to there only.
            if (ours.error != null && ours.errorMessage < theirs.size()) {
                return "llhttp accepts up to its upgrade pause, we reject: " + ours.error;
            }
            mine = mine.subList(0, Math.min(mine.size(), theirs.size()));
        } else if (ours.error != null) {
            return "llhttp accepts, we reject: " + ours.error;
        }
        return theirs.toString().equals(mine.toString()) ? null : "llhttp " + theirs + "\nours   " + mine;
    }

    private static final class Outcome {
        final List<LlhttpCorpus.Message> messages = new ArrayList<>();
        Http1Error error;
        /** The index of the message during which the error occurred. */
        int errorMessage;
    }

    private static Outcome parse(LlhttpCorpus.Case c) {
        boolean request = c.type.startsWith("request");
        boolean finish = c.type.endsWith("-finish");
        ByteBuf in = PooledByteBufAllocator.DEFAULT.heapBuffer(c.input.length);
        Outcome outcome = new Outcome();
        try {
            in.writeBytes(c.input);
            if (request) {
                parseRequests(in, finish, outcome);
            } else {
                parseResponses(in, finish, c.meta.contains("skipBody"), outcome);
            }
        } finally {
            in.release();
        }
        return outcome;
    }

    private static void parseRequests(ByteBuf in, boolean finish, Outcome outcome) {
        HttpRequestParser parser = new HttpRequestParser(Http1Limits.defaults());
        LlhttpCorpus.Message current = null;
        for (;;) {
            ParseResult result = parser.parse(in);
            if (result == ParseResult.HEAD) {
                RequestHead head = parser.head();
                current = new LlhttpCorpus.Message();
                current.method = head.methodString();
                current.url = head.targetString();
                current.version = "1." + head.versionMinor();
                fields(head.headers(), current.headers);
                outcome.messages.add(current);
            } else if (!step(result, parser.bodyBytes(), parser.trailers(), in, current, outcome)) {
                break;
            }
        }
        if (parser.error() != null) {
            outcome.error = parser.error();
        } else if (finish && parser.endOfInput() == ParseResult.ERROR) {
            outcome.error = parser.error();
        }
        outcome.errorMessage = outcome.messages.size() - (parser.inBody() || outcome.error == null ? 1 : 0);
    }

    private static void parseResponses(ByteBuf in, boolean finish, boolean skipBody, Outcome outcome) {
        HttpResponseParser parser = new HttpResponseParser(Http1Limits.defaults());
        parser.expectResponseTo(skipBody ? HttpMethod.HEAD : HttpMethod.GET);
        LlhttpCorpus.Message current = null;
        for (;;) {
            ParseResult result = parser.parse(in);
            if (result == ParseResult.HEAD) {
                ResponseHead head = parser.head();
                current = new LlhttpCorpus.Message();
                current.status = head.status();
                current.version = "1." + head.versionMinor();
                fields(head.headers(), current.headers);
                outcome.messages.add(current);
            } else if (!step(result, parser.bodyBytes(), parser.trailers(), in, current, outcome)) {
                break;
            }
        }
        if (parser.error() != null) {
            outcome.error = parser.error();
        } else if (finish && parser.endOfInput() == ParseResult.ERROR) {
            outcome.error = parser.error();
        }
        outcome.errorMessage = outcome.messages.size() - (parser.inBody() || outcome.error == null ? 1 : 0);
    }

    /** Handles a non-HEAD result; false when parsing stops (more input needed, or an error). */
    private static boolean step(ParseResult result, int bodyBytes, HeaderBlock trailers, ByteBuf in,
            LlhttpCorpus.Message current, Outcome outcome) {
        switch (result) {
            case BODY:
                current.body.append(in.toString(in.readerIndex(), bodyBytes, ISO_8859_1));
                in.skipBytes(bodyBytes);
                return true;
            case MESSAGE_COMPLETE:
                fields(trailers, current.trailers);
                return true;
            case ERROR:
                return false;
            default:
                return false;
        }
    }

    private static void fields(HeaderBlock block, List<String> out) {
        for (int i = 0; i < block.size(); i++) {
            out.add(block.name(i) + ": " + block.value(i));
        }
    }

    private void summary(List<LlhttpCorpus.Case> cases) {
        int skippedCount = skipped.values().stream().mapToInt(Integer::intValue).sum();
        System.out.printf("llhttp corpus: %d cases, %d run, %d agreed, %d listed deviations, %d skipped %s%n",
                cases.size(), run, agreed, deviationsSeen.size(), skippedCount, skipped);
        List<String> stale = new ArrayList<>(deviations.keySet());
        stale.removeAll(deviationsSeen);
        assertEquals(List.of(), stale, "deviations listed for cases that were not run");
    }

    private static String printable(byte[] input) {
        return new String(input, ISO_8859_1).replace("\r", "\\r").replace("\n", "\\n\n");
    }
}
