package io.gozargah.engine.journal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.Wire;

/**
 * The writer's {@link QueueAppend} with a disk that fills at a chosen byte of the cycle file: an excerpt that would
 * reach past it fails either as the reservation reports a full disk ({@link Fault#NO_ROOM}: nothing written) or as
 * a fault in the middle of Chronicle's copy does ({@link Fault#TORN}: the excerpt is written, complete, with zeros
 * from that byte on, then the JVM's {@code InternalError}). {@link #free()} takes the limit away.
 */
final class FaultyQueueAppend implements QueueAppend {
    enum Fault {
        NO_ROOM, TORN
    }

    private final Fault fault;
    private volatile long failAt = Long.MAX_VALUE;
    private int failures;

    FaultyQueueAppend(Fault fault) {
        this.fault = fault;
    }

    /** From now on an excerpt that reaches byte {@code position} of its cycle file fails. */
    void failAt(long position) {
        failAt = position;
    }

    /** Room again. */
    void free() {
        failAt = Long.MAX_VALUE;
    }

    int failures() {
        return failures;
    }

    @Override
    public void append(QueueSpace space, ExcerptAppender appender, int cycle, Bytes<?> excerpt) {
        Wire wire = appender.wire();
        long position = wire == null ? 0 : wire.bytes().writePosition();
        long length = excerpt.readRemaining();
        long cut = failAt - position - 4; // bytes of the excerpt's body before the limit (Chronicle's header first)
        if (wire == null || cut >= length) {
            RESERVED.append(space, appender, cycle, excerpt);
            return;
        }
        failures++;
        if (fault == Fault.NO_ROOM) {
            throw new JournalSpaceException("no room on disk for the journal past byte " + failAt + " (test)");
        }
        Bytes<?> torn = Bytes.allocateElasticDirect(length);
        try {
            for (long i = 0; i < length; i++) {
                torn.writeByte(i < Math.max(0, cut) ? excerpt.readByte(excerpt.readPosition() + i) : 0);
            }
            appender.writeBytes(torn);
        } finally {
            torn.releaseLast();
        }
        throw new InternalError("a fault occurred in a recent unsafe memory access operation in compiled Java code"
                + " (test, at byte " + failAt + ")");
    }
}
