package io.gozargah.engine.journal;

import io.gozargah.engine.keyfile.KeyFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * The Ed25519 keys of signed checkpoints, by the JDK alone: the private key in a PKCS#8 PEM file
 * ({@code journal.signingKeyFile}), the public key in an X.509 SubjectPublicKeyInfo PEM file (what
 * {@code journal verify --public-key} takes, and what {@code openssl pkey -pubout} writes), and the key id a
 * checkpoint names its signer by: the first 8 bytes of SHA-256 of the public key's encoding.
 */
public final class CheckpointKeys {
    static final String ALGORITHM = "Ed25519";
    private static final String PRIVATE = "PRIVATE KEY";
    private static final String PUBLIC = "PUBLIC KEY";

    private CheckpointKeys() {
    }

    /**
     * Makes a new key pair: the private key into {@code privateFile} (owner-only), the public one into
     * {@code publicFile}; neither may exist.
     *
     * @return the public key's id, in hex
     */
    public static String generate(Path privateFile, Path publicFile) throws IOException {
        KeyPair pair;
        try {
            pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java 15+ platform has Ed25519", e);
        }
        if (Files.exists(publicFile)) {
            throw new java.nio.file.FileAlreadyExistsException(publicFile.toString());
        }
        KeyFile.writeOwnerOnly(privateFile, pem(PRIVATE, pair.getPrivate().getEncoded()));
        KeyFile.writePublic(publicFile, pem(PUBLIC, pair.getPublic().getEncoded()));
        return java.util.HexFormat.of().formatHex(keyId(pair.getPublic()));
    }

    /**
     * Reads a private key file.
     *
     * @throws IOException if it cannot be read
     * @throws IllegalArgumentException saying what is wrong with its content
     */
    public static PrivateKey readPrivate(Path file) throws IOException {
        byte[] der = der(Files.readString(file, StandardCharsets.US_ASCII), PRIVATE);
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 private key (" + e.getMessage() + ")");
        }
    }

    /**
     * Reads a public key file.
     *
     * @throws IOException if it cannot be read
     * @throws IllegalArgumentException saying what is wrong with its content
     */
    public static PublicKey readPublic(Path file) throws IOException {
        byte[] der = der(Files.readString(file, StandardCharsets.US_ASCII), PUBLIC);
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key (" + e.getMessage() + ")");
        }
    }

    /** The public key of a private one: Ed25519's is derived from it, so a file need not hold both. */
    public static PublicKey publicOf(PrivateKey key) {
        try {
            // The JDK's PKCS#8 encoding of an Ed25519 key ends in its 32-byte seed and holds no public key. The
            // JDK's generator draws exactly such a seed from its random source and derives the public key from it:
            // given the seed as that source, it makes this key's own public key.
            byte[] seed = Arrays.copyOfRange(key.getEncoded(), key.getEncoded().length - 32, key.getEncoded().length);
            KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
            generator.initialize(new java.security.spec.NamedParameterSpec(ALGORITHM), new FixedSeed(seed));
            return generator.generateKeyPair().getPublic();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java 15+ platform has Ed25519", e);
        }
    }

    /** The first 8 bytes of SHA-256 of the public key's X.509 encoding. */
    public static byte[] keyId(PublicKey key) {
        try {
            return Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()), 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static byte[] pem(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return ("-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] der(String text, String label) {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("expected a PEM block " + begin + " ... " + end
                    + " (gozargah keygen --signing-key makes one)");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the PEM block is not valid base64");
        }
    }

    /** A "random" source that yields one seed: how the JDK derives an Ed25519 key pair from a private key. */
    private static final class FixedSeed extends java.security.SecureRandom {
        private static final long serialVersionUID = 1L;
        private final byte[] seed;

        FixedSeed(byte[] seed) {
            this.seed = seed;
        }

        @Override
        public void nextBytes(byte[] bytes) {
            System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
        }
    }
}
