package io.gozargah.engine.admission;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static io.gozargah.engine.admission.CountersFile.*;

/**
 * A read-only view of a counters file, for a process other than the gateway ({@code gozargah stat}): maps
 * the file without locking it and reads each field with volatile loads, as the gateway writes them with
 * atomic operations. Never writes.
 */
public final class CountersReader {

    /** One record as read at one moment. */
    public record Counter(Kind kind, String name, boolean inConfig, long dayWord, long monthWord, long rateLimited,
                          long quotaExhausted, long overloaded, int inFlight, int maxInFlight, long quotaDay,
                          long quotaMonth, double rate, int burst, long journalUnavailable) {

        /** Admitted in billing day {@code day} (0 when the record's count is of an earlier day). */
        public long usedOnDay(long day) {
            return PeriodCounter.countIn(dayWord, day);
        }

        /** Admitted in billing month {@code month}. */
        public long usedInMonth(long month) {
            return PeriodCounter.countIn(monthWord, month);
        }
    }

    private final Path path;
    private final AtomicBuffer buffer;
    private final int capacity;
    private final int version;

    private CountersReader(Path path, AtomicBuffer buffer, int capacity, int version) {
        this.path = path;
        this.buffer = buffer;
        this.capacity = capacity;
        this.version = version;
    }

    /** Maps {@code path} read-only. */
    public static CountersReader open(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < HEADER_LENGTH) {
                throw new IOException(path + " is not a gozargah counters file (" + size + " bytes)");
            }
            AtomicBuffer header = new UnsafeBuffer(channel.map(FileChannel.MapMode.READ_ONLY, 0, HEADER_LENGTH));
            if (header.getIntVolatile(MAGIC_OFFSET) != MAGIC) {
                throw new IOException(path + " is not a gozargah counters file");
            }
            int version = header.getInt(VERSION_OFFSET);
            if (version != VERSION && version != VERSION_1 || header.getInt(RECORD_LENGTH_OFFSET) != RECORD_LENGTH) {
                throw new IOException(path + " has counters layout version " + version + "; this build reads "
                        + VERSION_1 + " and " + VERSION);
            }
            int capacity = header.getInt(CAPACITY_OFFSET);
            long length = (long) HEADER_LENGTH + (long) capacity * RECORD_LENGTH;
            if (size < length) {
                throw new IOException(path + " is truncated: " + size + " bytes of " + length);
            }
            return new CountersReader(path, new UnsafeBuffer(channel.map(FileChannel.MapMode.READ_ONLY, 0, length)),
                    capacity, version);
        }
    }

    public Path path() {
        return path;
    }

    /** The calendar whose month indexes the file holds ({@code persian} or {@code gregorian}). */
    public String calendar() {
        return readAscii(buffer, CALENDAR_LENGTH_OFFSET, CALENDAR_OFFSET, CALENDAR_MAX);
    }

    /** The zone whose midnight starts the file's billing days. */
    public String zone() {
        return readAscii(buffer, ZONE_LENGTH_OFFSET, ZONE_OFFSET, ZONE_MAX);
    }

    /** The process id of the gateway that last opened the file. */
    public long writerPid() {
        return buffer.getLongVolatile(PID_OFFSET);
    }

    /** When that gateway opened it, epoch milliseconds. */
    public long writerStartMillis() {
        return buffer.getLongVolatile(STARTED_OFFSET);
    }

    /** Every record in use, in file order. */
    public List<Counter> read() {
        int used = Math.min(capacity, buffer.getIntVolatile(USED_OFFSET));
        List<Counter> counters = new ArrayList<>(used);
        for (int i = 0; i < used; i++) {
            int r = recordOffset(i);
            Kind kind = Kind.of(buffer.getIntVolatile(r + KIND_OFFSET));
            if (kind == null) {
                continue;
            }
            counters.add(new Counter(kind, readName(buffer, r), buffer.getIntVolatile(r + IN_CONFIG_OFFSET) == 1,
                    buffer.getLongVolatile(r + DAY_OFFSET), buffer.getLongVolatile(r + MONTH_OFFSET),
                    buffer.getLongVolatile(r + RATE_LIMITED_OFFSET), buffer.getLongVolatile(r + QUOTA_EXHAUSTED_OFFSET),
                    buffer.getLongVolatile(r + OVERLOADED_OFFSET), buffer.getIntVolatile(r + IN_FLIGHT_OFFSET),
                    buffer.getIntVolatile(r + MAX_IN_FLIGHT_OFFSET), buffer.getLongVolatile(r + QUOTA_DAY_OFFSET),
                    buffer.getLongVolatile(r + QUOTA_MONTH_OFFSET),
                    Double.longBitsToDouble(buffer.getLongVolatile(r + RATE_OFFSET)), buffer.getIntVolatile(r + BURST_OFFSET),
                    version == VERSION_1 ? 0 : buffer.getLongVolatile(r + JOURNAL_UNAVAILABLE_OFFSET)));
        }
        return counters;
    }
}
