package io.gozargah.engine.admission;

import io.gozargah.engine.calendar.BillingCalendar;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneId;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Admission counters in a memory-mapped file: rate-limiter state, day and month usage, refusal counts and
 * in-flight requests, one fixed-size record per consumer, grant, provider or service, keyed by name. The
 * gateway updates them with atomic operations straight in the mapping, so a restart (or a kill -9, since
 * the page cache outlives the process) keeps this month's usage, and {@code gozargah stat} reads the same
 * file from another process while the gateway runs, as Aeron's counters are read.
 *
 * <pre>
 * Header (HEADER_LENGTH bytes; records start on a page boundary)
 *   0  int   magic "GZCT"            4  int   layout version
 *   8  int   record length          12  int   capacity (records)
 *  16  int   records in use (written after the record, with release semantics)
 *  20  int   reserved
 *  24  long  created, epoch ms      32  long  pid of the gateway that has it open
 *  40  long  that gateway's start, epoch ms
 *  48  int   calendar name length   52  calendar name, ASCII (persian | gregorian), 16 bytes
 *  68  int   zone id length         72  zone id, ASCII, 64 bytes
 *
 * Record (RECORD_LENGTH bytes, 8-aligned fields)
 *   0  int   kind (0 free; written last)     4  int   1 while the running config names it
 *   8  long  GCRA theoretical arrival time, System.nanoTime() of the gateway process (reset at open)
 *  16  long  day word: day index &lt;&lt; 40 | admitted that day          (see {@link PeriodCounter})
 *  24  long  month word: month index &lt;&lt; 40 | admitted that month
 *  32  long  refused rate-limited      40  long  refused quota-exhausted     48  long  refused overloaded
 *  56  int   in flight (reset at open)  60  int   max in flight (0: no cap)
 *  64  long  quota per day (0: none)    72  long  quota per month (0: none)
 *  80  long  rate, requests per second as double bits (0: none)   88  int   burst
 *  92  int   name length                96  name, UTF-8, at most MAX_NAME_BYTES (216)
 * 312  long  refused journal-unavailable (layout 2; a grant's)
 * </pre>
 *
 * All multi-byte values are in the platform's byte order (the file is read on the machine that writes it).
 * The day and month of each count are stored in the same word as the count and replaced with one
 * compare-and-set when the period changes, so nothing ever sweeps the file at midnight. Records are never
 * freed: a grant removed from the config keeps its month's usage, and is counted again if it returns.
 *
 * <p>Lookups and allocation ({@link #record}) happen while a snapshot is built, off the hot path, and are
 * serialised; the hot path only touches record fields at offsets the snapshot holds.
 *
 * <h2>A full disk</h2>
 * Every page of the file has its block on disk before it is mapped: a new file is written with zeros first, an
 * existing one has each of its pages written back as it is. On a full file system that is an
 * {@link IOException} at open, with the file left as it was, instead of a SIGBUS later in the middle of a count on
 * an event loop (a memory-mapped write into a page the kernel has no block for). Once open, counting writes only
 * into those pages, so a disk that fills meanwhile cannot fail it (on file systems that overwrite in place; a
 * copy-on-write one such as btrfs may need new blocks even then).
 *
 * <p>Layout 1 (without the journal-unavailable count) is upgraded in place at open when no name in it is
 * longer than layout 2 allows.
 */
public final class CountersFile implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CountersFile.class);

    public static final int MAGIC = 0x5443_5A47; // "GZCT" read as little-endian bytes
    public static final int VERSION = 2;
    /** The layout before the journal-unavailable count, read and upgraded. */
    static final int VERSION_1 = 1;
    public static final int HEADER_LENGTH = 4096;
    public static final int RECORD_LENGTH = 320;
    public static final int JOURNAL_UNAVAILABLE_OFFSET = RECORD_LENGTH - 8;
    public static final int MAX_NAME_BYTES = JOURNAL_UNAVAILABLE_OFFSET - 96;
    /** Layout 1's longest name: up to the end of the record. */
    private static final int VERSION_1_MAX_NAME_BYTES = RECORD_LENGTH - 96;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int RECORD_LENGTH_OFFSET = 8;
    static final int CAPACITY_OFFSET = 12;
    static final int USED_OFFSET = 16;
    static final int CREATED_OFFSET = 24;
    static final int PID_OFFSET = 32;
    static final int STARTED_OFFSET = 40;
    static final int CALENDAR_LENGTH_OFFSET = 48;
    static final int CALENDAR_OFFSET = 52;
    static final int CALENDAR_MAX = 16;
    static final int ZONE_LENGTH_OFFSET = 68;
    static final int ZONE_OFFSET = 72;
    static final int ZONE_MAX = 64;

    public static final int KIND_OFFSET = 0;
    public static final int IN_CONFIG_OFFSET = 4;
    public static final int TAT_OFFSET = 8;
    public static final int DAY_OFFSET = 16;
    public static final int MONTH_OFFSET = 24;
    public static final int RATE_LIMITED_OFFSET = 32;
    public static final int QUOTA_EXHAUSTED_OFFSET = 40;
    public static final int OVERLOADED_OFFSET = 48;
    public static final int IN_FLIGHT_OFFSET = 56;
    public static final int MAX_IN_FLIGHT_OFFSET = 60;
    public static final int QUOTA_DAY_OFFSET = 64;
    public static final int QUOTA_MONTH_OFFSET = 72;
    public static final int RATE_OFFSET = 80;
    public static final int BURST_OFFSET = 88;
    public static final int NAME_LENGTH_OFFSET = 92;
    public static final int NAME_OFFSET = 96;

    /** What a record counts for. */
    public enum Kind {
        /** A consumer: its overall rate limiter. Name: the consumer. */
        CONSUMER(1),
        /** A grant: its rate limiter, usage and refusals. Name: {@code consumer provider/service}. */
        GRANT(2),
        /** A provider with an in-flight cap. Name: the provider. */
        PROVIDER(3),
        /** A service with an in-flight cap. Name: {@code provider/service}. */
        SERVICE(4);

        final int code;

        Kind(int code) {
            this.code = code;
        }

        static Kind of(int code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            return null;
        }
    }

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private final AtomicBuffer buffer;
    private final int capacity;
    private final String calendar;
    private final String zone;
    private final Map<String, Integer> offsets = new HashMap<>();

    private CountersFile(Path path, FileChannel channel, FileLock lock, MappedByteBuffer mapped, int capacity,
                         String calendar, String zone) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
        this.buffer = new UnsafeBuffer(mapped);
        this.capacity = capacity;
        this.calendar = calendar;
        this.zone = zone;
    }

    /**
     * Opens {@code path} for the gateway, creating it (and its directory) with {@code slots} records when
     * absent. Takes an exclusive lock: two gateways never count into one file. Every rate limiter starts
     * with its full burst ({@code nowNanos}) and every in-flight count at zero, since neither means anything
     * outside the process that set it; usage counts are kept. The header records {@code calendar}: month
     * indexes of another calendar never equal this one's, so switching calendars starts months afresh.
     *
     * @throws IOException when the file cannot be created, mapped or locked, or is not a counters file
     */
    public static CountersFile open(Path path, int slots, BillingCalendar calendar, long nowNanos) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new IOException("counters file " + path + " is in use by another gateway");
            }
            long size = channel.size();
            boolean fresh = size == 0 || allZero(channel, size);
            if (fresh && size > 0) {
                log.warn("counters file {} held nothing but zeros (a start that died while making it): begun afresh",
                        path);
            }
            int[] header = fresh ? new int[] {VERSION, slots} : readHeader(channel, path);
            int capacity = header[1];
            long length = (long) HEADER_LENGTH + (long) capacity * RECORD_LENGTH;
            if (!fresh && size < length) {
                throw new IOException("counters file " + path + " is truncated: " + size + " bytes, its header says "
                        + length + "; refused, and left as it was");
            }
            reserveBlocks(channel, path, length, fresh);
            MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, length);
            CountersFile file = new CountersFile(path, channel, lock, mapped, capacity, calendar.name(),
                    calendar.zone().getId());
            if (header[0] == VERSION_1) {
                file.upgradeFromVersion1();
            }
            file.start(fresh, nowNanos);
            return file;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Gives every page of the file's first {@code length} bytes its block on disk (see the class comment): zeros
     * for a new file, each page written back as it is for an existing one.
     *
     * @throws IOException when the file system has no room; an existing file is left as it was, a new one is
     *                     zeros, which the next start begins afresh
     */
    private static void reserveBlocks(FileChannel channel, Path path, long length, boolean fresh) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        try {
            for (long at = 0; at < length; ) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), length - at));
                if (!fresh) {
                    int read; // the pages as they are, to be written back unchanged
                    do {
                        read = channel.read(chunk, at + chunk.position());
                    } while (read >= 0 && chunk.hasRemaining());
                    chunk.flip();
                }
                while (chunk.hasRemaining()) {
                    at += channel.write(chunk, at);
                }
            }
            channel.force(true);
        } catch (IOException e) {
            throw new IOException("counters file " + path + ": cannot reserve its " + length + " bytes on disk ("
                    + e.getMessage() + "); " + (fresh ? "what was written is zeros, begun afresh at the next start"
                    : "left as it was") + ": free space on its file system and start again", e);
        }
    }

    /** Layout 1 to 2 in place: refused when a name reaches into the new count's bytes. */
    private void upgradeFromVersion1() throws IOException {
        int used = Math.min(capacity, buffer.getIntVolatile(USED_OFFSET));
        for (int i = 0; i < used; i++) {
            int record = recordOffset(i);
            int nameLength = buffer.getInt(record + NAME_LENGTH_OFFSET);
            if (nameLength > MAX_NAME_BYTES && nameLength <= VERSION_1_MAX_NAME_BYTES) {
                throw new IOException("counters file " + path + " (layout " + VERSION_1 + ") has a name of "
                        + nameLength + " bytes, more than layout " + VERSION + " holds (" + MAX_NAME_BYTES
                        + "); refused, and left as it was: move it aside to start a new one");
            }
        }
        buffer.putIntVolatile(VERSION_OFFSET, VERSION);
        log.info("counters file {}: layout {} upgraded to {} in place (a count of journal-unavailable refusals per"
                + " grant)", path, VERSION_1, VERSION);
    }

    /**
     * Whether the file holds nothing but zeros: what a start that died between sizing a new file and writing its
     * header leaves (the header's magic is written before anything is counted). Such a file is begun afresh
     * instead of refused; a file with any other content is someone's data and is never overwritten.
     */
    private static boolean allZero(FileChannel channel, long size) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        for (long at = 0; at < size; ) {
            chunk.clear();
            int n = channel.read(chunk, at);
            if (n < 0) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if (chunk.get(i) != 0) {
                    return false;
                }
            }
            at += n;
        }
        return true;
    }

    /** The header's {layout version, capacity}, for a counters file of layout 1 or 2. */
    private static int[] readHeader(FileChannel channel, Path path) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        channel.read(header, 0);
        if (header.position() < 16 || header.getInt(MAGIC_OFFSET) != MAGIC) {
            throw new IOException(path + " is not a gozargah counters file; refused, and left as it was");
        }
        int version = header.getInt(VERSION_OFFSET);
        if (version != VERSION && version != VERSION_1 || header.getInt(RECORD_LENGTH_OFFSET) != RECORD_LENGTH) {
            throw new IOException("counters file " + path + " has layout version " + version + ", this gateway reads "
                    + VERSION_1 + " and " + VERSION);
        }
        return new int[] {version, header.getInt(CAPACITY_OFFSET)};
    }

    private void start(boolean fresh, long nowNanos) {
        if (fresh) {
            buffer.putInt(VERSION_OFFSET, VERSION);
            buffer.putInt(RECORD_LENGTH_OFFSET, RECORD_LENGTH);
            buffer.putInt(CAPACITY_OFFSET, capacity);
            buffer.putLong(CREATED_OFFSET, System.currentTimeMillis());
            buffer.putIntVolatile(MAGIC_OFFSET, MAGIC);
        }
        putAscii(CALENDAR_LENGTH_OFFSET, CALENDAR_OFFSET, CALENDAR_MAX, calendar);
        putAscii(ZONE_LENGTH_OFFSET, ZONE_OFFSET, ZONE_MAX, zone);
        buffer.putLong(PID_OFFSET, ProcessHandle.current().pid());
        buffer.putLongVolatile(STARTED_OFFSET, System.currentTimeMillis());
        int used = Math.min(capacity, buffer.getIntVolatile(USED_OFFSET));
        for (int i = 0; i < used; i++) {
            int record = recordOffset(i);
            Kind kind = Kind.of(buffer.getIntVolatile(record + KIND_OFFSET));
            if (kind == null) {
                continue;
            }
            buffer.putLongVolatile(record + TAT_OFFSET, nowNanos);
            buffer.putIntVolatile(record + IN_FLIGHT_OFFSET, 0);
            buffer.putIntVolatile(record + IN_CONFIG_OFFSET, 0);
            offsets.put(key(kind, readName(buffer, record)), record);
        }
    }

    private void putAscii(int lengthOffset, int offset, int max, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        int length = Math.min(max, bytes.length);
        buffer.putBytes(offset, bytes, 0, length);
        buffer.putIntVolatile(lengthOffset, length);
    }

    /**
     * The offset of the record for {@code kind} and {@code name}, allocated (with its TAT at {@code nowNanos})
     * when new. Called while building a snapshot, never on the hot path.
     *
     * @throws IllegalStateException when the file is full or the name too long
     */
    public synchronized int record(Kind kind, String name, long nowNanos) {
        String key = key(kind, name);
        Integer existing = offsets.get(key);
        if (existing != null) {
            return existing;
        }
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_NAME_BYTES) {
            throw new IllegalStateException("counter name longer than " + MAX_NAME_BYTES + " bytes: " + name);
        }
        int used = buffer.getIntVolatile(USED_OFFSET);
        if (used >= capacity) {
            throw new IllegalStateException("counters file " + path + " is full (" + capacity + " records); move it"
                    + " aside to start a larger one (admission.counterSlots) or remove unused grants from it");
        }
        int record = recordOffset(used);
        buffer.setMemory(record, RECORD_LENGTH, (byte) 0);
        buffer.putLong(record + TAT_OFFSET, nowNanos);
        buffer.putInt(record + NAME_LENGTH_OFFSET, bytes.length);
        buffer.putBytes(record + NAME_OFFSET, bytes);
        buffer.putIntVolatile(record + KIND_OFFSET, kind.code);
        buffer.putIntVolatile(USED_OFFSET, used + 1);
        offsets.put(key, record);
        return record;
    }

    /** Marks which records the running configuration uses (for {@code stat}); all others are marked unused. */
    public synchronized void markInConfig(Collection<Integer> records) {
        for (int record : offsets.values()) {
            buffer.putIntVolatile(record + IN_CONFIG_OFFSET, 0);
        }
        for (int record : records) {
            buffer.putIntVolatile(record + IN_CONFIG_OFFSET, 1);
        }
    }

    /** The mapped counters; records at the offsets {@link #record} returns. */
    public AtomicBuffer buffer() {
        return buffer;
    }

    public Path path() {
        return path;
    }

    public int capacity() {
        return capacity;
    }

    /** Records in use. */
    public int used() {
        return buffer.getIntVolatile(USED_OFFSET);
    }

    /** The calendar whose month indexes this file holds. */
    public String calendar() {
        return calendar;
    }

    public ZoneId zone() {
        return ZoneId.of(zone);
    }

    static int recordOffset(int index) {
        return HEADER_LENGTH + index * RECORD_LENGTH;
    }

    static String readName(AtomicBuffer buffer, int record) {
        int length = Math.min(MAX_NAME_BYTES, Math.max(0, buffer.getInt(record + NAME_LENGTH_OFFSET)));
        byte[] bytes = new byte[length];
        buffer.getBytes(record + NAME_OFFSET, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static String readAscii(AtomicBuffer buffer, int lengthOffset, int offset, int max) {
        int length = Math.min(max, Math.max(0, buffer.getIntVolatile(lengthOffset)));
        byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    private static String key(Kind kind, String name) {
        return kind.code + " " + name;
    }

    /**
     * Releases the lock. The mapping is left to the garbage collector rather than unmapped, so a straggling
     * reader can never touch unmapped memory; the OS writes the pages back in its own time (a process crash
     * loses nothing, a power loss may lose what was not yet written).
     */
    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
