package io.gozargah.engine.demo;

import io.gozargah.engine.journal.CheckpointKeys;
import io.gozargah.engine.subject.SubjectKey;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The demo journal's keys, which config/demo.yaml names ({@code journal.subjectKeyFile}, {@code signingKeyFile}):
 * a subject key and a checkpoint signing key pair in {@code data/keys}, made on the demo's first start as its TLS
 * certificates are, never committed. Like any key they are never replaced once made: the demo journal's subject
 * hashes and checkpoints stay readable across runs.
 */
public final class DemoKeys {
    /** The keys' folder under the demo's home ($GOZARGAH_HOME, else the working directory). */
    public static final Path DIR = Path.of("data", "keys");
    public static final String SUBJECT_KEY = "subject.key";
    public static final String SIGNING_KEY = "signing.key";
    public static final String PUBLIC_KEY = "signing.key.pub";

    private DemoKeys() {
    }

    /**
     * Makes the three key files in {@code dir} unless it holds them already; true when it made them. They are made
     * in a sibling folder and moved into place at once, so a second demo (or a test) starting at the same moment
     * finds either no folder or a whole one, never a half-written key.
     *
     * @throws IOException if they cannot be made, or {@code dir} exists without them
     */
    public static boolean ensure(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            requireWhole(dir);
            return false;
        }
        Path parent = dir.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path fresh = Files.createTempDirectory(parent, dir.getFileName() + ".new");
        try {
            SubjectKey.generate(fresh.resolve(SUBJECT_KEY));
            CheckpointKeys.generate(fresh.resolve(SIGNING_KEY), fresh.resolve(PUBLIC_KEY));
            try {
                Files.move(fresh, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                requireWhole(dir); // made meanwhile by another start
                return false;
            } catch (IOException e) {
                if (!Files.isDirectory(dir)) {
                    throw e;
                }
                requireWhole(dir); // a non-empty target: made meanwhile by another start
                return false;
            }
            return true;
        } finally {
            deleteTree(fresh);
        }
    }

    private static void requireWhole(Path dir) throws IOException {
        for (String name : new String[] {SUBJECT_KEY, SIGNING_KEY, PUBLIC_KEY}) {
            if (!Files.isRegularFile(dir.resolve(name))) {
                throw new IOException(dir + " holds no " + name + ": remove the folder to have the demo make new"
                        + " keys (the demo journal's subjects and checkpoints made with the old ones are then lost)");
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
