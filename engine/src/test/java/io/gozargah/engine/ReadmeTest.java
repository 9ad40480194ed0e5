package io.gozargah.engine;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's layout table names what is there, and its wire contract the upstream protocols there are. */
class ReadmeTest {
    private static final Path ROOT = Path.of("..");

    private static String section(String heading) throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        int start = readme.indexOf("\n## " + heading + "\n");
        assertTrue(start >= 0, "no section " + heading);
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    private static List<String> directories(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String row(String layout, String folder) {
        return layout.lines().filter(l -> l.startsWith("| `" + folder + "/`")).findFirst().orElse("");
    }

    @Test
    void shouldNameEveryFolderAndPackageInTheLayoutTable() throws IOException {
        String layout = section("Layout");
        List<String> missing = directories(ROOT).stream()
                .filter(d -> !d.equals(".git") && !d.equals(".idea") && !d.equals("target") && !d.equals("data"))
                .filter(d -> row(layout, d).isEmpty()).toList();
        assertEquals(List.of(), missing, "top-level folders missing from the layout table");
        for (String module : List.of("codec", "engine")) {
            Path packages = ROOT.resolve(module).resolve("src/main/java/io/gozargah").resolve(module);
            String row = row(layout, module);
            assertEquals(List.of(), directories(packages).stream().filter(p -> !row.contains("`" + p + "`")).toList(),
                    module + "'s packages missing from its row");
        }
    }

    @Test
    void shouldStateThatUpstreamsSpeakHttp1AndHttp2() throws IOException {
        String contract = section("The wire contract");
        assertFalse(contract.contains("upstreams are\n  HTTP/1.1") || contract.contains("upstreams are HTTP/1.1"),
                contract);
        assertTrue(contract.contains("`protocol: h2`") && contract.contains("`h2c`")
                && contract.contains("`protocol: http1`"), contract);
    }
}
