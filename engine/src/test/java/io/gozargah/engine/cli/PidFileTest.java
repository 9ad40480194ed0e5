package io.gozargah.engine.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PidFileTest {
    @TempDir
    Path dir;

    @Test
    void shouldHoldOurPidUntilClosed() throws Exception {
        Path path = dir.resolve("gozargah.pid");
        try (PidFile pid = PidFile.write(path)) {
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(path));
            assertEquals(path, pid.path());
        }
        assertFalse(Files.exists(path));
    }

    @Test
    void shouldRefuseAFileNamingALiveProcess() throws IOException {
        Path path = Files.writeString(dir.resolve("gozargah.pid"), ProcessHandle.current().pid() + "\n");
        CliFailure failure = assertThrows(CliFailure.class, () -> PidFile.write(path));
        assertEquals(1, failure.exitCode());
        assertTrue(failure.getMessage().contains("names running process"), failure.getMessage());
        assertTrue(Files.exists(path), "someone else's pid file is left alone");
    }

    @Test
    void shouldReplaceAStaleFile() throws Exception {
        Path path = Files.writeString(dir.resolve("gozargah.pid"), "not a pid\n");
        try (PidFile ignored = PidFile.write(path)) {
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(path));
        }
    }

    @Test
    void shouldFailInOneLineWhenTheDirectoryIsMissing() {
        CliFailure failure = assertThrows(CliFailure.class, () -> PidFile.write(dir.resolve("no/such/dir/x.pid")));
        assertEquals(1, failure.exitCode());
        assertTrue(failure.getMessage().startsWith("cannot write pid file"), failure.getMessage());
    }
}
