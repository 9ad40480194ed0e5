package io.gozargah.engine.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The launcher's scripts/jvm-options and the parent pom's jvm.opens (which this test JVM was started with)
 * must open the same modules: a flag missing from either shows up only at run time, in Chronicle.
 */
class JvmOptionsTest {

    @Test
    void shouldOpenTheSameModulesAsTheTestsRunWith() throws IOException {
        // surefire runs in the module's directory: the repository root is one up
        List<String> launcher = Files.readAllLines(Path.of("..", "scripts", "jvm-options")).stream()
                .map(String::strip)
                .filter(JvmOptionsTest::isModuleOrChronicleFlag)
                .toList();
        List<String> tests = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(JvmOptionsTest::isModuleOrChronicleFlag)
                .toList();

        assertFalse(launcher.isEmpty());
        assertEquals(tests, launcher);
    }

    private static boolean isModuleOrChronicleFlag(String option) {
        return option.startsWith("--add-exports=") || option.startsWith("--add-opens=")
                || option.startsWith("-Dchronicle.");
    }
}
