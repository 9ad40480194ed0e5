package io.gozargah.engine.journal;

import io.gozargah.codec.journal.DictionaryEntryFlyweight;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * The names behind the dictionary ids of a journal, as a reader learns them from its dictionary entries
 * ({@link DictionaryEntryFlyweight}). Ids come from one sequence shared by all kinds ({@link JournalQueue}), so
 * an id names one thing of one kind; 0 means "none". Bounded by the number of distinct consumers, services and
 * endpoints, not by the number of records.
 */
public final class JournalNames {
    /** The id a record carries for "no consumer", "no service" or "no endpoint". */
    public static final int NONE = 0;

    private final Int2ObjectHashMap<Entry> entries = new Int2ObjectHashMap<>();

    private record Entry(int kind, String name) {
    }

    /**
     * Records that {@code id} names {@code name}, of {@code kind}. The writer repeats entries (at each start and
     * each new cycle); a repeat must say the same.
     *
     * @return null, or what the id was before when the journal now says otherwise (e.g. "consumer snapp")
     * @throws IllegalArgumentException for a kind that is not one of {@code DictionaryEntryFlyweight.KIND_*}
     */
    public String define(int kind, int id, String name) {
        kindName(kind);
        Entry previous = entries.put(id, new Entry(kind, name));
        if (previous == null || previous.kind == kind && previous.name.equals(name)) {
            return null;
        }
        return describe(previous);
    }

    /** The name of {@code id} if the journal defined it as a {@code kind}, else null. */
    public String name(int kind, int id) {
        Entry entry = entries.get(id);
        return entry == null || entry.kind != kind ? null : entry.name;
    }

    /** What {@code id} names, as "consumer snapp", or null when it is not defined. */
    public String describe(int id) {
        Entry entry = entries.get(id);
        return entry == null ? null : describe(entry);
    }

    private static String describe(Entry entry) {
        return kindName(entry.kind) + " " + entry.name;
    }

    /** Ids defined so far. */
    public int size() {
        return entries.size();
    }

    /**
     * The word for {@code kind} in messages: consumer, service or endpoint.
     *
     * @throws IllegalArgumentException for a kind that is not one of {@code DictionaryEntryFlyweight.KIND_*}
     */
    public static String kindName(int kind) {
        return switch (kind) {
            case DictionaryEntryFlyweight.KIND_CONSUMER -> "consumer";
            case DictionaryEntryFlyweight.KIND_SERVICE -> "service";
            case DictionaryEntryFlyweight.KIND_ENDPOINT -> "endpoint";
            default -> throw new IllegalArgumentException("unknown dictionary kind " + kind);
        };
    }
}
