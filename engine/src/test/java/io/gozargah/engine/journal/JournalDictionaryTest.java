package io.gozargah.engine.journal;

import io.gozargah.codec.journal.DictionaryEntryFlyweight;
import io.gozargah.engine.config.JournalConfig;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static io.gozargah.codec.journal.DictionaryEntryFlyweight.KIND_CONSUMER;
import static io.gozargah.codec.journal.DictionaryEntryFlyweight.KIND_SERVICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class JournalDictionaryTest {
    @TempDir
    Path dir;

    @Test
    void shouldGiveEachNameOneIdThatSurvivesARestart() {
        int snapp;
        int identity;
        try (JournalQueue q = JournalQueue.openForWrite(dir, LargeRollCycles.LARGE_DAILY, SystemTimeProvider.INSTANCE)) {
            JournalDictionary d = JournalDictionary.open(dir, q);
            snapp = d.id(KIND_CONSUMER, "snapp");
            identity = d.id(KIND_SERVICE, "nocr/identity");
            assertEquals(snapp, d.id(KIND_CONSUMER, "snapp"));
            assertNotEquals(snapp, d.id(KIND_SERVICE, "snapp"), "a kind is part of the name");
            assertEquals(1, snapp, "ids start at 1: 0 is none");
        }
        try (JournalQueue q = JournalQueue.openForWrite(dir, LargeRollCycles.LARGE_DAILY, SystemTimeProvider.INSTANCE)) {
            JournalDictionary d = JournalDictionary.open(dir, q);
            assertEquals(identity, d.id(KIND_SERVICE, "nocr/identity"));
            assertEquals(snapp, d.id(KIND_CONSUMER, "snapp"));
            assertEquals(4, d.id(KIND_CONSUMER, "اسنپ"), "new names continue the sequence");
        }
    }

    @Test
    void shouldCutOffAnEntryTornByACrash() throws Exception {
        try (JournalQueue q = JournalQueue.openForWrite(dir, LargeRollCycles.LARGE_DAILY, SystemTimeProvider.INSTANCE)) {
            JournalDictionary.open(dir, q).id(KIND_CONSUMER, "snapp");
        }
        Path file = dir.resolve(JournalDictionary.FILE);
        long whole = Files.size(file);
        Files.write(file, new byte[] {1, 0, 1, 0, 2, 0}, StandardOpenOption.APPEND); // half an entry
        try (JournalQueue q = JournalQueue.openForWrite(dir, LargeRollCycles.LARGE_DAILY, SystemTimeProvider.INSTANCE)) {
            JournalDictionary d = JournalDictionary.open(dir, q);
            assertEquals(1, d.entries().length);
            assertEquals(whole, Files.size(file));
            assertEquals(2, d.id(KIND_CONSUMER, "tapsi"));
        }
    }

    @Test
    void shouldRecoverIdsFromTheQueueWhenTheFileIsGone() throws Exception {
        JournalConfig config = new JournalConfig(true, dir, "LARGE_DAILY", 64 * 1024, 0, null);
        try (Journal journal = Journal.start(config, 1)) {
            journal.dictionary().id(KIND_CONSUMER, "snapp");
            journal.dictionary().id(DictionaryEntryFlyweight.KIND_ENDPOINT, "http://127.0.0.1:9201");
        }
        try (Journal journal = Journal.start(config, 1)) {
            assertEquals(2, journal.dictionary().entries().length, "journaled whole at this start");
        }
        Files.delete(dir.resolve(JournalDictionary.FILE));
        try (JournalQueue q = JournalQueue.openForWrite(dir, LargeRollCycles.LARGE_DAILY, SystemTimeProvider.INSTANCE)) {
            JournalDictionary d = JournalDictionary.open(dir, q);
            assertEquals(2, d.id(DictionaryEntryFlyweight.KIND_ENDPOINT, "http://127.0.0.1:9201"));
            assertEquals(3, d.id(KIND_SERVICE, "nocr/identity"));
        }
        try (JournalQueue q = JournalQueue.openForRead(dir)) {
            assertEquals(3, JournalDictionary.open(dir, q).entries().length, "the file was written anew");
        }
    }
}
