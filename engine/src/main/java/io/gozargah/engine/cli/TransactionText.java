package io.gozargah.engine.cli;

import io.gozargah.codec.journal.DictionaryEntryFlyweight;
import io.gozargah.codec.journal.MethodCode;
import io.gozargah.codec.journal.RefusalSummaryFlyweight;
import io.gozargah.codec.journal.SummaryReason;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import io.gozargah.engine.cache.CacheResult;
import io.gozargah.engine.exchange.TransactionIds;
import io.gozargah.engine.exchange.Outcome;
import io.gozargah.engine.journal.JournalNames;
import io.gozargah.engine.journal.OutcomeCode;
import io.gozargah.engine.json.Json;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/**
 * One transaction record or refusal summary as text: a readable line ({@code journal tail}), a JSON object
 * ({@code tail --json}, {@code export --format jsonl}) or a CSV row ({@code export --format csv}, RFC 4180). JSON
 * and CSV carry every field of the record, names resolved through the journal's dictionary; the line carries what
 * an operator watching the bus looks at.
 *
 * <p>A summary has the columns of a transaction where it has the field (its first transaction id and start, its
 * consumer, service, status, outcome, client address and chain hash), {@code kind} {@code refusal-summary} where a
 * transaction has {@code transaction}, and its {@code count}, {@code summary_reason}, {@code last_transaction} and
 * {@code end} (the start of the last one counted), which are 1 and empty for a transaction.
 *
 * <p>{@code cache} is what the service's cache did ({@code miss}, {@code cached}, {@code coalesced}, {@code stale}),
 * empty or null when it had no part in the transaction and for a summary; it is the last column so that readers of
 * the columns before it are not disturbed.
 *
 * <p>Absent values: id 0 or an undefined id is {@code -} in a line and empty or null elsewhere; so are status 0
 * (nothing was answered) and negative durations or byte counts (the writer's "not measured").
 */
final class TransactionText {
    /** CSV columns, in order; the JSON members have the same names. */
    static final String[] COLUMNS = {
        "index", "transaction", "start", "consumer", "service", "endpoint", "method", "status", "outcome",
        "total_ns", "upstream_ns", "request_bytes", "response_bytes", "client", "client_port",
        "request_body_sha256", "response_body_sha256", "chain_hash", "kind", "count", "summary_reason",
        "last_transaction", "end", "cache"
    };
    static final String KIND_TRANSACTION = "transaction";
    static final String KIND_SUMMARY = "refusal-summary";

    private static final HexFormat HEX = HexFormat.of();
    private static final DateTimeFormatter LINE_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSS xxx");
    private static final String NONE = "-";

    private final JournalNames dictionary;
    private final DateTimeFormatter lineTime;
    private final byte[] ipv4 = new byte[4];
    private final byte[] ipv6 = new byte[16];
    private final byte[] sha256 = new byte[TransactionRecordFlyweight.SHA256_LENGTH];
    private final String[] values = new String[COLUMNS.length];

    /** @param zone the zone of times in readable lines (JSON and CSV times are UTC instants) */
    TransactionText(JournalNames dictionary, ZoneId zone) {
        this.dictionary = dictionary;
        this.lineTime = LINE_TIME.withZone(zone);
    }

    /** The CSV header row, CRLF-terminated. */
    static void csvHeader(StringBuilder out) {
        for (int i = 0; i < COLUMNS.length; i++) {
            out.append(i == 0 ? "" : ",").append(COLUMNS[i]);
        }
        out.append("\r\n");
    }

    /**
     * {@code 2025-03-21 12:00:00.123 +03:30  0195b3c2-...  snapp  GET nocr/identity  200 ok  12.345 ms (upstream
     * 11.900 ms)  req 0 B  resp 1234 B  127.0.0.1:54321}; an IPv6 client is bracketed, {@code [::1]:54321}. When the
     * service's cache had a part in it, {@code  cache cached} (or miss, coalesced, stale) follows.
     */
    void line(TransactionRecordFlyweight r, StringBuilder out) {
        out.append(lineTime.format(instant(r.startEpochNanos()))).append("  ")
                .append(TransactionIds.toText(r.txIdMsb(), r.txIdLsb())).append("  ")
                .append(orNone(name(DictionaryEntryFlyweight.KIND_CONSUMER, r.consumerId()))).append("  ")
                .append(method(r.methodCode())).append(' ')
                .append(orNone(name(DictionaryEntryFlyweight.KIND_SERVICE, r.serviceId()))).append("  ")
                .append(r.httpStatus() == 0 ? NONE : Integer.toString(r.httpStatus())).append(' ')
                .append(outcome(r.outcomeCode())).append("  ");
        millis(r.totalDurationNanos(), out);
        out.append(" (upstream ");
        millis(r.upstreamDurationNanos(), out);
        out.append(")  req ").append(bytes(r.requestBytes())).append("  resp ").append(bytes(r.responseBytes()))
                .append("  ").append(r.clientAddressIsIpv6() ? "[" + client(r) + "]" : client(r)).append(':')
                .append(r.clientPort());
        String cache = cache(r.cacheResult());
        if (cache != null) {
            out.append("  cache ").append(cache);
        }
    }

