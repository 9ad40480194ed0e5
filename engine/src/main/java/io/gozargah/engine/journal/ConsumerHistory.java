package io.gozargah.engine.journal;

import io.gozargah.codec.journal.DictionaryEntryFlyweight;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import io.gozargah.engine.exchange.TransactionIds;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The last transactions of one consumer, kept as a {@link JournalReader} walks the journal once: a ring of at most
 * {@code limit}, so memory stays bounded whatever the journal's length. Refusal summaries are not transactions of
 * one consumer's own record and are left out.
 */
public final class ConsumerHistory implements JournalVisitor {
    /** One transaction of the consumer. */
    public record Entry(String transaction, long startEpochNanos, String service, int status, long totalNanos) {
    }

    private final JournalNames names;
    private final String consumer;
    private final int limit;
    private final ArrayDeque<Entry> last;
    private long matches;

    /**
     * @param names    the reader's dictionary
     * @param consumer the consumer's name
     * @param limit    most entries kept (the latest)
     */
    public ConsumerHistory(JournalNames names, String consumer, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit " + limit + " < 1");
        }
        this.names = names;
        this.consumer = consumer;
        this.limit = limit;
        this.last = new ArrayDeque<>(limit);
    }

    @Override
    public void transaction(JournalPosition position, TransactionRecordFlyweight record) {
        int id = record.consumerId();
        if (id == JournalNames.NONE || !consumer.equals(names.name(DictionaryEntryFlyweight.KIND_CONSUMER, id))) {
            return;
        }
        matches++;
        if (last.size() == limit) {
            last.removeFirst();
        }
        int service = record.serviceId();
        last.addLast(new Entry(TransactionIds.toText(record.txIdMsb(), record.txIdLsb()), record.startEpochNanos(),
                service == JournalNames.NONE ? null : names.name(DictionaryEntryFlyweight.KIND_SERVICE, service),
                record.httpStatus(), record.totalDurationNanos()));
    }

    /** The latest transactions, newest first. */
    public List<Entry> newestFirst() {
        List<Entry> list = new ArrayList<>(last);
        java.util.Collections.reverse(list);
        return list;
    }

    /** The consumer's transactions seen, those no longer kept included. */
    public long matches() {
        return matches;
    }
}
