package io.gozargah.engine.journal;

import io.gozargah.codec.journal.DictionaryEntryFlyweight;
import io.gozargah.codec.journal.RecordType;
import io.gozargah.codec.journal.RefusalSummaryFlyweight;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import io.gozargah.engine.exchange.TransactionIds;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Everything in a journal directory, read back for assertions: transaction records and refusal summaries (copied,
 * in order), the dictionary, the order of first appearance, and whether the chain holds.
 */
public final class JournalContents {
    /** One transaction record's bytes, and whether every id in it was named before it. */
    public record Tx(byte[] bytes, boolean idsNamedBefore) {
        public TransactionRecordFlyweight flyweight() {
            return new TransactionRecordFlyweight().wrapForRead(new UnsafeBuffer(bytes), 0);
        }

        public String id() {
            TransactionRecordFlyweight r = flyweight();
            return TransactionIds.toText(r.txIdMsb(), r.txIdLsb());
        }
    }

    /** One refusal summary's bytes, and where it sat among the chained records. */
    public record Summary(byte[] bytes, int chainedIndex) {
        public RefusalSummaryFlyweight flyweight() {
            return new RefusalSummaryFlyweight().wrapForRead(new UnsafeBuffer(bytes), 0);
        }

        /** Whether {@code text}, a transaction id, lies in this summary's range (same generator, between first and last). */
        public boolean covers(String text) {
            RefusalSummaryFlyweight s = flyweight();
            UUID id = UUID.fromString(text);
            return id.getLeastSignificantBits() == s.firstTxIdLsb() && id.getLeastSignificantBits() == s.lastTxIdLsb()
                    && Long.compareUnsigned(id.getMostSignificantBits(), s.firstTxIdMsb()) >= 0
                    && Long.compareUnsigned(id.getMostSignificantBits(), s.lastTxIdMsb()) <= 0;
        }
    }

    public final List<Tx> transactions = new ArrayList<>();
    public final List<Summary> summaries = new ArrayList<>();
    public final Map<Integer, String> names = new HashMap<>();
    public final Map<Integer, Integer> kinds = new HashMap<>();
    public int dictionaryExcerpts;
    /** TRANSACTION_BATCH excerpts, and how many records each held, in order. */
    public int batchExcerpts;
    public final List<Integer> batchSizes = new ArrayList<>();
    /** Index (among chained records: transactions and summaries) of the first record whose chain hash is wrong, or -1. */
    public int firstBrokenLink = -1;
    private int chained;

    public static JournalContents read(Path dir) {
        JournalContents c = new JournalContents();
        UnsafeBuffer view = new UnsafeBuffer(0, 0);
        byte[] scratch = new byte[1 << 17];
        JournalChain chain = new JournalChain();
        try (JournalQueue queue = JournalQueue.openForRead(dir); ExcerptTailer tailer = queue.tailer()) {
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    int type = JournalExcerpt.type(dc.wire().bytes());
                    if (type == RecordType.TRANSACTION_BATCH) {
                        int count = JournalExcerpt.batchCount(dc.wire().bytes());
                        int length = JournalExcerpt.wrap(dc.wire().bytes(), JournalExcerpt.BATCH_RECORDS_OFFSET, view,
                                scratch);
                        int at = 0;
                        for (int i = 0; i < count; i++) {
                            int recordLength = new TransactionRecordFlyweight().wrapForRead(view, at).length();
                            byte[] bytes = new byte[recordLength];
                            view.getBytes(at, bytes);
                            c.transaction(bytes, chain);
                            at += recordLength;
                        }
                        if (at != length) {
                            throw new AssertionError("a batch of " + count + " records has " + (length - at)
                                    + " bytes more");
                        }
                        c.batchExcerpts++;
                        c.batchSizes.add(count);
                        continue;
                    }
                    int length = JournalExcerpt.wrapRecord(dc.wire().bytes(), view, scratch);
                    if (type == RecordType.DICTIONARY) {
                        DictionaryEntryFlyweight e = new DictionaryEntryFlyweight().wrapForRead(view, 0);
                        String known = c.names.put(e.id(), e.name());
                        if (known != null && !known.equals(e.name())) {
                            throw new AssertionError("id " + e.id() + " names " + known + " and " + e.name());
                        }
                        c.kinds.put(e.id(), e.kind());
                        c.dictionaryExcerpts++;
                    } else if (type == RecordType.TRANSACTION) {
                        byte[] bytes = new byte[length];
                        view.getBytes(0, bytes);
                        c.transaction(bytes, chain);
                    } else if (type == RecordType.REFUSAL_SUMMARY) {
                        byte[] bytes = new byte[length];
                        view.getBytes(0, bytes);
                        new RefusalSummaryFlyweight().wrapForRead(view, 0);
                        c.link(bytes, chain);
                        c.summaries.add(new Summary(bytes, c.chained - 1));
                    }
                }
            }
        }
        return c;
    }

    private void transaction(byte[] bytes, JournalChain chain) {
        TransactionRecordFlyweight r = new Tx(bytes, true).flyweight();
        boolean named = named(this, r.consumerId()) && named(this, r.serviceId()) && named(this, r.endpointId());
        link(bytes, chain);
        transactions.add(new Tx(bytes, named));
    }

    private void link(byte[] bytes, JournalChain chain) {
        if (!chain.verifyAndAdvance(bytes, 0, bytes.length) && firstBrokenLink < 0) {
            firstBrokenLink = chained;
        }
        chained++;
    }

    /** Exchanges the refusal summaries count. */
    public long summarized() {
        return summaries.stream().mapToLong(s -> s.flyweight().count()).sum();
    }

    /** Whether transaction id {@code text} is in a refusal summary's range. */
    public boolean summarizes(String text) {
        return summaries.stream().anyMatch(s -> s.covers(text));
    }

    private static boolean named(JournalContents c, int id) {
        return id == 0 || c.names.containsKey(id);
    }

    /** The record with transaction id {@code text}, or null. */
    public Tx find(String text) {
        for (Tx t : transactions) {
            if (t.id().equals(text)) {
                return t;
            }
        }
        return null;
    }

    public String name(int id) {
        return names.get(id);
    }
}
