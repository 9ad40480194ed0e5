package io.gozargah.engine.keyfile;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writing a secret to a file (the journal's subject key, its signing key): made new, never over an existing file
 * (a replaced key would orphan everything made with the old one), readable by its owner only where the file
 * system has POSIX permissions, which are set before the secret is written.
 */
public final class KeyFile {
    private KeyFile() {
    }

    /**
     * @throws FileAlreadyExistsException if {@code file} exists
     */
    public static void writeOwnerOnly(Path file, byte[] content) throws IOException {
        Files.write(file, new byte[0], StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its own access control applies
        }
        Files.write(file, content, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }

    /** Writes {@code content} to a new {@code file} readable by anyone (a public key). */
    public static void writePublic(Path file, byte[] content) throws IOException {
        Files.write(file, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }
}
