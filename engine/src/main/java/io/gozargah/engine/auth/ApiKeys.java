package io.gozargah.engine.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * API keys as the gateway issues and stores them: a key is {@code gzk_} followed by 32 random bytes in
 * base64url; config stores only its SHA-256, written {@code sha256:<64 hex digits>}.
 */
public final class ApiKeys {
    public static final String KEY_PREFIX = "gzk_";
    public static final String HASH_PREFIX = "sha256:";

    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeys() {
    }

    /** A new random key. */
    public static String generate() {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        return KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    /** SHA-256 of the key's US-ASCII bytes. */
    public static byte[] sha256(String key) {
        return newDigest().digest(key.getBytes(StandardCharsets.US_ASCII));
    }

    /** The config form of the key's hash: {@code sha256:<hex>}. */
    public static String configHash(String key) {
        return HASH_PREFIX + HexFormat.of().formatHex(sha256(key));
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
