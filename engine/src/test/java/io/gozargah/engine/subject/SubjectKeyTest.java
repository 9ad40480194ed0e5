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
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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

    /** javax.crypto's HMAC-SHA-256 of kind ‖ 0x00 ‖ subject, truncated to 16 bytes: what the issue defines. */
    private static byte[] reference(byte[] key, byte[] kind, byte[] subject) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        mac.update(kind);
        mac.update((byte) 0);
        mac.update(subject);
        return Arrays.copyOf(mac.doFinal(), 16);
    }

    @Test
    void shouldMatchJavaxCryptoForEveryKeyKindAndSubjectLength() throws Exception {
        SplittableRandom random = new SplittableRandom(20);
        byte[] out = new byte[16];
        for (int round = 0; round < 300; round++) {
            byte[] key = new byte[32];
            random.nextBytes(key);
            byte[] kind = ("kind-" + round).getBytes(StandardCharsets.US_ASCII);
            // Lengths across SHA-256's 64-byte block edges, each at an offset inside a larger array.
            byte[] subject = new byte[round % 150];
            random.nextBytes(subject);
            byte[] padded = new byte[subject.length + 9];
            System.arraycopy(subject, 0, padded, 5, subject.length);
            SubjectKey k = SubjectKey.of(key);
            k.hash(kind, padded, 5, subject.length, out);
            assertArrayEquals(reference(key, kind, subject), out, "round " + round);
        }
    }

    @Test
    void shouldHashAsTheCommandsDoWhatTheGatewayHashesFromBytes() throws Exception {
        byte[] key = new byte[32];
        new SplittableRandom(7).nextBytes(key);
        SubjectKey k = SubjectKey.of(key);
        byte[] fromBytes = new byte[16];
        byte[] subject = "0012345679".getBytes(StandardCharsets.US_ASCII);
        k.hash("national-code".getBytes(StandardCharsets.US_ASCII), subject, 0, subject.length, fromBytes);
        assertArrayEquals(fromBytes, k.hash("national-code", "0012345679"), "journal subject's hash (String)");
        assertArrayEquals(reference(key, "national-code".getBytes(StandardCharsets.US_ASCII), subject), fromBytes);
    }

    @Test
    void shouldAllocateNothingPerHash() {
        java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "a JVM that counts allocated bytes");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        SubjectKey k = SubjectKey.of(new byte[32]);
        byte[] kind = "national-code".getBytes(StandardCharsets.US_ASCII);
        byte[] subject = "0012345679".getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[16];
        for (int i = 0; i < 20_000; i++) {
            k.hash(kind, subject, 0, subject.length, out); // the thread's digest made, the code compiled
        }
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 10_000; i++) {
            k.hash(kind, subject, 0, subject.length, out);
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        // javax.crypto.Mac.doFinal allocates at least 32 bytes a call (320,000 here); a few hundred bytes of the
        // measurement itself are allowed for.
        assertTrue(allocated < 4_096, allocated + " bytes for 10,000 hashes");
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
