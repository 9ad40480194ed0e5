package io.gozargah.engine.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code gozargah} in a child JVM, as an operator runs it (the launcher's JVM options, this build's class path),
 * its stderr read line by line ({@code Logger: message}) so a test can wait for what it logs.
 */
public final class ChildGateway implements AutoCloseable {
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

    /** Starts {@code gozargah run --config FILE} (its logback config is written next to it). */
    public static ChildGateway start(Path config) throws IOException {
        return start(config.toAbsolutePath().getParent(), "run", "--config", config.toString());
    }

    /** Starts {@code gozargah ARGS} with its logback config written into {@code dir}. */
    public static ChildGateway start(Path dir, String... args) throws IOException {
        return start(0, dir, args);
    }

    /**
     * Starts {@code gozargah run --config FILE} with at most {@code descriptorLimit} open file descriptors (the
     * soft and hard RLIMIT_NOFILE, set by {@code ulimit -n} in the shell that execs the JVM, so the JVM's own pid is
     * the child's).
     */
    public static ChildGateway start(Path config, int descriptorLimit) throws IOException {
        return start(descriptorLimit, config.toAbsolutePath().getParent(), "run", "--config", config.toString());
    }

    private static ChildGateway start(int descriptorLimit, Path dir, String... args) throws IOException {
        Path logback = dir.resolve("logback-child.xml");
        Files.writeString(logback, LOG_CONFIG);
        List<String> command = new ArrayList<>();
        if (descriptorLimit > 0) {
            command.addAll(List.of("bash", "-c", "ulimit -n " + descriptorLimit + " && exec \"$@\"", "bash"));
        }
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(jvmOptions());
        // Tests start it again and again: pre-touching the launcher's 512 MiB heap costs seconds each time.
        command.add("-XX:-AlwaysPreTouch");
        command.add("-Xms64m");
        command.add("-Dlogback.configurationFile=" + logback);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.gozargah.engine.cli.Main");
        command.addAll(List.of(args));
        return new ChildGateway(new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
    }

    /** The launcher's JVM options ({@code scripts/jvm-options}); failsafe runs in the module's directory. */
    public static List<String> jvmOptions() throws IOException {
        return Files.readAllLines(Path.of("..", "scripts", "jvm-options")).stream()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    public Process process() {
        return process;
    }

    /** Waits for a log line matching {@code wanted}; fails with everything the child said if none comes. */
    public void awaitLog(Predicate<String> wanted, int seconds) throws InterruptedException {
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

    /** Everything the child logged so far. */
    public String log() {
        lines.drainTo(seen);
        return String.join("\n", seen);
    }

    /**
     * SIGTERM through the process handle: {@code Process.destroy()} sends the same signal but also closes
     * our end of the child's stderr, and the drain's log lines are what a test reads next.
     */
    public void sigterm() {
        if (!process.toHandle().destroy()) {
            fail("SIGTERM could not be sent");
        }
    }

    /** SIGKILL: no shutdown hook, no drain, nothing flushed by the JVM. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM through the process handle (which keeps our end of stderr open), then waits for the exit code. */
    public int terminate(int seconds) throws InterruptedException {
        process.toHandle().destroy();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            fail("the child did not exit within " + seconds + " s of SIGTERM; it said:\n" + log());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
