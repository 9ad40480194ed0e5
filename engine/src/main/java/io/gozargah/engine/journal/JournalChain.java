package io.gozargah.engine.journal;

import io.gozargah.codec.journal.TransactionRecordFlyweight;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The journal's hash chain (see {@link TransactionRecordFlyweight}): each transaction record's chain hash is
 * SHA-256 over the previous record's chain hash followed by the record's own bytes up to its chain hash field.
 * The first record of a journal chains from {@link #GENESIS}. One instance per thread; it keeps the latest
 * chain value and allocates nothing per record.
 */
public final class JournalChain {
    /** The chain value before the first record: 32 zero bytes. */
    private static final byte[] GENESIS = new byte[TransactionRecordFlyweight.CHAIN_HASH_LENGTH];

    private final MessageDigest sha256;
    private final byte[] last = new byte[TransactionRecordFlyweight.CHAIN_HASH_LENGTH];
    private final byte[] expected = new byte[TransactionRecordFlyweight.CHAIN_HASH_LENGTH];

    public JournalChain() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** Starts over from {@link #GENESIS}. */
    public void reset() {
        System.arraycopy(GENESIS, 0, last, 0, last.length);
    }

    /** Continues from {@code chainHash} (32 bytes at {@code offset}), e.g. the last record already journaled. */
    public void continueFrom(byte[] chainHash, int offset) {
        System.arraycopy(chainHash, offset, last, 0, last.length);
    }

    /**
     * Computes the chain hash of the record in {@code record[offset, offset + length)}, whose last 32 bytes are
     * its chain hash field, writes it there, and makes it the chain's latest value.
     */
    public void seal(byte[] record, int offset, int length) {
        int covered = length - TransactionRecordFlyweight.CHAIN_HASH_LENGTH;
        sha256.update(last, 0, last.length);
        sha256.update(record, offset, covered);
        digest(record, offset + covered);
        System.arraycopy(record, offset + covered, last, 0, last.length);
    }

    /**
     * True when the record in {@code record[offset, offset + length)} carries the chain hash that follows the
     * chain's latest value. Either way the chain moves on to the record's stored hash, so one broken link is
     * reported once rather than for every record after it.
     */
    public boolean verifyAndAdvance(byte[] record, int offset, int length) {
        int covered = length - TransactionRecordFlyweight.CHAIN_HASH_LENGTH;
        sha256.update(last, 0, last.length);
        sha256.update(record, offset, covered);
        digest(expected, 0);
        boolean ok = Arrays.equals(expected, 0, expected.length, record, offset + covered, offset + length);
        System.arraycopy(record, offset + covered, last, 0, last.length);
        return ok;
    }

    private void digest(byte[] dst, int offset) {
        try {
            sha256.digest(dst, offset, TransactionRecordFlyweight.CHAIN_HASH_LENGTH);
        } catch (DigestException e) {
            throw new IllegalStateException("a SHA-256 is 32 bytes", e);
        }
    }

    /** Copies the chain's latest value (32 bytes) into {@code dst} at {@code offset}. */
    public void latest(byte[] dst, int offset) {
        System.arraycopy(last, 0, dst, offset, last.length);
    }
}
