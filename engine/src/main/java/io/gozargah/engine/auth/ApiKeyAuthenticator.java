package io.gozargah.engine.auth;

import io.gozargah.codec.http1.HeaderBlock;
import io.gozargah.codec.http1.KnownHeaders;
import io.gozargah.engine.route.Consumer;
import io.gozargah.engine.route.RoutingSnapshot;
import io.netty.buffer.ByteBuf;

import java.security.DigestException;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Identifies the consumer of a request by its {@code X-Api-Key}: the key's SHA-256 is looked up among
 * the configured hashes (keys themselves are never stored). Deny by default: a missing, repeated,
 * oversized or unknown key identifies nobody. Hashing uses the event loop's digest and scratch arrays,
 * so it allocates nothing.
 */
public final class ApiKeyAuthenticator {

    /** Why authentication failed, for the problem detail. */
    public enum Failure { NONE, MISSING, AMBIGUOUS, UNKNOWN }

    private final MessageDigest sha256;
    private final byte[] keyScratch;
    private final byte[] digest;
    private Failure failure = Failure.NONE;
    private byte[] lastKey;
    private int lastKeyLength;
    private RoutingSnapshot lastSnapshot;
    private Consumer lastConsumer;

    public ApiKeyAuthenticator(MessageDigest sha256, byte[] keyScratch, byte[] digestScratch) {
        this.sha256 = sha256;
        this.keyScratch = keyScratch;
        this.digest = digestScratch;
    }

    /** The consumer, or null with {@link #failure()} saying why. */
    public Consumer authenticate(RoutingSnapshot snapshot, HeaderBlock headers) {
        int index = -1;
        for (int i = 0; i < headers.size(); i++) {
            if (headers.id(i) == KnownHeaders.X_API_KEY) {
                if (index >= 0) {
                    failure = Failure.AMBIGUOUS;
                    return null;
                }
                index = i;
            }
        }
        if (index < 0 || headers.valueLength(index) == 0) {
            failure = Failure.MISSING;
            return null;
        }
        int length = headers.valueLength(index);
        if (length > keyScratch.length) {
            failure = Failure.UNKNOWN;
            return null;
        }
        ByteBuf buf = headers.buffer();
        buf.getBytes(headers.valueStart(index), keyScratch, 0, length);
        return lookup(snapshot, length);
    }

    /**
     * As {@link #authenticate(RoutingSnapshot, HeaderBlock)} for a front end that has the key as text (HTTP/2):
     * {@code key} is the only {@code x-api-key} value when {@code count} is 1.
     */
    public Consumer authenticate(RoutingSnapshot snapshot, CharSequence key, int count) {
        if (count > 1) {
            failure = Failure.AMBIGUOUS;
            return null;
        }
        if (count == 0 || key.length() == 0) {
            failure = Failure.MISSING;
            return null;
        }
        int length = key.length();
        if (length > keyScratch.length) {
            failure = Failure.UNKNOWN;
            return null;
        }
        for (int i = 0; i < length; i++) {
            keyScratch[i] = (byte) key.charAt(i);
        }
        return lookup(snapshot, length);
    }

    /** The consumer of the {@code length} key bytes in the scratch array. */
    private Consumer lookup(RoutingSnapshot snapshot, int length) {
        if (lastConsumer != null && lastSnapshot == snapshot && lastKeyLength == length
                && Arrays.equals(keyScratch, 0, length, lastKey, 0, length)) {
            failure = Failure.NONE;
            return lastConsumer;
        }
        sha256.reset();
        sha256.update(keyScratch, 0, length);
        try {
            sha256.digest(digest, 0, digest.length);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 digest is 32 bytes", e);
        }
        Consumer consumer = snapshot.consumerByKeyHash(digest);
        failure = consumer == null ? Failure.UNKNOWN : Failure.NONE;
        if (consumer != null) {
            if (lastKey == null || lastKey.length < length) {
                lastKey = new byte[length];
            }
            System.arraycopy(keyScratch, 0, lastKey, 0, length);
            lastKeyLength = length;
            lastSnapshot = snapshot;
            lastConsumer = consumer;
        }
        return consumer;
    }

    public Failure failure() {
        return failure;
    }

    /** Whether the last request presented any X-Api-Key (valid or not). */
    public boolean keyPresented() {
        return failure != Failure.MISSING;
    }

    /** Detail text for a 401. */
    public String failureDetail() {
        switch (failure) {
            case MISSING: return "an X-Api-Key header is required";
            case AMBIGUOUS: return "more than one X-Api-Key header";
            default: return "the API key is not valid";
        }
    }
}
