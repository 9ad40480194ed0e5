package io.gozargah.engine.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code gozargah reload [--pid-file FILE]}: sends SIGHUP to the gateway named by its pid file, which then
 * re-reads its config file. The outcome (reloaded, or refused with file, line, field and reason, the old
 * configuration kept) is in the gateway's log.
 */
@Command(name = "reload", usageHelpAutoWidth = true, description = {
        "Ask the running gateway to reload its configuration (SIGHUP to the process in its pid file). Grants,"
                + " rates, quotas and in-flight caps change at once; no connection is closed; counters of grants"
                + " that remain carry over. An invalid file is refused and logged by the gateway, which keeps"
                + " running on its current configuration."})
final class ReloadCommand implements Callable<Integer> {
    private final Map<String, String> environment;

    @Spec
    private CommandSpec spec;

    @Option(names = "--pid-file", paramLabel = "FILE",
            description = "The running gateway's pid file. Default: data/gozargah.pid under $GOZARGAH_HOME, or under"
                    + " the working directory when it is not set (where `run` and `demo` write it by default).")
    private Path pidFile;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    ReloadCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws CliFailure, InterruptedException {
        Path file = pidFile != null ? pidFile : PidFile.defaultPath(environment);
        long pid;
        try {
            pid = Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).strip());
        } catch (NoSuchFileException e) {
            throw CliFailure.runtime("no pid file at " + file + ": is the gateway running (with --pid-file)?", e);
        } catch (IOException | NumberFormatException e) {
            throw CliFailure.runtime("cannot read a process id from " + file + ": " + e.getMessage(), e);
        }
        if (ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty()) {
            throw CliFailure.runtime("pid file " + file + " names process " + pid + ", which is not running", null);
        }
        if (ignoresSighup(pid)) {
            throw CliFailure.runtime("process " + pid + " ignores SIGHUP (started under nohup, or by a parent that"
                    + " ignores it), so a signal cannot ask it to reload: use POST /admin/reload on its admin"
                    + " listener, or restart it without nohup (setsid or a service manager detach it without"
                    + " ignoring SIGHUP)", null);
        }
        int exit;
        try {
            Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(pid)).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
                throw CliFailure.runtime("kill -HUP " + pid + " did not finish", null);
            }
            exit = kill.exitValue();
        } catch (IOException e) {
            throw CliFailure.runtime("cannot run kill: " + e.getMessage(), e);
        }
        if (exit != 0) {
            throw CliFailure.runtime("kill -HUP " + pid + " failed (exit " + exit + ")", null);
        }
        spec.commandLine().getOut().println("sent SIGHUP to gateway process " + pid
                + "; its log says whether the configuration was reloaded");
        spec.commandLine().getOut().flush();
        return Main.EXIT_OK;
    }

    /**
     * Whether {@code pid} ignores SIGHUP, from the SigIgn mask in /proc/PID/status (bit 0 is signal 1, SIGHUP). A
     * JVM started with SIGHUP ignored leaves it ignored whatever handler the gateway asks for. False when the mask
     * cannot be read (no /proc): the signal is sent as before.
     */
    static boolean ignoresSighup(long pid) {
        List<String> status;
        try {
            status = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.US_ASCII);
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
        for (String line : status) {
            if (line.startsWith("SigIgn:")) {
                try {
                    return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).strip(), 16) & 1L) != 0;
                } catch (NumberFormatException e) {
                    return false;
                }
            }
        }
        return false;
    }
}
