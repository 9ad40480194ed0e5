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
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code gozargah reload [--pid-file FILE]}: sends SIGHUP to the gateway named by its pid file, which then
 * re-reads its config file, and reports what it did from the outcome file the gateway writes beside its pid
 * file ({@link ReloadOutcome}): exit 0 when the new configuration runs, 1 with {@code FILE:LINE: field: reason}
 * when the gateway refused it (and kept the configuration it had), or when no outcome came in time.
 */
@Command(name = "reload", usageHelpAutoWidth = true, description = {
        "Ask the running gateway to reload its configuration (SIGHUP to the process in its pid file) and report"
                + " the outcome. Grants, rates, quotas and in-flight caps change at once; no connection is closed;"
                + " counters of grants that remain carry over. An invalid file is refused: the gateway keeps running"
                + " on its current configuration, and this command prints FILE:LINE: field: reason and exits 1."})
final class ReloadCommand implements Callable<Integer> {
    /** A reload takes milliseconds to a second (TLS files, a large config); a human waits on this. */
    private static final long POLL_MILLIS = 50;
    private final Map<String, String> environment;

    @Spec
    private CommandSpec spec;

    @Option(names = "--pid-file", paramLabel = "FILE",
            description = "The running gateway's pid file. Default: data/gozargah.pid under $GOZARGAH_HOME, or under"
                    + " the working directory when it is not set (where `run` and `demo` write it by default).")
    private Path pidFile;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long to wait for the gateway's outcome. Default: ${DEFAULT-VALUE}.")
    private long timeoutSeconds;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    ReloadCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws CliFailure, InterruptedException {
        Path file = pidFile != null ? pidFile : PidFile.defaultPath(environment);
        long pid = readPid(file);
        if (ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty()) {
            throw CliFailure.runtime("pid file " + file + " names process " + pid + ", which is not running", null);
        }
        if (ignoresSighup(pid)) {
            throw CliFailure.runtime("process " + pid + " ignores SIGHUP (started under nohup, or by a parent that"
                    + " ignores it), so a signal cannot ask it to reload: use POST /admin/reload on its admin"
                    + " listener, or restart it without nohup (setsid or a service manager detach it without"
                    + " ignoring SIGHUP)", null);
        }
        Path outcomes = ReloadOutcome.fileFor(file);
        long before = ReloadOutcome.read(outcomes).filter(o -> o.pid() == pid).map(ReloadOutcome::sequence).orElse(0L);
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
        ReloadOutcome outcome = awaitOutcome(outcomes, pid, before);
        if (!outcome.ok()) {
            throw CliFailure.runtime("reload refused; gateway process " + pid + " keeps its running configuration: "
                    + outcome.message(), null);
        }
        spec.commandLine().getOut().println(outcome.message() + " (gateway process " + pid + ")");
        spec.commandLine().getOut().flush();
        return Main.EXIT_OK;
    }

    private static long readPid(Path file) throws CliFailure {
        try {
            return Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).strip());
        } catch (NoSuchFileException e) {
            throw CliFailure.runtime("no pid file at " + file + ": is the gateway running (with --pid-file)?", e);
        } catch (IOException | NumberFormatException e) {
            throw CliFailure.runtime("cannot read a process id from " + file + ": " + e.getMessage(), e);
        }
    }

    /** The first outcome of {@code pid} numbered above {@code before}, polled for until the timeout. */
    private ReloadOutcome awaitOutcome(Path outcomes, long pid, long before) throws CliFailure, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (true) {
            Optional<ReloadOutcome> outcome = ReloadOutcome.read(outcomes)
                    .filter(o -> o.pid() == pid && o.sequence() > before);
            if (outcome.isPresent()) {
                return outcome.get();
            }
            if (System.nanoTime() - deadline >= 0) {
                throw CliFailure.runtime("sent SIGHUP to gateway process " + pid + ", but it reported no outcome in "
                        + outcomes + " within " + timeoutSeconds + " s; its log says whether it reloaded", null);
            }
            if (ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty()) {
                throw CliFailure.runtime("gateway process " + pid + " exited before it reported the reload", null);
            }
            Thread.sleep(POLL_MILLIS);
        }
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
