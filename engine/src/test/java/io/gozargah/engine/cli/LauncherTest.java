package io.gozargah.engine.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * scripts/gozargah gives the daemon (run, demo) the whole of scripts/jvm-options and every other command the
 * light options of scripts/jvm-options-tools with the daemon's module flags and properties. The launcher runs
 * from a copy of scripts/ beside an empty jar (nothing to build: no sources next to it), with a {@code java}
 * on the PATH that prints the arguments it was given.
 */
class LauncherTest {
    private static final Path SCRIPTS = Path.of("..", "scripts");

    @TempDir
    Path dir;

    private List<String> javaArguments(String... command) throws Exception {
        Path scripts = Files.createDirectories(dir.resolve("scripts"));
        for (String name : List.of("gozargah", "jvm-options", "jvm-options-tools")) {
            Files.copy(SCRIPTS.resolve(name), scripts.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.createDirectories(dir.resolve("engine/target"));
        Files.writeString(dir.resolve("engine/target/gozargah.jar"), "");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));

        List<String> line = new java.util.ArrayList<>(List.of("bash", scripts.resolve("gozargah").toString()));
        line.addAll(List.of(command));
        ProcessBuilder builder = new ProcessBuilder(line).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        builder.environment().remove("JAVA_OPTS");
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out.lines().toList();
    }

    private static List<String> options(String file) throws IOException {
        return Files.readAllLines(SCRIPTS.resolve(file)).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    @Test
    void shouldStartTheDaemonWithEveryOptionOfJvmOptions() throws Exception {
        for (String command : List.of("run", "demo")) {
            List<String> args = javaArguments(command, "--config", "x.yaml");
            assertTrue(args.containsAll(options("jvm-options")), command + ": " + args);
            assertTrue(args.contains("-XX:+AlwaysPreTouch"), command + ": " + args);
            assertFalse(args.contains("-XX:+UseSerialGC"), command + ": " + args);
            assertEquals(List.of("-jar", dir.resolve("engine/target/gozargah.jar").toString(), command, "--config",
                    "x.yaml"), args.subList(args.size() - 5, args.size()));
        }
    }

    @Test
    void shouldStartToolsWithLightOptionsAndTheDaemonsModuleFlags() throws Exception {
        List<String> moduleFlags = options("jvm-options").stream()
                .filter(o -> o.startsWith("--add-") || o.startsWith("-D")).toList();
        assertFalse(moduleFlags.isEmpty());
        for (String command : List.of("keygen", "stat", "reload", "check", "journal", "--help")) {
            List<String> args = javaArguments(command);
            assertTrue(args.containsAll(moduleFlags), command + ": " + args);
            assertTrue(args.containsAll(options("jvm-options-tools")), command + ": " + args);
            assertFalse(args.stream().anyMatch(a -> a.startsWith("-Xms") || a.startsWith("-Xmx")
                    || a.equals("-XX:+AlwaysPreTouch") || a.equals("-XX:+UseG1GC")), command + ": " + args);
        }
    }
}
