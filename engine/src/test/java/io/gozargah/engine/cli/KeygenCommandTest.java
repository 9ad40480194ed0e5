package io.gozargah.engine.cli;

import io.gozargah.engine.auth.ApiKeys;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeygenCommandTest {
    private static final Pattern KEY_LINE = Pattern.compile("(?m)^  (gzk_[A-Za-z0-9_-]{43})$");
    private static final Pattern HASH_LINE = Pattern.compile("(?m)^  apiKeys: \\[ \"(sha256:[0-9a-f]{64})\" ]$");

    @Test
    void shouldPrintKeyAndTheConfigLineWithItsHash() {
        CommandRun run = CommandRun.of("keygen", "--consumer", "snapp");

        assertEquals(0, run.exitCode(), run.err());
        String key = group(KEY_LINE, run.out());
        assertEquals(ApiKeys.configHash(key), group(HASH_LINE, run.out()));
        assertTrue(run.out().contains("shown once"), run.out());
        assertTrue(run.out().contains("# consumer snapp"), run.out());
    }

    @Test
    void shouldPrintANewKeyEachTime() {
        assertNotEquals(group(KEY_LINE, CommandRun.of("keygen").out()), group(KEY_LINE, CommandRun.of("keygen").out()));
    }

    @Test
    void shouldRejectConsumerNameThatConfigCannotHoldAsUsageError() {
        CommandRun run = CommandRun.of("keygen", "--consumer", "Snapp Co");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("not a consumer name"), run.err());
        assertEquals("", run.out());
    }

    @Test
    void shouldRejectAConsumerNameLongerThanConfigAllows() {
        String longest = "a".repeat(63);
        assertEquals(0, CommandRun.of("keygen", "--consumer", longest).exitCode());
        CommandRun run = CommandRun.of("keygen", "--consumer", "a".repeat(64));
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("at most 63 characters"), run.err());
        assertEquals("", run.out());
    }

    @Test
    void shouldNotStartLoggingInATool() throws Exception {
        // Logback's start (its XML configuration and some 600 classes) was a third of keygen's start-up.
        Path classes = Files.createTempFile("keygen-classes", ".txt");
        try {
            ToolRun run = ToolRun.of(List.of("-Xlog:class+load=info:file=" + classes), "keygen", "--consumer", "snapp");
            assertEquals(0, run.exitCode(), run.err());
            List<String> loaded = Files.readAllLines(classes);
            assertTrue(loaded.stream().anyMatch(l -> l.contains(KeygenCommand.class.getName())), "class log written");
            assertEquals(List.of(), loaded.stream().filter(l -> l.contains(" ch.qos.logback.")).limit(3).toList());
        } finally {
            Files.deleteIfExists(classes);
        }
    }

    private static String group(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        assertTrue(matcher.find(), () -> pattern + " not in:\n" + text);
        return matcher.group(1);
    }
}
