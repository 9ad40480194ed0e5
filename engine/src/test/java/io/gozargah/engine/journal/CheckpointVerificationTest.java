package io.gozargah.engine.journal;

import io.gozargah.codec.journal.CheckpointFlyweight;
import io.gozargah.codec.journal.RecordType;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import io.gozargah.engine.subject.SubjectKey;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What signed checkpoints catch: an insider with the journal's files but not the signing key, who changes a record
 * and recomputes the chain after it, or removes a checkpoint; and a public key that is not the signer's.
 */
class CheckpointVerificationTest {
    @TempDir
    static Path work;
    private static Path journal;
    private static PublicKey publicKey;

    @TempDir
    Path copy;

    @BeforeAll
    static void writeSignedJournal() throws Exception {
        SignedSubjectJournal.write(work);
        journal = work.resolve("journal");
        publicKey = CheckpointKeys.readPublic(work.resolve("signing.key.pub"));
    }

    private static JournalVerifier verify(Path dir, PublicKey key) {
        try (JournalReader reader = JournalReader.open(dir)) {
            JournalVerifier verifier = new JournalVerifier(reader.names(), false, key);
            reader.readAvailable(verifier);
            return verifier;
        }
    }

    private static List<SyntheticJournal.Excerpt> checkpoints(List<SyntheticJournal.Excerpt> excerpts) {
        return excerpts.stream().filter(e -> e.type() == RecordType.CHECKPOINT).toList();
    }

    @Test
    void shouldVerifyEveryCheckpointOfTheJournalAsWritten() {
        JournalVerifier v = verify(journal, publicKey);
        assertFalse(v.failed(), String.valueOf(v.problem()));
        assertEquals(2, v.checkpoints(), "one signed at each close");
        JournalVerifier.Checkpoint last = v.lastVerified();
        assertNotNull(last);
        assertEquals(2, last.sequence());
        assertEquals(v.records(), last.recordCount(), "the last close signed every record");
        assertEquals(v.chainHead(), last.chainHead());
        assertTrue(last.signed());
        assertEquals(0, v.recordsAfterLastCheckpoint());
    }

    @Test
    void shouldCatchARecordChangedAndTheChainRecomputedByWhoeverLacksTheSigningKey() {
        List<SyntheticJournal.Excerpt> excerpts = new ArrayList<>(SyntheticJournal.excerpts(journal));
        int changed = -1;
        for (int i = 0; i < excerpts.size() && changed < 0; i++) {
            SyntheticJournal.Excerpt e = excerpts.get(i);
            if (e.type() == RecordType.TRANSACTION && new TransactionRecordFlyweight()
                    .wrapForRead(new UnsafeBuffer(e.bytes()), 0).hasSubject()) {
                changed = i;
            }
        }
        byte[] record = excerpts.get(changed).bytes().clone();
        new TransactionRecordFlyweight().wrapForRead(new UnsafeBuffer(record), 0).subjectHash(1, 2); // a lookup hidden
        excerpts.set(changed, new SyntheticJournal.Excerpt(RecordType.TRANSACTION, record));
        JournalChain chain = new JournalChain();
        chain.reset();
        for (SyntheticJournal.Excerpt e : excerpts) {
            if (e.type() == RecordType.TRANSACTION || e.type() == RecordType.REFUSAL_SUMMARY) {
                chain.seal(e.bytes(), 0, e.bytes().length);
            }
        }
        SyntheticJournal.write(copy, excerpts);

        JournalVerifier unsigned = verify(copy, null);
        JournalVerifier signed = verify(copy, publicKey);
        for (JournalVerifier v : new JournalVerifier[] {unsigned, signed}) {
            assertTrue(v.failed(), "the recomputed chain alone would pass; the checkpoint does not");
            assertTrue(v.problem().what().contains("checkpoint 1: the chain head it signed is not the journal's"),
                    v.problem().toString());
            assertNull(v.lastVerified(), "nothing after the change is vouched for");
        }
    }

    @Test
    void shouldCatchACheckpointWhoseHeadWasRewrittenToMatchARecomputedChain() {
        List<SyntheticJournal.Excerpt> excerpts = new ArrayList<>(SyntheticJournal.excerpts(journal));
        SyntheticJournal.Excerpt first = checkpoints(excerpts).get(0);
        byte[] forged = first.bytes().clone();
        forged[CheckpointFlyweight.RECORD_COUNT_OFFSET] ^= 1;
        excerpts.set(excerpts.indexOf(first), new SyntheticJournal.Excerpt(RecordType.CHECKPOINT, forged));
        SyntheticJournal.write(copy, excerpts);

        JournalVerifier v = verify(copy, publicKey);
        assertTrue(v.failed());
        assertTrue(v.problem().what().contains("checkpoint 1: its signature does not verify"), v.problem().toString());
    }

    @Test
    void shouldCatchARemovedCheckpoint() {
        List<SyntheticJournal.Excerpt> excerpts = new ArrayList<>(SyntheticJournal.excerpts(journal));
        excerpts.remove(checkpoints(excerpts).get(0));
        SyntheticJournal.write(copy, excerpts);

        JournalVerifier v = verify(copy, publicKey);
        assertTrue(v.failed());
        assertTrue(v.problem().what().contains("checkpoint 2: checkpoint 1 is missing: removed"), v.problem().toString());
    }

    @Test
    void shouldRefuseAPublicKeyThatIsNotTheSigners() throws Exception {
        CheckpointKeys.generate(copy.resolve("other.key"), copy.resolve("other.key.pub"));
        JournalVerifier v = verify(journal, CheckpointKeys.readPublic(copy.resolve("other.key.pub")));
        assertTrue(v.failed());
        assertTrue(v.problem().what().contains("signed by key"), v.problem().toString());
        assertTrue(v.problem().what().contains("not by the public key given"), v.problem().toString());
        assertNull(v.lastVerified());
    }

    @Test
    void shouldDeriveTheSignersPublicKeyFromItsPrivateKey() throws Exception {
        assertEquals(publicKey, CheckpointKeys.publicOf(CheckpointKeys.readPrivate(work.resolve("signing.key"))));
    }

    /** The subject's own bytes are nowhere in the journal's files: only its keyed hash is. */
    @Test
    void shouldKeepTheSubjectItselfOutOfEveryJournalFile() throws Exception {
        byte[] subject = SignedSubjectJournal.SUBJECT.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(journal)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertTrue(files.size() >= 3, "cycle files, ring, metadata: " + files);
        for (Path f : files) {
            byte[] bytes = Files.readAllBytes(f);
            assertEquals(-1, indexOf(bytes, subject), f + " holds the subject");
        }
        byte[] hash = SubjectKey.read(work.resolve("subject.key"))
                .hash(SignedSubjectJournal.KIND, SignedSubjectJournal.SUBJECT);
        boolean found = false;
        for (Path f : files) {
            found |= indexOf(Files.readAllBytes(f), hash) >= 0;
        }
        assertTrue(found, "its hash is there: the search above looks at the right files");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
