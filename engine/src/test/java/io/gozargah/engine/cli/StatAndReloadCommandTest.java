package io.gozargah.engine.cli;

import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What {@code stat} and {@code reload} say when there is nothing to read or signal (the happy paths: QuotaPersistenceIT). */
class StatAndReloadCommandTest {
    @TempDir
    Path dir;

    @Test
    void shouldExit1NamingAMissingCountersFile() {
        Path missing = dir.resolve("counters.dat");
        CommandRun run = CommandRun.of("stat", "--counters", missing.toString(), "--interval-ms", "0");
        assertEquals(1, run.exitCode());
        assertEquals("gozargah: no counters file at " + missing + " (has the gateway run with this config?)",
                run.err().strip());
    }

    @Test
    void shouldPrintNothingButItsAnswerForAConfigWithATlsListener() throws Exception {
        TestCertificates certs = TestCertificates.create();
        Files.copy(certs.server.certificatePem(), dir.resolve("server.crt"));
        Files.copy(certs.server.keyPem(), dir.resolve("server.key"));
        Path config = Files.writeString(dir.resolve("gozargah.yaml"), GatewayFixture.standardYaml(9, null, null)
                .replace("    - { name: test, host: 127.0.0.1, port: 0 }\n",
                        "    - { name: test, host: 127.0.0.1, port: 0,"
                                + " tls: { certificate: server.crt, key: server.key } }\n")
                + "admission:\n  countersFile: counters.dat\n");
        ToolRun run = ToolRun.of("stat", "--config", config.toString(), "--interval-ms", "0");
        assertEquals(1, run.exitCode());
        assertEquals(List.of("gozargah: no counters file at " + dir.resolve("counters.dat")
                + " (has the gateway run with this config?)"), run.err().lines().toList());
    }

    @Test
    void shouldExit1OnAFileThatIsNotACountersFile() throws Exception {
        Path file = Files.writeString(dir.resolve("counters.dat"), "x".repeat(5000));
        CommandRun run = CommandRun.of("stat", "--counters", file.toString(), "--interval-ms", "0");
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("is not a gozargah counters file"), run.err());
    }

    @Test
    void shouldExit2WithoutACountersFileOrConfig() {
        CommandRun run = CommandRun.of("stat");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("--counters=FILE") && run.err().contains("--config=FILE"), run.err());
    }

    @Test
    void shouldExit1WhenThePidFileIsMissing() {
        Path missing = dir.resolve("gateway.pid");
        CommandRun run = CommandRun.of("reload", "--pid-file", missing.toString());
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("no pid file at " + missing), run.err());
    }

    @Test
    void shouldExit1WhenThePidFileNamesNoRunningProcess() throws Exception {
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        Path pid = Files.writeString(dir.resolve("gateway.pid"), exited.pid() + "\n");
        CommandRun run = CommandRun.of("reload", "--pid-file", pid.toString());
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("names process " + exited.pid() + ", which is not running"), run.err());
    }

    @Test
    void shouldExit1WithoutSignallingAProcessThatIgnoresSighup() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "the mask is read from Linux's /proc");
        // A stand-in for a gateway started under nohup: SIGHUP ignored, and the disposition kept across exec.
        Process ignoring = new ProcessBuilder("sh", "-c", "trap '' HUP; echo ready; exec cat").start();
        try {
            assertEquals("ready", new BufferedReader(new InputStreamReader(ignoring.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine());
            Path pid = Files.writeString(dir.resolve("gateway.pid"), ignoring.pid() + "\n");
            CommandRun run = CommandRun.of("reload", "--pid-file", pid.toString());
            assertEquals(1, run.exitCode());
            assertTrue(run.err().contains("process " + ignoring.pid() + " ignores SIGHUP")
                    && run.err().contains("POST /admin/reload"), run.err());
            assertTrue(ignoring.isAlive());
        } finally {
            ignoring.destroy();
            ignoring.waitFor();
        }
    }

    @Test
    void shouldSeeWhetherAProcessIgnoresSighup() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "the mask is read from Linux's /proc");
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        assertFalse(ReloadCommand.ignoresSighup(exited.pid()), "no such process: no mask, the signal is tried");
        Process ignoring = new ProcessBuilder("sh", "-c", "trap '' HUP; echo ready; exec cat").start();
        try {
            new BufferedReader(new InputStreamReader(ignoring.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            assertTrue(ReloadCommand.ignoresSighup(ignoring.pid()));
        } finally {
            ignoring.destroy();
            ignoring.waitFor();
        }
    }

    @Test
    void shouldDefaultThePidFileUnderGozargahHome() {
        assertEquals(Path.of("/opt/gz/data/gozargah.pid"),
                PidFile.defaultPath(java.util.Map.of("GOZARGAH_HOME", "/opt/gz")));
        assertEquals(Path.of("data/gozargah.pid"), PidFile.defaultPath(java.util.Map.of()));
    }
}
