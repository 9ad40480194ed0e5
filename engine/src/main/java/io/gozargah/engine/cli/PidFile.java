package io.gozargah.engine.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;

/**
 * The process id, written once the gateway listens (so a supervisor reading it knows the gateway is up) and
 * removed when the process exits, forced exits included. A file naming a live process is not overwritten: two
 * gateways on one pid file is an operator mistake worth stopping at.
 */
final class PidFile implements AutoCloseable {
    /** Where {@code run}, {@code demo} and {@code reload} look by default, under $GOZARGAH_HOME or the working directory. */
    static final Path DEFAULT = Path.of("data", "gozargah.pid");
    private final Path path;
    private final Thread removeOnExit;

    private PidFile(Path path) {
        this.path = path;
        this.removeOnExit = new Thread(this::delete, "pid-file-removal");
    }

    /** {@code $GOZARGAH_HOME/data/gozargah.pid}, or {@code data/gozargah.pid} in the working directory. */
    static Path defaultPath(Map<String, String> environment) {
        String home = environment.get(DemoCommand.HOME_VARIABLE);
        return home == null || home.isBlank() ? DEFAULT : Path.of(home).resolve(DEFAULT);
    }

    /** {@link #defaultPath}, with its directory made when missing (an explicit --pid-file's must exist). */
    static Path defaultPathCreated(Map<String, String> environment) throws CliFailure {
        Path path = defaultPath(environment);
        try {
            Files.createDirectories(path.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw CliFailure.runtime("cannot create the directory of pid file " + path + ": " + e, e);
        }
        return path;
    }

    static PidFile write(Path path) throws CliFailure {
        Optional<Long> running = readLivePid(path);
        if (running.isPresent()) {
            throw CliFailure.runtime("pid file " + path + " names running process " + running.get(), null);
        }
        PidFile pidFile = new PidFile(path);
        try {
            Path parent = path.toAbsolutePath().getParent();
            Path temp = Files.createTempFile(parent, ".gozargah-", ".pid");
            Files.writeString(temp, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
            Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw CliFailure.runtime("cannot write pid file " + path + ": " + e, e);
        }
        Runtime.getRuntime().addShutdownHook(pidFile.removeOnExit);
        return pidFile;
    }

    Path path() {
        return path;
    }

    @Override
    public void close() {
        delete();
        try {
            Runtime.getRuntime().removeShutdownHook(removeOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to; it deletes the file as well
        }
    }

    private void delete() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // a stale pid file names a dead process, which the next start accepts
        }
    }

    private static Optional<Long> readLivePid(Path path) {
        try {
            long pid = Long.parseLong(Files.readString(path, StandardCharsets.US_ASCII).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(ProcessHandle::pid);
        } catch (IOException | NumberFormatException absentOrNotOurs) {
            return Optional.empty();
        }
    }
}
