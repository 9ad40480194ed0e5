package io.gozargah.engine.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The admin bearer token, kept only as its SHA-256. A presented token is hashed and compared with
 * {@link MessageDigest#isEqual}, which takes the same time whatever the content; comparing equal-length
 * digests also hides the token's length.
 */
final class AdminToken {
    private final byte[] digest;

    AdminToken(String token) {
        this.digest = sha256(token.getBytes(StandardCharsets.US_ASCII));
    }

    boolean matches(byte[] presented) {
        return MessageDigest.isEqual(digest, sha256(presented));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
