package io.gozargah.engine.cli;

import io.gozargah.engine.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class RunCommandTest {
    @TempDir
    Path dir;

    @Test
    void shouldExit2NamingTheFileWhenConfigIsMissing() {
        Path missing = dir.resolve("missing.yaml");
        CommandRun run = CommandRun.of("run", "--config", missing.toString());

        assertEquals(2, run.exitCode());
        assertEquals("gozargah: " + missing + ": no such file", run.err().strip());
    }

    @Test
    void shouldExit2WhenConfigIsADirectory() {
        CommandRun run = CommandRun.of("run", "--config", dir.toString());
        assertEquals(2, run.exitCode());
        assertEquals("gozargah: " + dir + ": not a regular file", run.err().strip());
    }

    @Test
    void shouldExit2PrintingTheLoadersLocatedMessage() throws IOException {
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "server:\n  listeners: 7\n");
        GatewayProcess process = new GatewayProcess(file -> {
            throw new ConfigException(file, 2, "server.listeners", "expected a list");
        }, code -> fail("exit(" + code + ")"));

        CommandRun run = CommandRun.with(process, "run", "--config", broken.toString());

        assertEquals(2, run.exitCode());
        assertEquals("gozargah: " + broken + ":2: server.listeners: expected a list", run.err().strip());
        assertEquals("", run.out());
    }

    @Test
    void shouldExit1InOneLineWhenTheJournalCannotBeOpened() throws IOException {
        Path notADir = Files.writeString(dir.resolve("journal"), "a file where the journal directory should be");
        Path config = Files.writeString(dir.resolve("gw.yaml"), ""
                + "server:\n  listeners:\n    - { host: 127.0.0.1, port: 0 }\n"
                + "providers:\n  p:\n    endpoints: [ \"http://127.0.0.1:9\" ]\n    services:\n      s: { path: /s }\n"
                + "journal:\n  dir: journal\n");

        CommandRun run = CommandRun.of("run", "--config", config.toString());

        assertEquals(1, run.exitCode(), run.err());
        assertTrue(run.err().startsWith("gozargah: cannot open the journal in " + notADir + ": "), run.err());
        assertEquals(1, run.err().strip().lines().count(), "one line, no stack trace: " + run.err());
    }

    @Test
    void shouldExit1InOneLineWhenTheAdminOrPortalAddressIsTaken() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            String base = "server:\n  listeners:\n    - { host: 127.0.0.1, port: 0 }\n"
                    + "providers:\n  p:\n    endpoints: [ \"http://127.0.0.1:9\" ]\n"
                    + "    services:\n      s: { path: /s }\n";
            Path admin = Files.writeString(dir.resolve("admin.yaml"), base
                    + "admin:\n  listen: " + address + "\n  token: test-admin-token-0123456789abcdef\n");
            Path portal = Files.writeString(dir.resolve("portal.yaml"),
                    base + "portal:\n  listen: " + address + "\n");

            CommandRun adminRun = CommandRun.of("run", "--config", admin.toString());
            CommandRun portalRun = CommandRun.of("run", "--config", portal.toString());

            assertEquals(1, adminRun.exitCode(), adminRun.err());
            assertTrue(adminRun.err().startsWith("gozargah: cannot start the admin API on " + address + ": "),
                    adminRun.err());
            assertEquals(1, adminRun.err().strip().lines().count(), "one line, no stack trace: " + adminRun.err());
            assertEquals(1, portalRun.exitCode(), portalRun.err());
            assertTrue(portalRun.err().startsWith("gozargah: cannot start the portal on " + address + ": "),
                    portalRun.err());
            assertEquals(1, portalRun.err().strip().lines().count(), "one line, no stack trace: " + portalRun.err());
        }
    }

    /** Against the real loader: a file that is not even YAML is one located line, exit 2. */
    @Test
    void shouldExit2OnBrokenFileWithTheRealLoader() throws IOException {
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "server:\n  listeners: 7\n  eventLoops: [\n");

        CommandRun run = CommandRun.of("run", "--config", broken.toString());

        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().startsWith("gozargah: " + broken + ":"), run.err());
        assertEquals(1, run.err().strip().lines().count(), "one line, no stack trace: " + run.err());
    }

    @Test
    void shouldExit2WithUsageWhenConfigOptionIsMissing() {
        CommandRun run = CommandRun.of("run");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("Missing required option: '--config=FILE'"), run.err());
    }

    @Test
    void shouldExit2WithUsageWhenNoCommandIsGiven() {
        CommandRun run = CommandRun.of();
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("Usage: gozargah"), run.err());
    }

    @Test
    void shouldExit2OnUnknownCommand() {
        assertEquals(2, CommandRun.of("serve").exitCode());
    }

    @Test
    void shouldExit0OnHelp() {
        CommandRun run = CommandRun.of("run", "--help");
        assertEquals(0, run.exitCode());
        assertTrue(run.out().contains("--pid-file"), run.out());
    }
}
