package io.gozargah.engine.journal;

import io.gozargah.codec.journal.DictionaryEntryFlyweight;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import io.gozargah.engine.exchange.TransactionIds;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The transactions about one subject, found as a {@link JournalReader} walks the journal once: those whose
 * subject hash is the subject's (hashed once, up front, with the subject key), started within a period, each
 * handed on as it is found, so memory stays bounded whatever the journal's length. Version 1 records hold no
 * subject and never match.
 */
public final class SubjectSearch implements JournalVisitor {
    /** One transaction about the subject. */
    public record Match(String transaction, long startEpochNanos, String consumer, String service, int status,
                        String outcome) {
        /**
         * The match as a JSON object's fields, in order: time (ISO-8601, UTC), consumer, service, status, outcome,
         * transaction; what {@code journal subject --json} prints and {@code GET /admin/subjects} lists.
         */
        public Map<String, Object> document() {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("time", Instant.ofEpochSecond(0, startEpochNanos).toString());
            doc.put("consumer", consumer);
            doc.put("service", service);
            doc.put("status", status);
            doc.put("outcome", outcome);
            doc.put("transaction", transaction);
            return doc;
        }
    }

    private final JournalNames names;
    private final long high;
    private final long low;
    private final long fromEpochNanos;
    private final long toEpochNanos;
    private final Consumer<Match> sink;
    private long matches;

    /**
     * @param names          the reader's dictionary
     * @param subjectHash    the subject's 16-byte hash ({@code SubjectKey.hash})
     * @param fromEpochNanos first start time of the period
     * @param toEpochNanos   first start time after it
     * @param sink           given each match, in journal order
     */
    public SubjectSearch(JournalNames names, byte[] subjectHash, long fromEpochNanos, long toEpochNanos,
                         Consumer<Match> sink) {
        if (subjectHash.length != TransactionRecordFlyweight.SUBJECT_HASH_LENGTH) {
            throw new IllegalArgumentException("a subject hash is 16 bytes, not " + subjectHash.length);
        }
        this.names = names;
        this.high = bigEndian(subjectHash, 0);
        this.low = bigEndian(subjectHash, 8);
        this.fromEpochNanos = fromEpochNanos;
        this.toEpochNanos = toEpochNanos;
        this.sink = sink;
    }

    @Override
    public void transaction(JournalPosition position, TransactionRecordFlyweight record) {
        if (!record.hasSubject() || record.subjectHashHigh() != high || record.subjectHashLow() != low) {
            return;
        }
        long start = record.startEpochNanos();
        if (start < fromEpochNanos || start >= toEpochNanos) {
            return;
        }
        matches++;
        sink.accept(new Match(TransactionIds.toText(record.txIdMsb(), record.txIdLsb()), start,
                name(DictionaryEntryFlyweight.KIND_CONSUMER, record.consumerId()),
                name(DictionaryEntryFlyweight.KIND_SERVICE, record.serviceId()), record.httpStatus(),
                outcome(record.outcomeCode())));
    }

    private String name(int kind, int id) {
        return id == JournalNames.NONE ? null : names.name(kind, id);
    }

    /** Transactions found so far. */
    public long matches() {
        return matches;
    }

    private static String outcome(int code) {
        io.gozargah.engine.exchange.Outcome outcome = OutcomeCode.toOutcome(code);
        return outcome == null ? "unknown-" + code : outcome.code();
    }

    private static long bigEndian(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | b[at + i] & 0xFFL;
        }
        return v;
    }
}