    /**
     * {@code 2025-03-21 12:00:00.123 +03:30  SUMMARY 42 answered without a record of their own (journal-backlog):
     * 0195b3c2-...  to  0195b3c2-...  snapp  nocr/identity  503 journal-unavailable  until 12:00:01.456  client
     * 127.0.0.1}; {@code client -} when it counts no one address.
     */
    void line(RefusalSummaryFlyweight r, StringBuilder out) {
        out.append(lineTime.format(instant(r.intervalStartEpochNanos()))).append("  SUMMARY ").append(r.count())
                .append(" answered without a record of their own (").append(SummaryReason.name(r.reason()))
                .append("): ").append(TransactionIds.toText(r.firstTxIdMsb(), r.firstTxIdLsb())).append("  to  ")
                .append(TransactionIds.toText(r.lastTxIdMsb(), r.lastTxIdLsb())).append("  ")
                .append(orNone(name(DictionaryEntryFlyweight.KIND_CONSUMER, r.consumerId()))).append("  ")
                .append(orNone(name(DictionaryEntryFlyweight.KIND_SERVICE, r.serviceId()))).append("  ")
                .append(r.httpStatus() == 0 ? NONE : Integer.toString(r.httpStatus())).append(' ')
                .append(outcome(r.outcomeCode())).append("  until ")
                .append(lineTime.format(instant(r.intervalEndEpochNanos())), 11, 23).append("  client ")
                .append(r.hasClientAddress() ? client(r) : NONE);
    }

    /** One JSON object, no line terminator; {@code index} is the queue index of the record's excerpt. */
    void json(long index, TransactionRecordFlyweight r, StringBuilder out) {
        fill(index, r);
        json(out);
    }

    /** A summary as one JSON object, no line terminator. */
    void json(long index, RefusalSummaryFlyweight r, StringBuilder out) {
        fill(index, r);
        json(out);
    }

    private void json(StringBuilder out) {
        out.append('{');
        for (int i = 0; i < COLUMNS.length; i++) {
            out.append(i == 0 ? "\"" : ",\"").append(COLUMNS[i]).append("\":");
            String value = values[i];
            if (value == null) {
                out.append("null");
            } else if (isNumber(i)) {
                out.append(value);
            } else {
                Json.writeString(out, value);
            }
        }
        out.append('}');
    }

    /** One CSV row, CRLF-terminated (RFC 4180 §2); {@code index} is the queue index of the record's excerpt. */
    void csv(long index, TransactionRecordFlyweight r, StringBuilder out) {
        fill(index, r);
        csv(out);
    }

    /** A summary as one CSV row, CRLF-terminated. */
    void csv(long index, RefusalSummaryFlyweight r, StringBuilder out) {
        fill(index, r);
        csv(out);
    }

    private void csv(StringBuilder out) {
        for (int i = 0; i < COLUMNS.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            csvField(values[i], out);
        }
        out.append("\r\n");
    }

    private void fill(long index, TransactionRecordFlyweight r) {
        int i = 0;
        values[i++] = Long.toString(index);
        values[i++] = TransactionIds.toText(r.txIdMsb(), r.txIdLsb());
        values[i++] = instant(r.startEpochNanos()).toString();
        values[i++] = name(DictionaryEntryFlyweight.KIND_CONSUMER, r.consumerId());
        values[i++] = name(DictionaryEntryFlyweight.KIND_SERVICE, r.serviceId());
        values[i++] = name(DictionaryEntryFlyweight.KIND_ENDPOINT, r.endpointId());
        values[i++] = r.methodCode() == MethodCode.UNKNOWN ? null : method(r.methodCode());
        values[i++] = r.httpStatus() == 0 ? null : Integer.toString(r.httpStatus());
        values[i++] = outcome(r.outcomeCode());
        values[i++] = measured(r.totalDurationNanos());
        values[i++] = measured(r.upstreamDurationNanos());
        values[i++] = measured(r.requestBytes());
        values[i++] = measured(r.responseBytes());
        values[i++] = client(r);
        values[i++] = Integer.toString(r.clientPort());
        if (r.hasBodyHashes()) {
            r.getRequestBodySha256(sha256, 0);
            values[i++] = HEX.formatHex(sha256);
            r.getResponseBodySha256(sha256, 0);
            values[i++] = HEX.formatHex(sha256);
        } else {
            values[i++] = null;
            values[i++] = null;
        }
        r.getChainHash(sha256, 0);
        values[i++] = HEX.formatHex(sha256);
        values[i++] = KIND_TRANSACTION;
        values[i++] = "1";
        values[i++] = null;
        values[i++] = null;
        values[i++] = null;
        values[i] = cache(r.cacheResult());
    }

