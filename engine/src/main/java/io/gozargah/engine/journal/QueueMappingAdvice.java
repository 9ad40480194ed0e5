package io.gozargah.engine.journal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.MappedBytesStore;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.Wire;
import net.openhft.posix.MAdviseFlag;
import net.openhft.posix.PosixAPI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Chooses, for the writer's mapped chunks of the queue, between the kernel's read-around on page faults and one
 * page per fault ({@code madvise(MADV_RANDOM)}), by how hard the writer is working.
 *
 * <p>Why: the writer appends through a memory map into a file that grows sparse, a chunk of it at a time. The
 * first touch of each page is a fault, and by default the kernel answers a fault on a file mapping with
 * read-around: it fills the page cache with the device's whole read-ahead window around the page (zeros, for a
 * hole), in large folios. With a large read-ahead window and a kernel that does not preempt, zeroing a
 * window holds the writer's CPU for tens of milliseconds, and an event loop sharing that CPU waits as long:
 * at a steady rate one page per fault keeps p99 latency down (and costs the writer less CPU per record),
 * while streaming flat out read-around zeroes the pages more cheaply in bulk (bench/README.md, "Journal on/off
 * in rounds, and the writer's page faults", has the figures). So the writer reports each drain
 * ({@link #drained}): after {@link #STREAMING_AFTER} full drains in a row (a backlog: it is streaming, and a core
 * is its own) the current chunk keeps the kernel's read-around; at the first drain that empties the ring it goes
 * back to one page per fault. A chunk the appender moves onto gets the advice of the moment. Readers of the
 * journal (tail, report, verify) map the files themselves and keep the kernel's read-ahead.
 *
 * <p>Ahead of the appender, whichever the advice, the next {@link #POPULATE_AHEAD} bytes of the chunk are mapped
 * in with one {@code madvise(MADV_POPULATE_WRITE)} (see {@link #populateAhead}), so the writer takes one system
 * call per 64 pages instead of a page fault per page.
 *
 * <p>Each chunk mapping's bounds come from /proc/self/maps, read once per chunk. Where the advice cannot be
 * given (not Linux, no native access: the posix library then falls back to doing nothing) the journal works as
 * before and says so once in the log.
 */
final class QueueMappingAdvice {
    private static final Logger log = LoggerFactory.getLogger(QueueMappingAdvice.class);
    private static final Path MAPS = Path.of("/proc/self/maps");
    /** Chronicle's cycle files; the queue's metadata (*.cq4t) is small and read at random anyway. */
    static final String CYCLE_FILE_SUFFIX = ".cq4";

    /** Full drains in a row after which the writer counts as streaming. */
    static final int STREAMING_AFTER = 4;

    /** Linux's MADV_POPULATE_WRITE (since 5.14): fault the range in, writable, as writes would. */
    static final int MADV_POPULATE_WRITE = 23;
    static final long PAGE = 4096;
    /** How far ahead of the appender's position its pages are mapped in (64 pages). */
    static final long POPULATE_AHEAD = 256 * 1024;

    private final PosixAPI posix;
    /** {@link #POPULATE_AHEAD}, or 0 once madvise refused it (or a test asked for none). */
    private long populateAhead;
    /** The end of what was mapped in ahead of the appender in the current chunk (0: nothing yet). */
    private long populatedTo;
    /** The chunk the appender writes in (identity only: never read), and its mapping's bounds (null: unknown). */
    private BytesStore<?, ?> current;
    private long[] mapping;
    private boolean streaming;
    private int fullDrains;
    private boolean warned;

    QueueMappingAdvice() {
        this(POPULATE_AHEAD);
    }

    /** With {@code populateAhead} bytes mapped in ahead of the appender (0: none, the page faults do it). */
    QueueMappingAdvice(long populateAhead) {
        this.posix = posixOrNull();
        this.populateAhead = posix == null ? 0 : populateAhead;
    }

    /** The posix calls, or null when there are none (said once in the log). */
    private static PosixAPI posixOrNull() {
        PosixAPI posix = NativePosix.orNull();
        if (posix == null) {
            log.warn("journal: cannot madvise the queue's chunks ({}); the kernel reads around the writer's page"
                    + " faults", NativePosix.unavailable());
        }
        return posix;
    }

    /** After each append: a chunk the appender has moved onto gets the advice of the moment. */
    void afterAppend(ExcerptAppender appender) {
        Wire wire = appender.wire();
        if (wire == null) {
            return;
        }
        Bytes<?> bytes = wire.bytes();
        BytesStore<?, ?> store = bytes.bytesStore();
        if (store != current) {
            if (!(store instanceof MappedBytesStore)) {
                return;
            }
            current = store;
            populatedTo = 0;
            mapping = posix == null ? null : find((MappedBytesStore) store);
            if (mapping != null && !streaming) {
                advise(MAdviseFlag.MADV_RANDOM);
            }
        }
        if (mapping != null && populateAhead > 0) {
            populateAhead(store, bytes.writePosition());
        }
    }

    /**
     * Maps in the pages ahead of the appender, {@link #POPULATE_AHEAD} bytes at a time, with one
     * {@code madvise(MADV_POPULATE_WRITE)} once it has written half of what was mapped in last. A page the kernel
     * maps in that way costs what the first write's page fault would have, less the trip through the fault
     * handler; under a hypervisor that keeps the guest's page tables itself that trip is most of a fault's cost
     * (the writer's CPU per record with and without it: bench/README.md, "Journal on/off, both gateways
     * resident").
     */
    private void populateAhead(BytesStore<?, ?> store, long position) {
        long start = store.start();
        if (position < start || position >= start + store.capacity()) {
            return;
        }
        long address = store.addressForWrite(position);
        if (address + populateAhead / 2 <= populatedTo) {
            return;
        }
        long page = address & -PAGE;
        long from = Math.max(Math.max(page, populatedTo), mapping[0]);
        long to = Math.min(mapping[1], page + populateAhead);
        if (to <= from) {
            return;
        }
        if (posix.madvise(from, to - from, MADV_POPULATE_WRITE) != 0) {
            // Linux before 5.14 does not know it (EINVAL); the writer's own page faults do the same work.
            populateAhead = 0;
            log.warn("journal: madvise(MADV_POPULATE_WRITE) of {} bytes failed ({}); the writer's page faults map"
                    + " the queue's pages in one at a time", to - from, posix.strerror(posix.lastError()));
            return;
        }
        populatedTo = to;
    }

    /** After each drain of the ring: {@code records} drained, of at most {@code batch}. */
    void drained(int records, int batch) {
        if (records >= batch) {
            if (++fullDrains == STREAMING_AFTER && !streaming) {
                streaming = true;
                advise(MAdviseFlag.MADV_NORMAL);
            }
        } else {
            fullDrains = 0;
            if (streaming) {
                streaming = false;
                advise(MAdviseFlag.MADV_RANDOM);
            }
        }
    }

    /** Whether the current chunk is left to the kernel's read-around (the writer is streaming). */
    boolean streaming() {
        return streaming;
    }

    private long[] find(MappedBytesStore chunk) {
        // The bounds come from the kernel's own list: the store's capacity is not always the length Chronicle
        // mapped (a later chunk's was larger, and madvise refused the range).
        long address = chunk.addressForRead(chunk.start());
        long[] found;
        try {
            found = mappingOf(Files.readAllLines(MAPS), address);
        } catch (IOException | UncheckedIOException e) {
            warnOnce("cannot read " + MAPS + ": " + e.getMessage());
            return null;
        }
        if (found == null) {
            warnOnce("no mapping of a cycle file (*" + CYCLE_FILE_SUFFIX + ") at 0x" + Long.toHexString(address)
                    + " in " + MAPS);
        }
        return found;
    }

    private void advise(MAdviseFlag advice) {
        if (mapping == null) {
            return;
        }
        if (posix.madvise(mapping[0], mapping[1] - mapping[0], advice) != 0) {
            warnOnce("madvise(" + advice + ") of " + (mapping[1] - mapping[0]) + " bytes failed: "
                    + posix.strerror(posix.lastError()));
        }
    }

    private void warnOnce(String why) {
        if (!warned) {
            warned = true;
            log.warn("journal: cannot advise a queue chunk against read-around ({}); the kernel reads around the"
                    + " writer's page faults there", why);
        }
    }

    /**
     * The bounds {start, end} of the mapping in {@code maps} (lines of /proc/self/maps) that holds {@code address},
     * when it maps a cycle file; null otherwise.
     */
    static long[] mappingOf(List<String> maps, long address) {
        for (String line : maps) {
            int dash = line.indexOf('-');
            int space = line.indexOf(' ', dash + 1);
            if (dash <= 0 || space < 0) {
                continue;
            }
            long start;
            long end;
            try {
                start = Long.parseUnsignedLong(line, 0, dash, 16);
                end = Long.parseUnsignedLong(line, dash + 1, space, 16);
            } catch (NumberFormatException e) {
                continue;
            }
            if (Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0) {
                return line.stripTrailing().endsWith(CYCLE_FILE_SUFFIX) ? new long[] {start, end} : null;
            }
        }
        return null;
    }
}
