package io.gozargah.engine.journal;

import io.gozargah.codec.journal.DictionaryEntryFlyweight;
import io.gozargah.codec.journal.RecordType;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Stable ids for the names a transaction record refers to (consumers, services, endpoints): one sequence for all
 * kinds, from 1, never reused (see {@link JournalQueue} for the contract readers rely on).
 *
 * <p>Ids are given when a routing snapshot is built, off the event loops, so the hot path only reads an int the
 * snapshot already holds. A new id is appended to the {@code dictionary} file of the journal directory before it
 * is published, and published before the snapshot that carries it, so a record using it always finds it here:
 * the writer journals the entry before the first record that uses the id. After a restart the file gives every
 * name its old id back; when the file is missing, the ids are recovered from the queue's DICTIONARY excerpts.
 *
 * <p>{@link #id} is synchronized (snapshot builds are rare and may come from a reload thread); the writer reads
 * {@link #entries()} without a lock: the array is replaced whole, behind a volatile reference.
 */
public final class JournalDictionary {
    private static final Logger log = LoggerFactory.getLogger(JournalDictionary.class);

    /** The dictionary file's name in the journal directory. */
    public static final String FILE = "dictionary";

    /** One name with its id; {@link #encoded} is its DICTIONARY record, ready to journal. */
    public record Entry(int kind, int id, String name, byte[] encoded) {
    }

    private final Path file;
    private final Map<String, Integer> ids = new HashMap<>();
    /** Index {@code id - 1}; null for an id lost with a missing dictionary file (never used again). */
    private volatile Entry[] entries;

    private JournalDictionary(Path file, Entry[] entries) {
        this.file = file;
        this.entries = entries;
        for (Entry e : entries) {
            if (e != null) {
                ids.put(key(e.kind(), e.name()), e.id());
            }
        }
    }

    /** A dictionary that keeps nothing on disk (tests, benchmarks). */
    public static JournalDictionary inMemory() {
        return new JournalDictionary(null, new Entry[0]);
    }

    /**
     * Opens the dictionary of the journal directory {@code dir}: from its file, or, when there is none, from the
     * DICTIONARY excerpts of {@code queue} (which then writes the file anew).
     */
    public static JournalDictionary open(Path dir, JournalQueue queue) {
        Path file = dir.resolve(FILE);
        Entry[] entries = Files.exists(file) ? load(file) : recover(queue);
        JournalDictionary d = new JournalDictionary(file, entries);
        if (!Files.exists(file)) {
            for (Entry e : entries) {
                if (e != null) {
                    d.append(e);
                }
            }
        }
        return d;
    }

    /** The id of {@code name} of {@code kind}, given now (and kept) if it has none yet. */
    public synchronized int id(int kind, String name) {
        Integer id = ids.get(key(kind, name));
        if (id != null) {
            return id;
        }
        Entry[] current = entries;
        int next = current.length + 1;
        Entry e = entry(kind, next, name);
        if (file != null) {
            append(e);
        }
        ids.put(key(kind, name), next);
        Entry[] grown = Arrays.copyOf(current, next);
        grown[next - 1] = e;
        entries = grown;
        return next;
    }

    /** Every entry, index {@code id - 1}; an element may be null (see {@link JournalDictionary}). */
    public Entry[] entries() {
        return entries;
    }

    private static String key(int kind, String name) {
        return kind + " " + name;
    }

    private static Entry entry(int kind, int id, String name) {
        DictionaryEntryFlyweight f = new DictionaryEntryFlyweight();
        byte[] bytes = new byte[DictionaryEntryFlyweight.length(name.getBytes(StandardCharsets.UTF_8).length)];
        f.wrapForWrite(new UnsafeBuffer(bytes), 0).kind(kind).id(id).name(name);
        return new Entry(kind, id, name, bytes);
    }

    private void append(Entry e) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer b = ByteBuffer.wrap(e.encoded());
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(false);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write the journal dictionary " + file, ex);
        }
    }

    /** Entries of the file in order; a torn last entry (a crash while appending) is cut off. */
    private static Entry[] load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the journal dictionary " + file, e);
        }
        UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        DictionaryEntryFlyweight f = new DictionaryEntryFlyweight();
        Entry[] entries = new Entry[0];
        int at = 0;
        while (at < bytes.length) {
            try {
                f.wrapForRead(buffer, at);
            } catch (IndexOutOfBoundsException e) {
                log.warn("journal dictionary {}: cutting off a torn entry at byte {}", file, at);
                truncate(file, at);
                break;
            }
            entries = put(entries, new Entry(f.kind(), f.id(), f.name(), Arrays.copyOfRange(bytes, at, at + f.length())));
            at += f.length();
        }
        return entries;
    }

    private static Entry[] recover(JournalQueue queue) {
        Entry[] entries = new Entry[0];
        DictionaryEntryFlyweight f = new DictionaryEntryFlyweight();
        UnsafeBuffer view = new UnsafeBuffer(0, 0);
        byte[] scratch = new byte[DictionaryEntryFlyweight.length(DictionaryEntryFlyweight.MAX_NAME_LENGTH)];
        long count = 0;
        try (ExcerptTailer tailer = queue.tailer()) {
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    count++;
                    if (JournalExcerpt.type(dc.wire().bytes()) != RecordType.DICTIONARY) {
                        continue;
                    }
                    int length = JournalExcerpt.wrapRecord(dc.wire().bytes(), view, scratch);
                    f.wrapForRead(view, 0);
                    byte[] encoded = new byte[length];
                    view.getBytes(0, encoded);
                    entries = put(entries, new Entry(f.kind(), f.id(), f.name(), encoded));
                }
            }
        }
        if (count > 0) {
            log.warn("journal dictionary file missing in {}: recovered {} names from {} excerpts of the queue",
                    queue.dir(), Arrays.stream(entries).filter(Objects::nonNull).count(), count);
        }
        return entries;
    }

    private static Entry[] put(Entry[] entries, Entry e) {
        if (e.id() <= 0) {
            throw new IllegalStateException("journal dictionary id " + Integer.toUnsignedLong(e.id()) + " of '"
                    + e.name() + "' is not a valid id");
        }
        Entry[] result = e.id() > entries.length ? Arrays.copyOf(entries, e.id()) : entries;
        Entry known = result[e.id() - 1];
        if (known != null && (known.kind() != e.kind() || !known.name().equals(e.name()))) {
            throw new IllegalStateException("journal dictionary id " + e.id() + " names both '" + known.name()
                    + "' and '" + e.name() + "'");
        }
        result[e.id() - 1] = e;
        return result;
    }

    private static void truncate(Path file, int length) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot repair the journal dictionary " + file, e);
        }
    }
}
