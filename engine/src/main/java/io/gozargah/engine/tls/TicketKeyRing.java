package io.gozargah.engine.tls;

import io.netty.handler.ssl.OpenSslSessionTicketKey;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;

/**
 * The session ticket keys of one listener, newest first. The newest key seals every new ticket; a key that a
 * rotation replaced keeps opening the tickets it sealed for {@code graceNanos} (the session lifetime, so that no
 * ticket still valid is refused), and is then forgotten, so that a key read out of memory stops opening
 * recorded sessions (RFC 5077 §5.5, RFC 8446 §4.6.1). BoringSSL renews a ticket opened by an older key, so a
 * client that keeps coming back moves to the newest key.
 *
 * <p>Not thread-safe: its owner ({@link ServerTls}) calls it under its own lock, off the event loops.
 */
final class TicketKeyRing {
    private record Key(OpenSslSessionTicketKey key, long replacedAtNanos) {
    }

    private final SecureRandom random;
    private final long graceNanos;
    /** Newest first; the newest has no replacement time yet. */
    private final ArrayDeque<Key> keys = new ArrayDeque<>();

    TicketKeyRing(SecureRandom random, long graceNanos) {
        this.random = random;
        this.graceNanos = graceNanos;
        keys.addFirst(new Key(newKey(), Long.MAX_VALUE));
    }

    /** A new key takes over sealing at {@code nowNanos}; keys replaced more than the grace period ago go. */
    void rotate(long nowNanos) {
        Key newest = keys.removeFirst();
        keys.addFirst(new Key(newest.key(), nowNanos));
        keys.addFirst(new Key(newKey(), Long.MAX_VALUE));
        for (Iterator<Key> it = keys.descendingIterator(); it.hasNext(); ) {
            Key k = it.next();
            if (k.replacedAtNanos() != Long.MAX_VALUE && nowNanos - k.replacedAtNanos() >= graceNanos) {
                it.remove();
            }
        }
    }

    /** The keys to hand to the TLS context: the sealing key first, then those that still only open. */
    OpenSslSessionTicketKey[] keys() {
        return keys.stream().map(Key::key).toArray(OpenSslSessionTicketKey[]::new);
    }

    private OpenSslSessionTicketKey newKey() {
        byte[] name = new byte[OpenSslSessionTicketKey.NAME_SIZE];
        byte[] hmac = new byte[OpenSslSessionTicketKey.HMAC_KEY_SIZE];
        byte[] aes = new byte[OpenSslSessionTicketKey.AES_KEY_SIZE];
        random.nextBytes(name);
        random.nextBytes(hmac);
        random.nextBytes(aes);
        OpenSslSessionTicketKey key = new OpenSslSessionTicketKey(name, hmac, aes);
        Arrays.fill(hmac, (byte) 0);
        Arrays.fill(aes, (byte) 0);
        return key;
    }
}
