package io.gozargah.engine.journal;

import io.gozargah.codec.journal.DictionaryEntryFlyweight;
import io.gozargah.codec.journal.RecordType;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalQueueTest {
    @TempDir
    Path dir;

    @Test
    void shouldReadBackWhatTheWriterAppendedWithTheRollCycleItWasCreatedWith() {
        UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        byte[] record = new byte[TransactionRecordFlyweight.LENGTH_WITHOUT_BODY_HASHES];
        JournalChain chain = new JournalChain();
        try (JournalQueue queue = JournalQueue.openForWrite(dir, LargeRollCycles.LARGE_DAILY, SystemTimeProvider.INSTANCE);
             ExcerptAppender appender = queue.appender()) {
            DictionaryEntryFlyweight entry = new DictionaryEntryFlyweight().wrapForWrite(buffer, 0)
                    .kind(DictionaryEntryFlyweight.KIND_CONSUMER).id(1).name("اسنپ");
            try (DocumentContext dc = appender.writingDocument()) {
                JournalExcerpt.write(dc.wire().bytes(), RecordType.DICTIONARY, buffer, 0, entry.length());
            }
            new TransactionRecordFlyweight().wrapForWrite(new UnsafeBuffer(record), 0, false)
                    .consumerId(1).httpStatus(200).txId(0x0123L, 0x4567L);
            chain.seal(record, 0, record.length);
            try (DocumentContext dc = appender.writingDocument()) {
                JournalExcerpt.write(dc.wire().bytes(), RecordType.TRANSACTION, record, 0, record.length);
            }
        }

        try (JournalQueue queue = JournalQueue.openForRead(dir); ExcerptTailer tailer = queue.tailer()) {
            assertEquals(LargeRollCycles.LARGE_DAILY, queue.rollCycle());
            UnsafeBuffer view = new UnsafeBuffer(0, 0);
            byte[] scratch = new byte[256];
            try (DocumentContext dc = tailer.readingDocument()) {
                assertTrue(dc.isPresent());
                assertEquals(RecordType.DICTIONARY, JournalExcerpt.type(dc.wire().bytes()));
                int length = JournalExcerpt.wrapRecord(dc.wire().bytes(), view, scratch);
                DictionaryEntryFlyweight e = new DictionaryEntryFlyweight().wrapForRead(view, 0);
                assertEquals(length, e.length());
                assertEquals("اسنپ", e.name());
                assertEquals(1, e.id());
            }
            try (DocumentContext dc = tailer.readingDocument()) {
                assertEquals(RecordType.TRANSACTION, JournalExcerpt.type(dc.wire().bytes()));
                int length = JournalExcerpt.wrapRecord(dc.wire().bytes(), view, scratch);
                assertEquals(TransactionRecordFlyweight.LENGTH_WITHOUT_BODY_HASHES, length);
                TransactionRecordFlyweight r = new TransactionRecordFlyweight().wrapForRead(view, 0);
                assertEquals(200, r.httpStatus());
                assertEquals(0x4567L, r.txIdLsb());
                byte[] copy = new byte[length];
                view.getBytes(0, copy);
                assertTrue(new JournalChain().verifyAndAdvance(copy, 0, length));
            }
            try (DocumentContext dc = tailer.readingDocument()) {
                assertFalse(dc.isPresent());
            }
        }
    }

    @Test
    void shouldRefuseToReadADirectoryWithoutAJournal() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JournalQueue.openForRead(dir));
        assertTrue(e.getMessage().contains("no journal"), e.getMessage());
    }

    @Test
    void shouldDetectAFlippedByteThroughTheChain() {
        byte[] a = new byte[TransactionRecordFlyweight.LENGTH_WITHOUT_BODY_HASHES];
        byte[] b = new byte[TransactionRecordFlyweight.LENGTH_WITH_BODY_HASHES];
        a[5] = 1;
        b[7] = 2;
        JournalChain writer = new JournalChain();
        writer.seal(a, 0, a.length);
        writer.seal(b, 0, b.length);

        JournalChain reader = new JournalChain();
        assertTrue(reader.verifyAndAdvance(a, 0, a.length));
        b[40] ^= 1;
        assertFalse(reader.verifyAndAdvance(b, 0, b.length));
    }
}
