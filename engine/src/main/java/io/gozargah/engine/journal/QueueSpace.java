package io.gozargah.engine.journal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.MappedBytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.Wire;
import net.openhft.posix.OpenFlag;
import net.openhft.posix.PosixAPI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Room on disk for the writer's appends, reserved before they are made. Chronicle appends by copying into a
 * memory-mapped cycle file that it grows sparse (its length is set, its blocks are not there yet). On a full
 * file system the kernel cannot give a block to the page a copy first touches, and answers with SIGBUS, which the
 * JVM turns into an {@code InternalError} in the middle of the copy, after Chronicle may have marked the excerpt
 * complete: a torn excerpt in the journal. So before each excerpt the writer asks {@link #reserve}, which makes
 * sure the file has blocks from the append position to past the excerpt's end: with {@code fallocate} (keeping the
 * file's length, so Chronicle's view of it does not change), a few MiB at a time, or, where there is no native
 * access, by writing zeros there (the bytes past the append position are zeros already). A full disk is then an
 * error returned by that call, before any byte of the excerpt is written: {@link JournalSpaceException}.
 *
 * <p>An append that starts a new cycle file (a new roll cycle, or the first of a run) cannot be reserved for:
 * Chronicle creates the file and writes its header and first index during the append. It is let through only
 * while the file system has room for that ({@link #NEW_CYCLE_BYTES}) and the excerpt; the reservation takes over
 * from the next append.
 *
 * <p>Used by the writer's thread only.
 */
class QueueSpace implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QueueSpace.class);

    /** Linux's FALLOC_FL_KEEP_SIZE: allocate blocks, leave the file's length alone. */
    static final int FALLOC_FL_KEEP_SIZE = 1;
    /**
     * Room reserved past what an excerpt needs: Chronicle writes an index array (256 KiB for the large roll cycles)
     * at the append position when one fills, and that comes with an append like any other.
     */
    static final long INDEX_SLACK = 320 * 1024;
    /** How much is reserved at a time, ahead of the append position: one system call per this many bytes. */
    static final long RESERVE_AHEAD = 4L << 20;
    /** A new cycle file's header and first index (512 KiB for the large roll cycles), with room to spare. */
    static final long NEW_CYCLE_BYTES = 2L << 20;

    private final Path queueDir;
    private final FileStore store;
    private final PosixAPI posix;
    private File file;
    private int fd = -1;
    private FileChannel channel;
    /** Blocks are known to be there up to this file position. */
    private long reservedTo;

    QueueSpace(Path queueDir) {
        this.queueDir = queueDir;
        try {
            this.store = Files.getFileStore(queueDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find the file system of " + queueDir, e);
        }
        this.posix = NativePosix.orNull();
        if (posix == null) {
            log.warn("journal: no native fallocate ({}); room for the queue is reserved by writing zeros ahead of the"
                    + " writer", NativePosix.unavailable());
        }
    }

    /** Bytes free for this process on the queue's file system. */
    long freeBytes() {
        try {
            return store.getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the free space of " + queueDir, e);
        }
    }

    /**
     * Makes sure an excerpt of {@code bytes} (Chronicle's header included) can be appended with {@code appender} in
     * roll cycle {@code cycle} without touching a page that has no block.
     *
     * @throws JournalSpaceException when the file system has no room for it; nothing was written
     */
    void reserve(ExcerptAppender appender, int cycle, long bytes) {
        Wire wire = appender.wire();
        if (wire == null || appender.cycle() != cycle || !(wire.bytes() instanceof MappedBytes)) {
            long free = freeBytes();
            if (free < NEW_CYCLE_BYTES + bytes) {
                throw new JournalSpaceException("no room to start a cycle file of the journal in " + queueDir + ": "
                        + free + " bytes free, " + (NEW_CYCLE_BYTES + bytes) + " needed");
            }
            return;
        }
        Bytes<?> b = wire.bytes();
        File current = ((MappedBytes) b).mappedFile().file();
        if (!current.equals(file)) {
            open(current);
        }
        long position = b.writePosition();
        long end = position + bytes + INDEX_SLACK;
        if (end <= reservedTo) {
            return;
        }
        long from = Math.max(position, reservedTo);
        if (allocate(from, end + RESERVE_AHEAD) == null) {
            reservedTo = end + RESERVE_AHEAD;
            return;
        }
        // Less room than the stretch reserved at a time: what this excerpt needs is enough.
        String failed = allocate(from, end);
        if (failed != null) {
            throw new JournalSpaceException("no room on disk for the journal: " + failed);
        }
        reservedTo = end;
    }

    /** Reserves {@code [from, to)} of the current file; null when done, else what failed. */
    private String allocate(long from, long to) {
        if (fd >= 0) {
            if (posix.fallocate(fd, FALLOC_FL_KEEP_SIZE, from, to - from) == 0) {
                return null;
            }
            return "fallocate of " + (to - from) + " bytes at " + from + " of " + file + " failed: "
                    + posix.lastErrorStr();
        }
        ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
        try {
            for (long at = from; at < to; ) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), to - at));
                at += channel.write(zeros, at);
            }
            return null;
        } catch (IOException e) {
            return "writing " + (to - from) + " bytes at " + from + " of " + file + " failed: " + e.getMessage();
        }
    }

    private void open(File next) {
        close();
        file = next;
        reservedTo = 0;
        if (posix != null) {
            fd = posix.open(next.getPath(), OpenFlag.O_RDWR, 0);
            if (fd >= 0) {
                return;
            }
            log.warn("journal: cannot open {} to reserve room in it ({}); writing zeros ahead instead", next,
                    posix.lastErrorStr());
        }
        try {
            channel = FileChannel.open(next.toPath(), StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + next + " to reserve room in it", e);
        }
    }

    @Override
    public void close() {
        if (fd >= 0) {
            posix.close(fd);
            fd = -1;
        }
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                log.warn("journal: closing {}: {}", file, e.toString());
            }
            channel = null;
        }
        file = null;
    }
}
