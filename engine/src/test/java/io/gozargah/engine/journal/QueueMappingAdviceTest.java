package io.gozargah.engine.journal;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Finding a queue chunk's mapping in /proc/self/maps (the madvise itself: JournalWriterAgentTest). */
class QueueMappingAdviceTest {
    private static final List<String> MAPS = List.of(
            "garbage that is not a mapping",
            "7f0000000000-7f0004000000 rw-s 00000000 fd:00 1201 /var/lib/gozargah/journal/queue/20261128.cq4",
            "7f0004000000-7f0004100000 rw-p 00000000 00:00 0 ",
            "7f0008000000-7f0008010000 rw-s 00000000 fd:00 1202 /var/lib/gozargah/journal/queue/metadata.cq4t",
            "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]");

    @Test
    void shouldGiveTheWholeMappingOfTheCycleFileThatHoldsTheAddress() {
        assertArrayEquals(new long[] {0x7f0000000000L, 0x7f0004000000L},
                QueueMappingAdvice.mappingOf(MAPS, 0x7f0000000000L));
        assertArrayEquals(new long[] {0x7f0000000000L, 0x7f0004000000L},
                QueueMappingAdvice.mappingOf(MAPS, 0x7f0003ffffffL));
    }

    @Test
    void shouldGiveNothingForAnAddressOutsideEveryCycleFile() {
        assertNull(QueueMappingAdvice.mappingOf(MAPS, 0x7f0004000000L), "the end is not in the mapping; anonymous");
        assertNull(QueueMappingAdvice.mappingOf(MAPS, 0x7f0008000000L), "the queue's metadata is not a cycle file");
        assertNull(QueueMappingAdvice.mappingOf(MAPS, 0x1000L), "mapped by nothing");
        assertNull(QueueMappingAdvice.mappingOf(MAPS, 0xffffffffff600000L), "unsigned addresses compare as such");
        assertNull(QueueMappingAdvice.mappingOf(List.of(), 0x7f0000000000L));
    }
}
