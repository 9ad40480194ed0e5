package io.gozargah.engine.cli;

import io.gozargah.engine.config.ConfigLoader;
import io.gozargah.engine.testing.DemoConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoCommandTest {
    private static final Path DEMO = DemoConfig.file();

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
    void shouldTakeEachAgencysPortFromItsProvidersEndpoint() throws Exception {
        assertEquals(Map.of("nocr", 9201, "post", 9202, "sms", 9203), DemoCommand.agencyPorts(ConfigLoader.load(DEMO)));
        Path moved = Files.writeString(dir.resolve("demo.yaml"), DemoConfig.text()
                .replace("127.0.0.1:9201", "127.0.0.1:19201").replace("127.0.0.1:9203", "127.0.0.1:29203"));
        assertEquals(Map.of("nocr", 19201, "post", 9202, "sms", 29203),
                DemoCommand.agencyPorts(ConfigLoader.load(moved)));
    }

    @Test
    void shouldRefuseADemoConfigWhoseAgencyIsNotOnLoopback() throws Exception {
        Path elsewhere = Files.writeString(dir.resolve("demo.yaml"), DemoConfig.text()
                .replace("http://127.0.0.1:9202", "http://10.0.0.7:9202"));
        CliFailure failure = assertThrows(CliFailure.class,
                () -> DemoCommand.agencyPorts(ConfigLoader.load(elsewhere)));
        assertEquals(2, failure.exitCode());
        assertTrue(failure.getMessage().startsWith(elsewhere + ": providers.post.endpoints: "), failure.getMessage());
    }

    @Test
    void shouldExit2BeforeStartingAnythingWhenDemoConfigIsMissing() {
        Path missing = dir.resolve("demo.yaml");
        CommandRun run = CommandRun.of("demo", "--config", missing.toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains(missing + ": no such file"), run.err());
    }
}
