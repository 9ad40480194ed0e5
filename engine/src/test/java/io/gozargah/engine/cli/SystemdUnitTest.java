package io.gozargah.engine.cli;

import io.gozargah.engine.config.ConfigLoader;
import io.gozargah.engine.config.GatewayConfig;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * config/gozargah.service starts the gateway through the launcher (so with scripts/jvm-options), maps reload
 * to SIGHUP and stop to SIGTERM with a timeout longer than the drain, restarts on failure, keeps a pid file;
 * and {@code systemd-analyze verify} accepts it where systemd is installed.
 */
class SystemdUnitTest {
    private static final Path UNIT = Path.of("..", "config", "gozargah.service");

    private static Map<String, String> service() throws Exception {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String line : serviceLines()) {
            keys.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
        }
        return keys;
    }

    /** The {@code KEY=value} lines of the [Service] section, in order (a key may repeat). */
    private static List<String> serviceLines() throws Exception {
        List<String> lines = new ArrayList<>();
        boolean inService = false;
        for (String line : Files.readAllLines(UNIT)) {
            if (line.startsWith("[")) {
                inService = line.equals("[Service]");
            } else if (inService && !line.startsWith("#") && line.contains("=")) {
                lines.add(line);
            }
        }
        return lines;
    }

    /** The unit pointed at this checkout (it names /opt/gozargah), so that systemd-analyze finds the launcher. */
    private static Path unitForThisCheckout() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path copy = Files.createTempDirectory("unit").resolve("gozargah.service");
        Files.writeString(copy, Files.readString(UNIT).replace("/opt/gozargah", root.toString()));
        return copy;
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void shouldRunTheLauncherReloadOnHupDrainOnTermAndRestartOnFailure() throws Exception {
        Map<String, String> s = service();
        assertEquals("/opt/gozargah/scripts/gozargah run --config /etc/gozargah/gozargah.yaml"
                + " --pid-file /run/gozargah/gozargah.pid", s.get("ExecStart"));
        assertEquals("/run/gozargah/gozargah.pid", s.get("PIDFile"));
        assertEquals(List.of("ExecReload=/opt/gozargah/scripts/gozargah check --config /etc/gozargah/gozargah.yaml",
                "ExecReload=/opt/gozargah/scripts/gozargah reload --pid-file /run/gozargah/gozargah.pid"),
                serviceLines().stream().filter(l -> l.startsWith("ExecReload=")).toList(),
                "check the file, then SIGHUP through reload, which fails when the gateway refuses the file");
        assertEquals("SIGTERM", s.get("KillSignal"));
        assertEquals("on-failure", s.get("Restart"));
        Duration stop = Duration.ofSeconds(Long.parseLong(s.get("TimeoutStopSec").replace("s", "")));
        // the default shutdownGrace (config/gozargah.yaml) plus the process's own stuck margin
        assertTrue(stop.compareTo(Duration.ofSeconds(30).plus(GatewayProcess.STUCK_MARGIN)) > 0, stop.toString());
    }

    @Test
    void shouldPassSystemdAnalyzeVerifyWhereInstalled() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        if (!Files.isExecutable(analyze)) {
            System.err.println("SystemdUnitTest: systemd-analyze not installed; verify skipped");
            return;
        }
        String out = run(analyze.toString(), "verify", unitForThisCheckout().toString());
        assertEquals(List.of(), out.lines().filter(l -> l.contains("gozargah.service")).toList());
    }

    @Test
    void shouldRateUnderFourWithSystemdAnalyzeSecurityWhereInstalled() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        if (!Files.isExecutable(analyze)
                || !run(analyze.toString(), "security", "--help").contains("--offline")) {
            System.err.println("SystemdUnitTest: systemd-analyze security --offline not available; rating skipped");
            return;
        }
        String out = run(analyze.toString(), "security", "--offline=true", "--no-pager",
                unitForThisCheckout().toString());
        Matcher level = Pattern.compile("Overall exposure level for gozargah\\.service: ([0-9.]+)").matcher(out);
        assertTrue(level.find(), out);
        assertTrue(Double.parseDouble(level.group(1)) < 4, out);
    }

    @Test
    void shouldKeepTheReferenceConfigsDataInTheUnitsStateDirectory() throws Exception {
        Map<String, String> s = service();
        Path state = Path.of("/var/lib", s.get("StateDirectory"));
        assertTrue(s.get("ReadWritePaths").contains(state.toString()), s.get("ReadWritePaths"));
        assertEquals("strict", s.get("ProtectSystem"), "everything but the state and runtime directories is read-only");
        // As installed (the unit's header): in /etc/gozargah, where a relative path would resolve under /etc.
        Path installed = Files.createDirectories(Files.createTempDirectory("etc").resolve("gozargah"))
                .resolve("gozargah.yaml");
        Files.copy(Path.of("..", "config", "gozargah.yaml"), installed);
        GatewayConfig config = ConfigLoader.load(installed);
        List<Path> data = new ArrayList<>(List.of(config.admission().countersFile(), config.journal().dir()));
        if (config.journal().archiveDir() != null) {
            data.add(config.journal().archiveDir());
        }
        for (Path path : data) {
            assertTrue(path.startsWith(state), path + " is outside " + state);
        }
    }
}
