package io.gozargah.engine.cli;

import io.gozargah.engine.journal.SignedSubjectJournal;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code journal subject}, {@code journal checkpoints}, {@code journal verify --public-key} and the journal's
 * keygen, on a journal about subjects written across two cycle files, an older writer's records and two runs of
 * the gateway's journal ({@link SignedSubjectJournal}).
 */
class JournalSubjectCommandTest {
    @TempDir
    static Path work;
    private static Path config;

    @TempDir
    Path dir;

    @BeforeAll
    static void writeJournal() throws Exception {
        config = SignedSubjectJournal.write(work);
    }

    private static List<String> consumers(String out) {
        return out.lines().filter(l -> l.contains("nocr/identity"))
                .map(l -> l.split(" {2}")[1]).toList();
    }

    @Test
    void shouldListExactlyTheSubjectsTransactionsAcrossCyclesAndRestarts() {
        CommandRun run = CommandRun.of("journal", "subject", "--config", config.toString(), "--kind", "national-code",
                SignedSubjectJournal.SUBJECT);
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(SignedSubjectJournal.SUBJECT_CONSUMERS, consumers(run.out()), run.out());
        assertTrue(run.out().contains("6 transactions about this national-code"), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith("2025-03-26")), "the second cycle's: " + run.out());

        CommandRun other = CommandRun.of("journal", "subject", "--config", config.toString(), "--kind",
                "national-code", SignedSubjectJournal.OTHER);
        assertEquals(List.of("snapp", "medu"), consumers(other.out()), other.out());
        CommandRun kind = CommandRun.of("journal", "subject", "--config", config.toString(), "--kind", "postal-code",
                SignedSubjectJournal.SUBJECT);
        assertTrue(kind.out().contains("0 transactions about this postal-code"), "the kind is part of the hash");
    }

    @Test
    void shouldKeepToThePeriodAndWriteJsonLines() {
        CommandRun run = CommandRun.of("journal", "subject", "--journal", work.resolve("journal").toString(),
                "--subject-key", work.resolve("subject.key").toString(), "--kind", "national-code", "--json",
                "--from", "2025-03-26T00:00:00Z", "--to", "2025-03-27T00:00:00Z", SignedSubjectJournal.SUBJECT);
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.out().lines().toList();
        assertEquals(1, lines.size(), run.out());
        assertTrue(lines.get(0).startsWith("{\"time\":\"2025-03-26T08:00:01Z\",\"consumer\":\"tapsi\","
                + "\"service\":\"nocr/identity\",\"status\":200,\"outcome\":\"ok\""), lines.get(0));
    }

    @Test
    void shouldNeedTheSubjectKey() {
        CommandRun run = CommandRun.of("journal", "subject", "--journal", work.resolve("journal").toString(), "--kind",
                "national-code", SignedSubjectJournal.SUBJECT);
        assertEquals(Main.EXIT_USAGE, run.exitCode());
        assertTrue(run.err().contains("no subject key"), run.err());
    }

    @Test
    void shouldListCheckpointsAndVerifyThemWithThePublicKey() {
        CommandRun list = CommandRun.of("journal", "checkpoints", "--config", config.toString());
        assertEquals(0, list.exitCode(), list.err());
        assertTrue(list.out().startsWith("checkpoint 1 "), list.out());
        assertTrue(list.out().contains("2 checkpoints"), list.out());

        CommandRun verify = CommandRun.of("journal", "verify", "--config", config.toString(), "--public-key",
                work.resolve("signing.key.pub").toString());
        assertEquals(0, verify.exitCode(), verify.out() + verify.err());
        assertTrue(verify.out().contains("intact: 10 transaction records"), verify.out());
        assertTrue(verify.out().contains("last verified checkpoint 2 ("), verify.out());
        assertTrue(verify.out().contains("signature checked with"), verify.out());
    }

    @Test
    void shouldRefuseAnotherPublicKey() {
        CommandRun keygen = CommandRun.of("keygen", "--signing-key", dir.resolve("other.key").toString());
        assertEquals(0, keygen.exitCode(), keygen.err());
        CommandRun verify = CommandRun.of("journal", "verify", "--config", config.toString(), "--public-key",
                dir.resolve("other.key.pub").toString());
        assertEquals(Main.EXIT_FAILURE, verify.exitCode());
        assertTrue(verify.out().contains("BROKEN at") && verify.out().contains("not by the public key given"),
                verify.out());
    }

    @Test
    void shouldWriteKeysOnceAndNeverOverAnother() throws Exception {
        Path key = dir.resolve("subject.key");
        CommandRun first = CommandRun.of("keygen", "--subject-key", key.toString());
        assertEquals(0, first.exitCode(), first.err());
        String written = Files.readString(key);
        CommandRun again = CommandRun.of("keygen", "--subject-key", key.toString());
        assertEquals(Main.EXIT_USAGE, again.exitCode());
        assertTrue(again.err().contains("never written over another"), again.err());
        assertEquals(written, Files.readString(key));
    }
}
