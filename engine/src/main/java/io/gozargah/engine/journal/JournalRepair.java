package io.gozargah.engine.journal;

import net.openhft.chronicle.queue.RollCycle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Cuts a damaged tail off a journal's queue: the last excerpts, as long as they are not whole
 * ({@link JournalTail#checkLast}), which is what a write cut short leaves (a full disk under the old writer, a
 * fault in the middle of a copy). Offline: no writer may have the queue open (the gateway at start-up before it
 * opens it, the writer after closing it, or {@code gozargah journal repair} on a stopped journal).
 *
 * <p>How: each damaged excerpt is made a metadata excerpt of the same length, by setting the metadata bit of
 * its Chronicle header in the cycle file. Readers skip metadata excerpts, and Chronicle gives the next appended
 * excerpt the sequence number the damaged one had, so the queue reads on as if the tail had been cut at the last
 * whole excerpt. Nothing else in the file changes and its bytes stay where they were; they are also copied, header
 * and all, to {@code DIR/damaged/} under a name that says which cycle file, index and time they come from, so the
 * evidence can be read without the queue. Not rewriting the cycle file is on purpose: on the full disk that
 * usually did the damage there is no room for a second copy of a day's cycle file, and a copy of the torn
 * excerpts takes a few KiB.
 *
 * <p>The records a damaged excerpt held were still in the ring (the ring frees a drain's records only after the
 * writer appended them), so the writer's start-up recovery, run next, writes them again from the ring, once.
 */
public final class JournalRepair {
    /** Where the copies of voided excerpts go, in the journal directory. */
    static final String DAMAGED_DIRECTORY = "damaged";
    /** Chronicle's header bits (chronicle-wire's {@code Wires}): metadata, not complete, and the length below them. */
    static final int META_DATA = 0x4000_0000;
    static final int NOT_COMPLETE = 0x8000_0000;
    static final int LENGTH_MASK = 0x3FFF_FFFF;
    /** More torn excerpts than this in a row is not the tail a cut-short write leaves: left for an operator. */
    static final int MAX_EXCERPTS = 16;

    /** One damaged excerpt, where it was, what was wrong, and where its copy went (null on a dry run). */
    public record Voided(long index, Path cycleFile, long position, int length, String problem, Path copy) {
        @Override
        public String toString() {
            return "excerpt at index 0x" + Long.toHexString(index) + " (" + cycleFile.getFileName() + ", byte "
                    + position + ", " + length + " bytes): " + problem;
        }
    }

    private JournalRepair() {
    }

    /**
     * {@link #repairTail} on a stopped journal, holding its lock meanwhile so that no gateway starts writing it.
     *
     * @throws JournalException when a gateway has it open, or the tail cannot be repaired
     */
    public static List<Voided> repairStopped(Path dir, boolean dryRun, Consumer<String> say) {
        if (!Files.isDirectory(dir.resolve(JournalQueue.QUEUE_DIRECTORY))) {
            throw new JournalException("no journal at " + dir + ": it has no " + JournalQueue.QUEUE_DIRECTORY + " folder");
        }
        FileChannel lock;
        try {
            lock = Journal.lock(dir);
        } catch (IllegalStateException | UncheckedIOException e) {
            throw new JournalException("cannot repair the journal at " + dir + ": " + e.getMessage());
        }
        try {
            return repairTail(dir, dryRun, say);
        } finally {
            try {
                lock.close();
            } catch (IOException e) {
                say.accept("closing " + dir.resolve(Journal.LOCK_FILE) + ": " + e.getMessage());
            }
        }
    }

    /**
     * Finds the damaged tail of the journal in {@code dir} and, unless {@code dryRun}, voids it; tells
     * {@code say} one line per excerpt. The journal must not be open for writing.
     *
     * @return the damaged excerpts, last first; empty when the tail is whole (or there is no journal yet)
     * @throws JournalException when more than {@link #MAX_EXCERPTS} excerpts in a row are damaged, or a damaged
     *                          excerpt cannot be found in its cycle file
     */
    static List<Voided> repairTail(Path dir, boolean dryRun, Consumer<String> say) {
        List<Voided> voided = new ArrayList<>();
        Path queueDir = dir.resolve(JournalQueue.QUEUE_DIRECTORY);
        if (!Files.isDirectory(queueDir)) {
            return voided;
        }
        while (true) {
            JournalTail.Last last;
            RollCycle rollCycle;
            try (JournalQueue queue = JournalQueue.openForRead(dir)) {
                rollCycle = queue.rollCycle();
                last = JournalTail.checkLast(queue);
            }
            if (last == null || last.whole()) {
                return voided;
            }
            if (voided.size() == MAX_EXCERPTS) {
                throw new JournalException("the journal in " + dir + " ends in more than " + MAX_EXCERPTS
                        + " damaged excerpts: not the tail of a write cut short; not repaired (see journal verify)");
            }
            Voided v = voidExcerpt(dir, rollCycle, last, dryRun);
            voided.add(v);
            say.accept((dryRun ? "would void the damaged " : "voided the damaged ") + v
                    + (v.copy() == null ? "" : "; its bytes are kept in place and copied to " + v.copy()));
            if (dryRun) {
                return voided; // whether the excerpt before it is whole shows once this one is voided
            }
        }
    }

    private static Voided voidExcerpt(Path dir, RollCycle rollCycle, JournalTail.Last last, boolean dryRun) {
        int cycle = rollCycle.toCycle(last.index());
        long sequence = rollCycle.toSequenceNumber(last.index());
        Path file = cycleFile(dir.resolve(JournalQueue.QUEUE_DIRECTORY), rollCycle, cycle);
        try (FileChannel channel = dryRun ? FileChannel.open(file, StandardOpenOption.READ)
                : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long position = findData(channel, sequence);
            if (position < 0) {
                throw new JournalException("the damaged excerpt at index 0x" + Long.toHexString(last.index())
                        + " is not where its sequence number " + sequence + " should be in " + file + "; not repaired");
            }
            int header = readInt(channel, position);
            int length = header & LENGTH_MASK;
            if (dryRun) {
                return new Voided(last.index(), file, position, length, last.problem(), null);
            }
            Path copy = setAside(dir, file, last.index(), channel, position, 4 + length);
            ByteBuffer flipped = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, header | META_DATA);
            channel.write(flipped, position);
            channel.force(true);
            return new Voided(last.index(), file, position, length, last.problem(), copy);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot repair the journal's cycle file " + file, e);
        }
    }

    /**
     * The position of the header of the data excerpt with {@code sequence} in a cycle file, walking Chronicle's
     * headers from the start of the file (each a length with the metadata and not-complete bits above it, the next
     * one 4-byte aligned after it), or -1.
     */
    static long findData(FileChannel file, long sequence) throws IOException {
        long size = file.size();
        long seen = 0;
        long position = 0;
        while (position + 4 <= size) {
            int header = readInt(file, position);
            if (header == 0 || (header & NOT_COMPLETE) != 0) {
                return -1;
            }
            if ((header & META_DATA) == 0) {
                if (seen == sequence) {
                    return position;
                }
                seen++;
            }
            position = (position + 4L + (header & LENGTH_MASK) + 3) & ~3L;
        }
        return -1;
    }

    private static int readInt(FileChannel file, long position) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (file.read(b, position + b.position()) < 0) {
                return 0;
            }
        }
        return b.getInt(0);
    }

    private static Path setAside(Path dir, Path file, long index, FileChannel channel, long position, int length)
            throws IOException {
        Path aside = dir.resolve(DAMAGED_DIRECTORY);
        Files.createDirectories(aside);
        Path copy = aside.resolve(file.getFileName() + ".0x" + Long.toHexString(index) + "."
                + Instant.now().toEpochMilli() + ".excerpt");
        try (FileChannel out = FileChannel.open(copy, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.transferFrom(channel.position(position), 0, length);
            out.force(true);
        }
        if (Files.size(copy) != length) {
            throw new IOException("copied " + Files.size(copy) + " of the damaged excerpt's " + length + " bytes to "
                    + copy);
        }
        return copy;
    }

    /** The cycle file of {@code cycle}, named as Chronicle names it: the cycle's start in the roll cycle's format, UTC. */
    static Path cycleFile(Path queueDir, RollCycle rollCycle, int cycle) {
        DateTimeFormatter names = DateTimeFormatter.ofPattern(rollCycle.format()).withZone(ZoneOffset.UTC);
        return queueDir.resolve(names.format(Instant.ofEpochMilli((long) cycle * rollCycle.lengthInMillis()))
                + QueueMappingAdvice.CYCLE_FILE_SUFFIX);
    }
}
