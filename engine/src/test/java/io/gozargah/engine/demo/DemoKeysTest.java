package io.gozargah.engine.demo;

import io.gozargah.engine.journal.CheckpointKeys;
import io.gozargah.engine.subject.SubjectKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoKeysTest {
    @TempDir
    Path dir;

    @Test
    void shouldMakeTheKeysOnceAndKeepThem() throws Exception {
        Path keys = dir.resolve("data").resolve("keys");
        assertTrue(DemoKeys.ensure(keys));
        byte[] hash = SubjectKey.read(keys.resolve(DemoKeys.SUBJECT_KEY)).hash("national-code", "0012345679");
        CheckpointKeys.readPrivate(keys.resolve(DemoKeys.SIGNING_KEY));
        assertTrue(Files.isRegularFile(keys.resolve(DemoKeys.PUBLIC_KEY)));

        assertFalse(DemoKeys.ensure(keys), "a second start keeps them");
        assertArrayEquals(hash, SubjectKey.read(keys.resolve(DemoKeys.SUBJECT_KEY)).hash("national-code",
                "0012345679"));
        try (Stream<Path> left = Files.list(keys.getParent())) {
            assertEquals(1, left.count(), "no working folder left behind");
        }
    }

    @Test
    void shouldRefuseAFolderWithoutTheKeys() throws Exception {
        Path keys = Files.createDirectories(dir.resolve("keys"));
        SubjectKey.generate(keys.resolve(DemoKeys.SUBJECT_KEY));
        IOException e = assertThrows(IOException.class, () -> DemoKeys.ensure(keys));
        assertTrue(e.getMessage().contains("holds no signing.key"), e.getMessage());
    }
}
