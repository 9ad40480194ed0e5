package io.gozargah.engine.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoCommandTest {
    @TempDir
    Path dir;

    @Test
    void shouldFindDemoConfigUnderGozargahHome() {
        assertEquals(Path.of("/opt/gozargah/config/demo.yaml"),
                DemoCommand.defaultConfig(Map.of("GOZARGAH_HOME", "/opt/gozargah")));
    }

    @Test
    void shouldFindDemoConfigInWorkingDirectoryWithoutGozargahHome() {
        assertEquals(Path.of("config/demo.yaml"), DemoCommand.defaultConfig(Map.of()));
        assertEquals(Path.of("config/demo.yaml"), DemoCommand.defaultConfig(Map.of("GOZARGAH_HOME", " ")));
    }

    @Test
    void shouldExit2BeforeStartingAnythingWhenDemoConfigIsMissing() {
        Path missing = dir.resolve("demo.yaml");
        CommandRun run = CommandRun.of("demo", "--config", missing.toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains(missing + ": no such file"), run.err());
    }
}
