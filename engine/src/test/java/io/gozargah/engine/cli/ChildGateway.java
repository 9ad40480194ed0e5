package io.gozargah.engine.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code gozargah} in a child JVM, as an operator runs it (the launcher's JVM options, this build's class
 * path), with its log lines ({@code Logger: message}) readable by the test as they come.
 */
final class ChildGateway implements AutoCloseable {
    private static final String LOG_CONFIG = ""
            + "<configuration>\n"
            + "  <appender name=\"err\" class=\"ch.qos.logback.core.ConsoleAppender\">\n"
            + "    <target>System.err</target>\n"
            + "    <encoder><pattern>%logger{0}: %msg%n</pattern></encoder>\n"
            + "  </appender>\n"
            + "  <logger name=\"io.gozargah\" level=\"INFO\"/>\n"
            + "  <root level=\"WARN\"><appender-ref ref=\"err\"/></root>\n"
            + "</configuration>\n";

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    private ChildGateway(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the child is gone
            }
        }, "child-stderr");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code gozargah ARGS} with its logback config in {@code dir}. */
    static ChildGateway start(Path dir, String... args) throws IOException {
        Path logback = dir.resolve("logback.xml");
        Files.writeString(logback, LOG_CONFIG);
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(jvmOptions());
        command.add("-Dlogback.configurationFile=" + logback);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        return new ChildGateway(new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
    }

    private static List<String> jvmOptions() throws IOException {
        // failsafe runs in the module's directory: the repository root is one up
        return Files.readAllLines(Path.of("..", "scripts", "jvm-options")).stream()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
    }

    /** Returns once a log line matches {@code wanted}; fails with everything the child said otherwise. */
    void awaitLog(Predicate<String> wanted, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                fail("no such log line within " + seconds + " s; the child ("
                        + (process.isAlive() ? "alive" : "exited " + process.exitValue()) + ") said:\n" + log());
            }
            seen.add(line);
            if (wanted.test(line)) {
                return;
            }
        }
    }

    /** Everything the child has logged so far. */
    String log() {
        lines.drainTo(seen);
        return String.join("\n", seen);
    }

    Process process() {
        return process;
    }

    /**
     * SIGTERM through the process handle: {@code Process.destroy()} sends the same signal but also closes
     * our end of the child's stderr, and the drain's log lines are what a test reads next.
     */
    void sigterm() {
        assertTrue(process.toHandle().destroy(), "SIGTERM sent");
    }

    /** SIGKILL (kill -9): no shutdown hook, no drain, nothing flushed by the JVM. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        assertTrue(process.waitFor(10, TimeUnit.SECONDS), "killed");
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
