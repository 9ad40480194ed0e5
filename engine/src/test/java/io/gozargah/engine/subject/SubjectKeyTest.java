package io.gozargah.engine.subject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SubjectKeyTest {
    @TempDir
    Path dir;

    @Test
    void shouldHashKindZeroSubjectWithHmacSha256TruncatedTo16Bytes() throws Exception {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 3);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        byte[] expected = Arrays.copyOf(mac.doFinal("national-code\u00000012345679".getBytes(StandardCharsets.US_ASCII)),
                16);
        assertArrayEquals(expected, SubjectKey.of(key).hash("national-code", "0012345679"));
    }

    @Test
    void shouldWriteANewOwnerOnlyKeyFileAndReadItBack() throws Exception {
        Path file = dir.resolve("subject.key");
        SubjectKey.generate(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(Files.readString(file).strip().matches("[0-9a-f]{64}"));
        SubjectKey read = SubjectKey.read(file);
        assertArrayEquals(read.hash("k", "v"), SubjectKey.read(file).hash("k", "v"));
        assertThrows(FileAlreadyExistsException.class, () -> SubjectKey.generate(file), "never over another key");
    }

    @Test
    void shouldRefuseAKeyFileThatIsNotAKey() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.key"), "not a key\n");
        assertThrows(IllegalArgumentException.class, () -> SubjectKey.read(file));
        Files.writeString(file, HexFormat.of().formatHex(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> SubjectKey.read(file));
        Files.writeString(file, "zz".repeat(32));
        assertThrows(IllegalArgumentException.class, () -> SubjectKey.read(file));
    }
}
