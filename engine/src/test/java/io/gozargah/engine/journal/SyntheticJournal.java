package io.gozargah.engine.journal;

import io.gozargah.codec.journal.DictionaryEntryFlyweight;
import io.gozargah.codec.journal.MethodCode;
import io.gozargah.codec.journal.RecordType;
import io.gozargah.codec.journal.RefusalSummaryFlyweight;
import io.gozargah.codec.journal.SummaryReason;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import io.gozargah.engine.exchange.Outcome;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A journal written the way the gateway's writer writes one ({@link JournalQueue}: DICTIONARY excerpts before
 * the first use of an id, ids from one sequence from 1, TRANSACTION records sealed by {@link JournalChain}), with
 * the facts a test chooses. Transactions go one per TRANSACTION excerpt (the framing of journals written before
 * batches), or, {@link #batched}, in TRANSACTION_BATCH excerpts as the writer frames them now. Also reads and
 * rewrites raw excerpts, to make tampered copies.
 */
public final class SyntheticJournal implements AutoCloseable {
    /** One excerpt as stored: its record type and the record's bytes. */
    public record Excerpt(int type, byte[] bytes) {
    }

    private final JournalQueue queue;
    private final ExcerptAppender appender;
    private final JournalChain chain = new JournalChain();
    private final Map<String, Integer> ids = new HashMap<>();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1 << 16]);
    private int nextId = 1;
    private long sequence;
    private int batchSize = 1;
    private final List<byte[]> pending = new ArrayList<>();

    private SyntheticJournal(Path dir, RollCycle rollCycle, TimeProvider time) {
        this.queue = JournalQueue.openForWrite(dir, rollCycle, time);
        this.appender = queue.appender();
    }

    /** A new journal in {@code dir}, in daily cycles by the wall clock, as the gateway's default. */
    public static SyntheticJournal create(Path dir) {
        return new SyntheticJournal(dir, LargeRollCycles.LARGE_DAILY, SystemTimeProvider.INSTANCE);
    }

    /** A new journal in {@code dir} whose cycles roll by {@code time}. */
    public static SyntheticJournal create(Path dir, RollCycle rollCycle, TimeProvider time) {
        return new SyntheticJournal(dir, rollCycle, time);
    }

    /** The id of {@code name} of {@code kind}, journaling its DICTIONARY entry the first time. */
    public int nameId(int kind, String name) {
        Integer id = ids.get(kind + ":" + name);
        if (id == null) {
            id = nextId++;
            ids.put(kind + ":" + name, id);
            dictionaryEntry(kind, id, name);
        }
        return id;
    }

    /** Journals a DICTIONARY entry as given (repeats and contradictions included). */
    public void dictionaryEntry(int kind, int id, String name) {
        DictionaryEntryFlyweight entry = new DictionaryEntryFlyweight().wrapForWrite(buffer, 0).kind(kind).id(id).name(name);
        append(RecordType.DICTIONARY, buffer.byteArray(), 0, entry.length());
    }

    /**
     * From now on transactions are framed in batches of up to {@code records} (a batch is cut short by a
     * dictionary entry, as the writer's are, and by {@link #close()}); 1 frames each in an excerpt of its own.
     */
    public SyntheticJournal batched(int records) {
        flush();
        batchSize = records;
        return this;
    }

    /** A transaction with plausible defaults, to adjust and {@link Tx#append()}. */
    public Tx transaction() {
        return new Tx();
    }

    /**
     * Appends a refusal summary sealed into the chain: {@code count} exchanges of {@code consumer} (null: none) on
     * {@code service} refused with {@code outcome}, from {@code start}, ids {@code (msb, lsb)} to
     * {@code (msb + count - 1, lsb)}.
     */
    public void summary(String consumer, String service, Outcome outcome, int status, long count, Instant start,
                        long msb, long lsb) {
        int consumerId = consumer == null ? 0 : nameId(DictionaryEntryFlyweight.KIND_CONSUMER, consumer);
        int serviceId = service == null ? 0 : nameId(DictionaryEntryFlyweight.KIND_SERVICE, service);
        byte[] bytes = new byte[RefusalSummaryFlyweight.LENGTH];
        long startNanos = start.getEpochSecond() * 1_000_000_000L + start.getNano();
        new RefusalSummaryFlyweight().wrapForWrite(new UnsafeBuffer(bytes), 0)
                .reason(SummaryReason.JOURNAL_BACKLOG).outcomeCode(OutcomeCode.of(outcome)).httpStatus(status)
                .consumerId(consumerId).serviceId(serviceId)
                .firstTxId(msb, lsb).lastTxId(msb + count - 1, lsb)
                .intervalStartEpochNanos(startNanos).intervalEndEpochNanos(startNanos + 1_000_000)
                .count(count).clientAddress(new byte[] {10, 0, 0, 9});
        chain.seal(bytes, 0, bytes.length);
        append(RecordType.REFUSAL_SUMMARY, bytes, 0, bytes.length);
    }

    /**
     * Appends one record as given, bytes unchanged (no sealing): a TRANSACTION into the batch being made when
     * {@link #batched}, anything else as an excerpt of its own (a TRANSACTION_BATCH type writes {@code bytes} as
     * the batch's count and records, whatever they say).
     */
    public void append(int type, byte[] bytes, int offset, int length) {
        if (type == RecordType.TRANSACTION && batchSize > 1) {
            pending.add(Arrays.copyOfRange(bytes, offset, offset + length));
            if (pending.size() == batchSize) {
                flush();
            }
            return;
        }
        flush();
        try (DocumentContext dc = appender.writingDocument()) {
            JournalExcerpt.write(dc.wire().bytes(), type, bytes, offset, length);
        }
    }

    /** Appends the batch being made, if any. */
    private void flush() {
        if (pending.isEmpty()) {
            return;
        }
        try (DocumentContext dc = appender.writingDocument()) {
            Bytes<?> b = dc.wire().bytes();
            b.writeInt(RecordType.TRANSACTION_BATCH);
            b.writeInt(pending.size());
            for (byte[] r : pending) {
                b.write(r);
            }
        }
        pending.clear();
    }

    @Override
    public void close() {
        flush();
        appender.close();
        queue.close();
    }

    /**
     * Every record of the journal in {@code dir}, in order, as an excerpt of its own: the records of a batch
     * come out as TRANSACTION excerpts, so that a test can drop or move one and {@link #write} the rest back.
     */
    public static List<Excerpt> excerpts(Path dir) {
        List<Excerpt> excerpts = new ArrayList<>();
        UnsafeBuffer view = new UnsafeBuffer(0, 0);
        byte[] scratch = new byte[1 << 17];
        try (JournalQueue queue = JournalQueue.openForRead(dir); ExcerptTailer tailer = queue.tailer()) {
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        return excerpts;
                    }
                    int type = JournalExcerpt.type(dc.wire().bytes());
                    if (type == RecordType.TRANSACTION_BATCH) {
                        int count = JournalExcerpt.batchCount(dc.wire().bytes());
                        JournalExcerpt.wrap(dc.wire().bytes(), JournalExcerpt.BATCH_RECORDS_OFFSET, view, scratch);
                        int at = 0;
                        for (int i = 0; i < count; i++) {
                            int length = new TransactionRecordFlyweight().wrapForRead(view, at).length();
                            byte[] bytes = new byte[length];
                            view.getBytes(at, bytes);
                            excerpts.add(new Excerpt(RecordType.TRANSACTION, bytes));
                            at += length;
                        }
                        continue;
                    }
                    int length = JournalExcerpt.wrapRecord(dc.wire().bytes(), view, scratch);
                    byte[] bytes = new byte[length];
                    view.getBytes(0, bytes);
                    excerpts.add(new Excerpt(type, bytes));
                }
            }
        }
    }

    /** A new journal in {@code dir} holding {@code excerpts} exactly as given, one per excerpt. */
    public static void write(Path dir, List<Excerpt> excerpts) {
        write(dir, excerpts, 1);
    }

    /** A new journal in {@code dir} holding {@code excerpts} as given, transactions in batches of {@code batch}. */
    public static void write(Path dir, List<Excerpt> excerpts, int batch) {
        try (SyntheticJournal journal = create(dir).batched(batch)) {
            for (Excerpt e : excerpts) {
                journal.append(e.type(), e.bytes(), 0, e.bytes().length);
            }
        }
    }

    /** One transaction's facts. Ids of names are given on {@link #append()}. */
    public final class Tx {
        private String consumer = "snapp";
        private String service = "nocr/identity";
        private String endpoint = "http://127.0.0.1:9201";
        private Instant start = Instant.parse("2025-03-25T08:30:00Z");
        private Outcome outcome = Outcome.PROXIED;
        private int status = 200;
        private int method = MethodCode.GET;
        private long msb = 0x0195_0000_0000_7000L;
        private long lsb;
        private boolean idSet;
        private byte[] requestBodySha256;
        private byte[] responseBodySha256;
        private long totalNanos = 12_345_678;
        private long upstreamNanos = 11_000_000;
        private long requestBytes;
        private long responseBytes = 512;
        private byte[] client = {127, 0, 0, 1};
        private byte[] subjectHash;
        private int cacheResult;
        private boolean version1;

        public Tx consumer(String name) {
            consumer = name;
            return this;
        }

        public Tx service(String name) {
            service = name;
            return this;
        }

        public Tx endpoint(String name) {
            endpoint = name;
            return this;
        }

        public Tx start(Instant instant) {
            start = instant;
            return this;
        }

        public Tx start(String isoInstant) {
            return start(Instant.parse(isoInstant));
        }

        public Tx outcome(Outcome o, int httpStatus) {
            outcome = o;
            status = httpStatus;
            return this;
        }

        public Tx method(int code) {
            method = code;
            return this;
        }

        public Tx id(long mostSignificant, long leastSignificant) {
            msb = mostSignificant;
            lsb = leastSignificant;
            idSet = true;
            return this;
        }

        public Tx bodyHashes(byte[] request, byte[] response) {
            requestBodySha256 = request;
            responseBodySha256 = response;
            return this;
        }

        public Tx durations(long total, long upstream) {
            totalNanos = total;
            upstreamNanos = upstream;
            return this;
        }

        /** The client's address, 4 or 16 bytes in network order. */
        public Tx client(byte[] address) {
            client = address;
            return this;
        }

        /** The subject's 16-byte keyed hash ({@code SubjectKey.hash}). */
        public Tx subject(byte[] hash) {
            subjectHash = hash;
            return this;
        }

        /** The cache result code, as {@code CacheResult.code()} gives it (0: none). */
        public Tx cacheResult(int code) {
            cacheResult = code;
            return this;
        }

        /** Written as schema version 1, as journals before subjects hold it (no subject, no attempt count). */
        public Tx version1() {
            version1 = true;
            return this;
        }

        public Tx bytes(long request, long response) {
            requestBytes = request;
            responseBytes = response;
            return this;
        }

        /** Journals the record, sealed into the chain; returns its transaction id's low 64 bits. */
        public long append() {
            int consumerId = consumer == null ? 0 : nameId(DictionaryEntryFlyweight.KIND_CONSUMER, consumer);
            int serviceId = service == null ? 0 : nameId(DictionaryEntryFlyweight.KIND_SERVICE, service);
            int endpointId = endpoint == null ? 0 : nameId(DictionaryEntryFlyweight.KIND_ENDPOINT, endpoint);
            if (!idSet) {
                lsb = 0x8000_0000_0000_0000L | ++sequence;
            }
            boolean hashes = requestBodySha256 != null;
            byte[] bytes = new byte[TransactionRecordFlyweight.length(hashes)];
            TransactionRecordFlyweight r = new TransactionRecordFlyweight().wrapForWrite(new UnsafeBuffer(bytes), 0, hashes)
                    .outcomeCode(OutcomeCode.of(outcome)).httpStatus(status).methodCode(method)
                    .consumerId(consumerId).serviceId(serviceId).endpointId(endpointId)
                    .txId(msb, lsb)
                    .startEpochNanos(start.getEpochSecond() * 1_000_000_000L + start.getNano())
                    .totalDurationNanos(totalNanos).upstreamDurationNanos(upstreamNanos)
                    .requestBytes(requestBytes).responseBytes(responseBytes)
                    .clientAddress(client).clientPort(54321);
            if (hashes) {
                r.requestBodySha256(requestBodySha256).responseBodySha256(responseBodySha256);
            }
            if (subjectHash != null) {
                r.subjectHash(bigEndian(subjectHash, 0), bigEndian(subjectHash, 8));
            }
            if (cacheResult != 0) {
                r.cacheResult(cacheResult);
            }
            if (version1) {
                bytes = toVersion1(bytes, hashes);
            }
            chain.seal(bytes, 0, bytes.length);
            SyntheticJournal.this.append(RecordType.TRANSACTION, bytes, 0, bytes.length);
            return lsb;
        }
    }

    /** The same record in the version 1 layout: no subject hash, byte 9 reserved, the body hashes at 96. */
    private static byte[] toVersion1(byte[] v2, boolean hashes) {
        byte[] v1 = new byte[TransactionRecordFlyweight.length(TransactionRecordFlyweight.SCHEMA_VERSION_1, hashes)];
        System.arraycopy(v2, 0, v1, 0, TransactionRecordFlyweight.V1_FIXED_BLOCK_LENGTH);
        if (hashes) {
            System.arraycopy(v2, TransactionRecordFlyweight.FIXED_BLOCK_LENGTH, v1,
                    TransactionRecordFlyweight.V1_FIXED_BLOCK_LENGTH, 2 * TransactionRecordFlyweight.SHA256_LENGTH);
        }
        UnsafeBuffer b = new UnsafeBuffer(v1);
        b.putShort(0, (short) TransactionRecordFlyweight.SCHEMA_VERSION_1, java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putShort(2, (short) (b.getShort(2, java.nio.ByteOrder.LITTLE_ENDIAN) & ~TransactionRecordFlyweight.FLAG_SUBJECT),
                java.nio.ByteOrder.LITTLE_ENDIAN);
        v1[TransactionRecordFlyweight.ATTEMPTS_OFFSET] = 0;
        return v1;
    }

    private static long bigEndian(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | b[at + i] & 0xFFL;
        }
        return v;
    }
}
