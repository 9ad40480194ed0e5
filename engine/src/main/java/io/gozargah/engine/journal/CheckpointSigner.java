package io.gozargah.engine.journal;

import io.gozargah.codec.journal.CheckpointFlyweight;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;

/**
 * Signs checkpoints with the journal's Ed25519 private key ({@code journal.signingKeyFile}): the writer's, on its
 * own thread, once per checkpoint interval and at close, never per record.
 */
public final class CheckpointSigner {
    private final Signature signature;
    private final byte[] keyId;

    public CheckpointSigner(PrivateKey key) {
        try {
            this.signature = Signature.getInstance(CheckpointKeys.ALGORITHM);
            this.signature.initSign(key);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign with this key: " + e.getMessage(), e);
        }
        this.keyId = CheckpointKeys.keyId(CheckpointKeys.publicOf(key));
    }

    /** The id of the public key that checks this signer's checkpoints (8 bytes). */
    public byte[] keyId() {
        return keyId.clone();
    }

    /** Sets the key id and signs the checkpoint {@code checkpoint} wraps, whose other fields are set. */
    public void sign(CheckpointFlyweight checkpoint, byte[] scratch) {
        checkpoint.keyId(keyId, 0);
        checkpoint.getSignedBytes(scratch, 0);
        try {
            signature.update(scratch, 0, CheckpointFlyweight.SIGNATURE_OFFSET);
            checkpoint.signature(signature.sign(), 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing a checkpoint failed", e);
        }
    }
}
