package io.gozargah.engine.subject;

import io.gozargah.engine.keyfile.KeyFile;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The secret that turns a subject (a national code, a postal code) into the 16 bytes the journal keeps:
 * HMAC-SHA-256(key, kind ‖ 0x00 ‖ subject), truncated to its first {@value #HASH_LENGTH} bytes. The zero byte
 * keeps kind and subject apart (kinds never hold one), so {@code ("ab", "1")} and {@code ("a", "b1")} differ.
 * Without the key the journal says nothing about whom a transaction was about, not even by trying every national
 * code (a keyed hash, unlike a plain one, cannot be tabulated); with it, one subject's transactions are found
 * by hashing the subject once.
 *
 * <p>The key file ({@code journal.subjectKeyFile}, made by {@code gozargah keygen --subject-key FILE}) holds the
 * {@value #KEY_LENGTH}-byte key as one line of hexadecimal. The hash is computed by a {@link Mac} of each thread's
 * own (a Mac is not thread-safe), made on the thread's first use and reused: nothing is allocated per hash.
 */
public final class SubjectKey {
    public static final int KEY_LENGTH = 32;
    public static final int HASH_LENGTH = 16;
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;
    /** Each thread's room for the full 32-byte HMAC before it is truncated. */
    private final ThreadLocal<byte[]> macScratch = ThreadLocal.withInitial(() -> new byte[32]);

    private SubjectKey(byte[] key) {
        this.key = new SecretKeySpec(key, ALGORITHM);
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    /** A key of these bytes (tests). */
    public static SubjectKey of(byte[] key) {
        if (key.length != KEY_LENGTH) {
            throw new IllegalArgumentException("a subject key is " + KEY_LENGTH + " bytes, not " + key.length);
        }
        return new SubjectKey(key.clone());
    }

    /**
     * Reads a key file.
     *
     * @throws IOException if it cannot be read
     * @throws IllegalArgumentException saying what is wrong with its content
     */
    public static SubjectKey read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (text.length() != 2 * KEY_LENGTH) {
            throw new IllegalArgumentException("a subject key file holds " + 2 * KEY_LENGTH
                    + " hexadecimal digits (gozargah keygen --subject-key makes one), this one " + text.length()
                    + " characters");
        }
        try {
            return new SubjectKey(HexFormat.of().parseHex(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a subject key file holds hexadecimal digits only"
                    + " (gozargah keygen --subject-key makes one)");
        }
    }

    /**
     * Writes a new random key to {@code file}, readable by its owner only, and never over an existing file (a
     * replaced key would make every earlier subject hash unfindable).
     *
     * @throws FileAlreadyExistsException if the file exists
     */
    public static void generate(Path file) throws IOException {
        byte[] key = new byte[KEY_LENGTH];
        new SecureRandom().nextBytes(key);
        byte[] line = (HexFormat.of().formatHex(key) + "\n").getBytes(StandardCharsets.US_ASCII);
        KeyFile.writeOwnerOnly(file, line);
    }

    /**
     * The subject hash of {@code subject[offset, offset + length)} as {@code kind}, into {@code out[0, 16)}: on the
     * calling thread's own Mac, allocating nothing.
     */
    public void hash(byte[] kind, byte[] subject, int offset, int length, byte[] out) {
        Mac mac = macs.get();
        mac.update(kind);
        mac.update((byte) 0);
        mac.update(subject, offset, length);
        byte[] full = macScratch.get();
        try {
            mac.doFinal(full, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("an HMAC-SHA-256 is 32 bytes", e);
        }
        System.arraycopy(full, 0, out, 0, HASH_LENGTH);
    }

    /** The subject hash of {@code subject} (UTF-8) as {@code kind}, 16 bytes: for the commands that look one up. */
    public byte[] hash(String kind, String subject) {
        byte[] bytes = subject.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[HASH_LENGTH];
        hash(kind.getBytes(StandardCharsets.US_ASCII), bytes, 0, bytes.length, out);
        return out;
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has HmacSHA256", e);
        }
    }
}
