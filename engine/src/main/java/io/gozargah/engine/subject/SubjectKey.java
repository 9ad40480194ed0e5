package io.gozargah.engine.subject;

import io.gozargah.engine.keyfile.KeyFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
 * {@value #KEY_LENGTH}-byte key as one line of hexadecimal.
 *
 * <p>The HMAC is computed here from its definition (RFC 2104: SHA-256(K ⊕ opad ‖ SHA-256(K ⊕ ipad ‖ m))) on a SHA-256
 * {@link MessageDigest} of each thread's own, made on the thread's first use and reused, digesting into a reused
 * array: {@code javax.crypto.Mac.doFinal} allocates its result (and the JDK's HMAC an inner digest) on every call,
 * which on the event loops would be two arrays per request. Equal to {@code Mac.getInstance("HmacSHA256")}'s, as
 * {@code SubjectKeyTest} checks.
 */
public final class SubjectKey {
    public static final int KEY_LENGTH = 32;
    public static final int HASH_LENGTH = 16;
    /** SHA-256's block and digest lengths (FIPS 180-4). */
    private static final int BLOCK_LENGTH = 64;
    private static final int DIGEST_LENGTH = 32;

    /** The key, zero-padded to a block, XOR 0x36 and XOR 0x5c (RFC 2104 §2); read only once built. */
    private final byte[] innerPad = new byte[BLOCK_LENGTH];
    private final byte[] outerPad = new byte[BLOCK_LENGTH];
    private final ThreadLocal<Hmac> hmacs = ThreadLocal.withInitial(Hmac::new);

    /** A thread's digest and the room for the inner hash and the full HMAC. */
    private static final class Hmac {
        final MessageDigest sha256;
        final byte[] inner = new byte[DIGEST_LENGTH];
        final byte[] full = new byte[DIGEST_LENGTH];

        Hmac() {
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform has SHA-256", e);
            }
        }
    }

    private SubjectKey(byte[] key) {
        for (int i = 0; i < BLOCK_LENGTH; i++) {
            byte k = i < key.length ? key[i] : 0;
            innerPad[i] = (byte) (k ^ 0x36);
            outerPad[i] = (byte) (k ^ 0x5c);
        }
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
     * calling thread's own digest, allocating nothing.
     */
    public void hash(byte[] kind, byte[] subject, int offset, int length, byte[] out) {
        Hmac h = hmacs.get();
        MessageDigest d = h.sha256;
        try {
            d.update(innerPad);
            d.update(kind);
            d.update((byte) 0);
            d.update(subject, offset, length);
            d.digest(h.inner, 0, DIGEST_LENGTH);
            d.update(outerPad);
            d.update(h.inner);
            d.digest(h.full, 0, DIGEST_LENGTH);
        } catch (DigestException e) {
            throw new IllegalStateException("a SHA-256 digest is 32 bytes", e);
        }
        System.arraycopy(h.full, 0, out, 0, HASH_LENGTH);
    }

    /** The subject hash of {@code subject} (UTF-8) as {@code kind}, 16 bytes: for the commands that look one up. */
    public byte[] hash(String kind, String subject) {
        byte[] bytes = subject.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[HASH_LENGTH];
        hash(kind.getBytes(StandardCharsets.US_ASCII), bytes, 0, bytes.length, out);
        return out;
    }
}
