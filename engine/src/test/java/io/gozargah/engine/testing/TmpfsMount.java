package io.gozargah.engine.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs file system mounted for a test, to be filled and emptied: a disk that really runs out of blocks,
 * as a journal or a counters file meets it in production. Mounting needs root (or CAP_SYS_ADMIN); where it is not
 * permitted the test is skipped with a message, not failed. {@link #close()} unmounts it (lazily, so a file a
 * process still has mapped does not keep it).
 */
public final class TmpfsMount implements AutoCloseable {
    private static final String FILLER = "filler";

    private final Path dir;

    private TmpfsMount(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code size} (as mount takes it: 32m) on {@code dir}, or skips the test. */
    public static TmpfsMount mount(Path dir, String size) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String why = run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
        Assumptions.assumeTrue(why == null, "skipped: cannot mount a tmpfs to fill here (" + why + ")");
        return new TmpfsMount(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Bytes free on it now. */
    public long freeBytes() throws IOException {
        FileStore store = Files.getFileStore(dir);
        return store.getUsableSpace();
    }

    /** Writes a filler file until the file system is full (what an operator's dd does). */
    public void fill() throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(dir.resolve(FILLER))) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            if (freeBytes() > block.length) {
                throw full;
            }
        }
    }

    /** Deletes the filler: the space comes back. */
    public void free() throws IOException {
        Files.deleteIfExists(dir.resolve(FILLER));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        String why = run("umount", "-l", dir.toString());
        if (why != null) {
            throw new IOException("cannot unmount " + dir + ": " + why);
        }
    }

    /** Runs a command; null when it succeeded, else what it said. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return e.getMessage();
        }
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return String.join(" ", command) + " did not finish";
        }
        return p.exitValue() == 0 ? null : String.join(" ", command) + ": exit " + p.exitValue() + ": " + out;
    }
}
