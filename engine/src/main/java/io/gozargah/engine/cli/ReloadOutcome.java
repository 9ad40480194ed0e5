package io.gozargah.engine.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * What the last SIGHUP reload of a gateway did, in a file beside its pid file ({@code PIDFILE.reload}), so that
 * {@code gozargah reload}, a second process, can tell the operator (and systemd's {@code ExecReload}) whether the
 * new file was taken: a signal carries no answer. Two lines: {@code PID SEQUENCE ok|refused}, then the message
 * ({@code reloaded FILE}, or {@code FILE:LINE: field: reason}). The sequence counts the process's SIGHUP reloads,
 * so a reader that saw sequence {@code n} before signalling waits for one above it. Written whole by a rename;
 * removed with the pid file.
 *
 * @param pid      the gateway's process id
 * @param sequence the reload's number in that process, from 1
 * @param ok       whether the new configuration runs
 * @param message  one line: what was reloaded, or why it was refused
 */
record ReloadOutcome(long pid, long sequence, boolean ok, String message) {

    /** {@code PIDFILE.reload} beside {@code pidFile}. */
    static Path fileFor(Path pidFile) {
        return pidFile.resolveSibling(pidFile.getFileName() + ".reload");
    }

    void write(Path file) throws IOException {
        String text = pid + " " + sequence + " " + (ok ? "ok" : "refused") + "\n"
                + message.replace('\n', ' ').replace('\r', ' ') + "\n";
        Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), ".gozargah-", ".reload");
        try {
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The outcome in {@code file}; empty when there is none or it is not one (a reader's view, never an error). */
    static Optional<ReloadOutcome> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
        if (lines.size() != 2) {
            return Optional.empty();
        }
        String[] head = lines.get(0).split(" ");
        if (head.length != 3 || !(head[2].equals("ok") || head[2].equals("refused"))) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ReloadOutcome(Long.parseLong(head[0]), Long.parseLong(head[1]),
                    head[2].equals("ok"), lines.get(1)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
