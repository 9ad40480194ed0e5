package io.gozargah.engine.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ReloadOutcomeTest {
    @TempDir
    Path dir;

    @Test
    void shouldLiveBesideThePidFile() {
        assertEquals(dir.resolve("gozargah.pid.reload"), ReloadOutcome.fileFor(dir.resolve("gozargah.pid")));
    }

    @Test
    void shouldReadWhatWasWrittenWithTheMessageOnOneLine() throws Exception {
        Path file = dir.resolve("g.pid.reload");
        new ReloadOutcome(42, 3, false, "/etc/g.yaml:7: consumers.a: bad\nsecond line").write(file);
        assertEquals(Optional.of(new ReloadOutcome(42, 3, false, "/etc/g.yaml:7: consumers.a: bad second line")),
                ReloadOutcome.read(file));
        new ReloadOutcome(42, 4, true, "reloaded /etc/g.yaml").write(file);
        assertEquals(Optional.of(new ReloadOutcome(42, 4, true, "reloaded /etc/g.yaml")), ReloadOutcome.read(file));
        try (var left = Files.list(dir)) {
            assertEquals(1, left.count(), "no temporary file stays behind");
        }
    }

    @Test
    void shouldReadNothingFromAMissingOrForeignFile() throws Exception {
        assertEquals(Optional.empty(), ReloadOutcome.read(dir.resolve("missing")));
        for (String text : new String[] {"", "42 1 ok\n", "42 1 maybe\nx\n", "x 1 ok\nm\n", "42 1 ok\nm\nmore\n"}) {
            assertEquals(Optional.empty(), ReloadOutcome.read(Files.writeString(dir.resolve("f"), text)), text);
        }
    }
}
