package io.gozargah.engine.testing;

import io.gozargah.engine.demo.DemoKeys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The repository's config/demo.yaml for tests. It names journal keys that the demo makes on its first start
 * (data/keys, never committed), and loading it reads them: {@link #file()} makes them first, as the demo would.
 * {@link #text()} is the file's text with those key paths absolute, for tests that copy it elsewhere;
 * {@link #isolated} a copy that runs beside anything else on the machine (a running demo included).
 */
public final class DemoConfig {
    private static final String KEYS = "../data/keys/";

    private DemoConfig() {
    }

    /** config/demo.yaml, its keys made in the repository's data/keys if absent. */
    public static Path file() {
        Path file = repoFile("config/demo.yaml");
        try {
            DemoKeys.ensure(file.getParent().resolve("../data/keys").normalize());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /**
     * The text of {@link #file()}, the key files named by absolute paths, and without the services' {@code docs:} (the
     * OpenAPI documents must lie beside the config, and a copy elsewhere has none; {@link #isolated} copies them).
     */
    public static String text() {
        Path file = file();
        try {
            return Files.readString(file).replace(KEYS, file.getParent().resolve(KEYS).normalize() + "/")
                    .replaceAll("(?m)^ +docs: .*\n", "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The demo config written into {@code dir} with its own keys, journal and counters there, the listeners, the
     * admin API and the portal on ephemeral ports, its OpenAPI documents beside it, and the agencies on the given
     * ports; else as the repository has it.
     */
    public static Path isolated(Path dir, int nocrPort, int postPort, int smsPort) throws IOException {
        Path keys = dir.resolve("keys");
        DemoKeys.ensure(keys);
        String text = Files.readString(file())
                .replace("port: 8080", "port: 0")
                .replace("port: 8443", "port: 0")
                .replace("listen: 127.0.0.1:9090", "listen: 127.0.0.1:0")
                .replace("listen: 127.0.0.1:8088", "listen: 127.0.0.1:0")
                .replace("127.0.0.1:9201", "127.0.0.1:" + nocrPort)
                .replace("127.0.0.1:9202", "127.0.0.1:" + postPort)
                .replace("127.0.0.1:9203", "127.0.0.1:" + smsPort)
                .replace("../data/demo-counters.dat", dir.resolve("counters.dat").toString())
                .replace("dir: ../data/journal", "dir: " + dir.resolve("journal"))
                .replace(KEYS, keys + "/");
        if (text.contains("../data/")) {
            throw new IllegalStateException("config/demo.yaml names a file under data/ that isolated() does not move");
        }
        // the OpenAPI documents the catalogue links to lie beside the config, named relative to it
        Path openapi = file().getParent().resolve("openapi");
        Files.createDirectories(dir.resolve("openapi"));
        try (var files = Files.list(openapi)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve("openapi").resolve(f.getFileName()),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return Files.writeString(dir.resolve("demo.yaml"), text);
    }

    private static Path repoFile(String relative) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve(relative))) {
                return d.resolve(relative);
            }
        }
        throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
    }
}
