package io.gozargah.engine.journal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;

/**
 * How the writer puts one whole excerpt into the queue. {@link #RESERVED}, the gateway's, reserves the room on disk
 * first; tests put one in its place that fails at a chosen byte of the queue, as a full disk would
 * ({@link JournalSpaceException}, nothing written) or as a fault in the middle of the copy would (a torn excerpt,
 * then an error).
 */
@FunctionalInterface
interface QueueAppend {
    /** Chronicle's header before an excerpt, and at most the padding after it to the next 4-byte boundary. */
    int FRAMING_BYTES = 8;

    /** Room first, then the append: nothing is written when there is no room. */
    QueueAppend RESERVED = (space, appender, cycle, excerpt) -> {
        space.reserve(appender, cycle, excerpt.readRemaining() + FRAMING_BYTES);
        appender.writeBytes(excerpt);
    };

    /**
     * Appends the readable bytes of {@code excerpt} as one excerpt with {@code appender}, into roll cycle
     * {@code cycle}, its room reserved with {@code space}.
     *
     * @throws JournalSpaceException when there is no room; nothing was written
     */
    void append(QueueSpace space, ExcerptAppender appender, int cycle, Bytes<?> excerpt);
}
