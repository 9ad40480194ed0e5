package io.gozargah.engine.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One execution of the command line in a child JVM started as the launcher starts a tool: the module flags and
 * properties of scripts/jvm-options, the options of scripts/jvm-options-tools, and the production logging
 * configuration (the tests' own would otherwise be found first on the class path). For what only a process of
 * its own shows: what is logged, which classes load.
 */
record ToolRun(int exitCode, String out, String err) {
    private static final Path SCRIPTS = Path.of("..", "scripts");
    private static final Path LOGGING = Path.of("src", "main", "resources", "logback.xml");

    static ToolRun of(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow()));
        command.addAll(options("jvm-options").stream().filter(o -> o.startsWith("--add-") || o.startsWith("-D"))
                .toList());
        command.addAll(options("jvm-options-tools"));
        command.add("-Dlogback.configurationFile=" + LOGGING.toAbsolutePath());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the tool did not finish within 60 s");
        return new ToolRun(p.exitValue(), out, err.join());
    }

    static ToolRun of(String... args) throws IOException, InterruptedException {
        return of(List.of(), args);
    }

    private static List<String> options(String file) throws IOException {
        return Files.readAllLines(SCRIPTS.resolve(file)).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