    private void fill(long index, RefusalSummaryFlyweight r) {
        int i = 0;
        values[i++] = Long.toString(index);
        values[i++] = TransactionIds.toText(r.firstTxIdMsb(), r.firstTxIdLsb());
        values[i++] = instant(r.intervalStartEpochNanos()).toString();
        values[i++] = name(DictionaryEntryFlyweight.KIND_CONSUMER, r.consumerId());
        values[i++] = name(DictionaryEntryFlyweight.KIND_SERVICE, r.serviceId());
        values[i++] = null;
        values[i++] = null;
        values[i++] = r.httpStatus() == 0 ? null : Integer.toString(r.httpStatus());
        values[i++] = outcome(r.outcomeCode());
        values[i++] = null;
        values[i++] = null;
        values[i++] = null;
        values[i++] = null;
        values[i++] = r.hasClientAddress() ? client(r) : null;
        values[i++] = null;
        values[i++] = null;
        values[i++] = null;
        r.getChainHash(sha256, 0);
        values[i++] = HEX.formatHex(sha256);
        values[i++] = KIND_SUMMARY;
        values[i++] = Long.toString(r.count());
        values[i++] = SummaryReason.name(r.reason());
        values[i++] = TransactionIds.toText(r.lastTxIdMsb(), r.lastTxIdLsb());
        values[i++] = instant(r.intervalEndEpochNanos()).toString();
        values[i] = null;
    }

    private static boolean isNumber(int column) {
        return switch (COLUMNS[column]) {
            case "index", "status", "total_ns", "upstream_ns", "request_bytes", "response_bytes", "client_port",
                 "count" -> true;
            default -> false;
        };
    }

    /** RFC 4180 §2: a field with a comma, quote, CR or LF is quoted, its quotes doubled. Null is empty. */
    static void csvField(String value, StringBuilder out) {
        if (value == null) {
            return;
        }
        boolean quote = false;
        for (int i = 0; i < value.length() && !quote; i++) {
            char c = value.charAt(i);
            quote = c == ',' || c == '"' || c == '\r' || c == '\n';
        }
        if (!quote) {
            out.append(value);
            return;
        }
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            out.append(c);
            if (c == '"') {
                out.append('"');
            }
        }
        out.append('"');
    }

    /** The outcome's code word ({@code ok}, {@code rate-limited}, ...), or {@code unknown-N} for a code not known here. */
    static String outcome(int code) {
        Outcome outcome = OutcomeCode.toOutcome(code);
        return outcome == null ? "unknown-" + code : outcome.code();
    }

    /**
     * The cache result's journal name ({@code cached}, ...), null for 0 (none), {@code unknown-N} for a code a later
     * version wrote and this one does not know.
     */
    static String cache(int code) {
        if (code == 0) {
            return null;
        }
        CacheResult result = CacheResult.ofCode(code);
        return result == null ? "unknown-" + code : result.journalName();
    }

    private String name(int kind, int id) {
        return id == JournalNames.NONE ? null : dictionary.name(kind, id);
    }

    private String client(TransactionRecordFlyweight r) {
        byte[] address = r.clientAddressIsIpv6() ? ipv6 : ipv4;
        r.getClientAddress(address, 0);
        return client(address);
    }

    private String client(RefusalSummaryFlyweight r) {
        byte[] address = r.clientAddressIsIpv6() ? ipv6 : ipv4;
        r.getClientAddress(address, 0);
        return client(address);
    }

    private static String client(byte[] address) {
        try {
            return InetAddress.getByAddress(address).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4- or 16-byte address is always an address", e);
        }
    }

    private static String method(int code) {
        return code == MethodCode.UNKNOWN ? NONE : MethodCode.toMethod(code).name();
    }

    private static Instant instant(long epochNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
    }

    private static String measured(long value) {
        return value < 0 ? null : Long.toString(value);
    }

    private static String orNone(String value) {
        return value == null ? NONE : value;
    }

    private static String bytes(long value) {
        return value < 0 ? NONE : value + " B";
    }

    /** Nanoseconds as milliseconds with three decimals. */
    private static void millis(long nanos, StringBuilder out) {
        if (nanos < 0) {
            out.append(NONE);
            return;
        }
        long micros = nanos / 1_000;
        out.append(micros / 1_000).append('.');
        long fraction = micros % 1_000;
        out.append(fraction < 100 ? (fraction < 10 ? "00" : "0") : "").append(fraction).append(" ms");
    }
}
