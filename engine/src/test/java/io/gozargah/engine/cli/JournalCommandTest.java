package io.gozargah.engine.cli;

import io.gozargah.codec.journal.RecordType;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import io.gozargah.engine.config.ConfigLoader;
import io.gozargah.engine.exchange.Outcome;
import io.gozargah.engine.journal.JournalQueue;
import io.gozargah.engine.journal.KnownCacheJournal;
import io.gozargah.engine.journal.KnownCountsJournal;
import io.gozargah.engine.journal.SyntheticJournal;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** {@code gozargah journal ...} in-process, on journals written the way the gateway writes them. */
class JournalCommandTest {
    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    /** {@link KnownCountsJournal}: 16 transactions with known counts per month, provider and consumer. */
    private static String known;

    @BeforeAll
    static void writeKnownJournal() {
        KnownCountsJournal.write(shared.resolve("known"));
        known = shared.resolve("known").toString();
    }

    @Test
    void shouldPrintTheMonthsInThePersianCalendarAsATable() {
        CommandRun run = ok("journal", "report", "--by", "month", "--calendar", "persian", "--journal", known);

        assertLine(run.out(), "16 transactions, 1403/12/07 to 1404/02/05 \\(persian calendar, Asia/Tehran\\)");
        assertLine(run.out(), "Month +Transactions +Share +Providers +Services +Consumers");
        assertLine(run.out(), "Esfand 1403 +5 +31\\.3% +2 +2 +2 +partial");
        assertLine(run.out(), "Farvardin 1404 +10 +62\\.5% +3 +3 +3 +busiest");
        assertLine(run.out(), "Ordibehesht 1404 +1 +6\\.3% +1 +1 +1 +quietest, partial");
        assertLine(run.out(), "Total +16 +100\\.0% +3 +3 +3");
        assertLine(run.out(), "ok +15 +93\\.8%");
        assertLine(run.out(), "rate-limited +1 +6\\.3%");
        assertColumnsAligned(run.out(), "Farvardin 1404", "Ordibehesht 1404");
    }

    @Test
    void shouldPrintTheMonthsInTheGregorianCalendar() {
        CommandRun run = ok("journal", "report", "--calendar", "gregorian", "--journal", known);

        assertLine(run.out(), "February 2025 +2 +12\\.5% +1 +1 +1 +quietest, partial");
        assertLine(run.out(), "March 2025 +8 +50\\.0% +2 +2 +3 +busiest");
        assertLine(run.out(), "April 2025 +6 +37\\.5% +2 +2 +3 +partial");
    }

    @Test
    void shouldRankProvidersAndConsumersByVolume() {
        CommandRun providers = ok("journal", "report", "--by", "provider", "--journal", known);
        assertLine(providers.out(), "# +Provider +Transactions +Share +Consumers +Services");
        assertLine(providers.out(), "1 +post +7 +43\\.8% +2 +1");
        assertLine(providers.out(), "2 +nocr +6 +37\\.5% +2 +1");
        assertLine(providers.out(), "3 +sms +3 +18\\.8% +2 +1");

        CommandRun consumers = ok("journal", "report", "--by", "consumer", "--top", "2", "--journal", known);
        assertLine(consumers.out(), "1 +snapp +7 +43\\.8% +2 +2");
        assertLine(consumers.out(), "2 +tapsi +5 +31\\.3% +2 +2");
        assertFalse(consumers.out().contains("medu"), consumers.out());
        assertLine(consumers.out(), "\\.\\.\\. and 1 more \\(--top 0 shows all\\)");

        CommandRun services = ok("journal", "report", "--by", "service", "--journal", known);
        assertLine(services.out(), "1 +post/address +7 +43\\.8% +2 +1");
    }

    @Test
    void shouldCountOnlyThePeriodGivenInTheCalendarOrAsInstants() {
        CommandRun farvardin = ok("journal", "report", "--from", "۱۴۰۴-۰۱-۰۱", "--to", "1404/01", "--journal", known);
        assertLine(farvardin.out(), "10 transactions, 1404/01/01 to 1404/01/26 .*period ۱۴۰۴-۰۱-۰۱ to 1404/01\\)");
        assertLine(farvardin.out(), "Farvardin 1404 +10 +100\\.0% +3 +3 +3");
        assertFalse(farvardin.out().contains("Esfand"), farvardin.out());

        CommandRun instants = ok("journal", "report", "--calendar", "gregorian", "--from", "2025-03-21T00:00:00+03:30",
                "--to", "2025-04-15T12:00:00Z", "--journal", known);
        assertLine(instants.out(), "10 transactions, 2025-03-21 to 2025-04-15 .*");

        CommandRun none = ok("journal", "report", "--from", "1405-01-01", "--journal", known);
        assertLine(none.out(), "No transactions in this period\\.");
    }

    @Test
    void shouldWriteTheReportAsJsonForMachines() {
        CommandRun run = ok("journal", "report", "--json", "--journal", known);
        String json = run.out();
        assertTrue(json.startsWith("{\"journal\":"), json);
        assertTrue(json.contains("{\"month\":\"1404-01\",\"label\":\"Farvardin 1404\",\"transactions\":10,\"providers\":3,"
                + "\"services\":3,\"consumers\":3,\"partial\":false,\"busiest\":true,\"quietest\":false}"), json);
        assertTrue(json.contains("{\"name\":\"post\",\"transactions\":7,"), json);
        assertTrue(json.contains("{\"outcome\":\"rate-limited\",\"code\":10,\"transactions\":1}"), json);
        assertEquals(1, json.lines().count());
    }

    @Test
    void shouldReportTheCacheHitRatioPerServiceAndMonth() {
        KnownCacheJournal.write(dir);
        CommandRun run = ok("journal", "report", "--by", "cache", "--journal", dir.toString());

        assertLine(run.out(), "Service +Month +Miss +Cached +Coalesced +Stale +Hit ratio");
        assertLine(run.out(), "nocr/identity +Farvardin 1404 +1 +3 +1 +0 +80\\.0%");
        assertLine(run.out(), "nocr/identity +Ordibehesht 1404 +1 +0 +0 +1 +50\\.0%");
        assertLine(run.out(), "post/address +Esfand 1403 +2 +0 +0 +0 +0\\.0%");
        assertLine(run.out(), "Total +4 +3 +1 +1 +55\\.6%");
        assertFalse(run.out().contains("sms/send"), "no result, or one this version cannot name, is left out:\n"
                + run.out());
        assertColumnsAligned(run.out(), "nocr/identity  Farvardin", "post/address");
        assertLine(run.out(), "journal-unavailable +50 .*");

        CommandRun gregorian = ok("journal", "report", "--by", "cache", "--calendar", "gregorian", "--to", "2025-04-01",
                "--journal", dir.toString());
        assertLine(gregorian.out(), "nocr/identity +March 2025 +1 +3 +1 +0 +80\\.0%");
        assertFalse(gregorian.out().contains("April"), gregorian.out());
    }

    @Test
    void shouldSayWhenNoTransactionWentThroughACache() {
        CommandRun run = ok("journal", "report", "--by", "cache", "--journal", known);
        assertLine(run.out(), "No transaction in this period went through a service's cache\\.");
        assertLine(run.out(), "ok +15 +93\\.8%");
    }

    @Test
    void shouldPutTheCacheTableInTheJsonReport() {
        KnownCacheJournal.write(dir);
        String json = ok("journal", "report", "--json", "--journal", dir.toString()).out();

        assertTrue(json.contains(",\"cache\":[{\"service\":\"nocr/identity\",\"month\":\"1404-01\",\"label\":"
                + "\"Farvardin 1404\",\"miss\":1,\"cached\":3,\"coalesced\":1,\"stale\":0,\"hit_ratio\":0.8000},"
                + "{\"service\":\"nocr/identity\",\"month\":\"1404-02\",\"label\":\"Ordibehesht 1404\",\"miss\":1,"
                + "\"cached\":0,\"coalesced\":0,\"stale\":1,\"hit_ratio\":0.5000},{\"service\":\"post/address\","
                + "\"month\":\"1403-12\",\"label\":\"Esfand 1403\",\"miss\":2,\"cached\":0,\"coalesced\":0,"
                + "\"stale\":0,\"hit_ratio\":0.0000}]}"), json);
        assertTrue(ok("journal", "report", "--json", "--journal", known).out().endsWith(",\"cache\":[]}\n"));
    }

    @Test
    void shouldVerifyAnIntactJournal() {
        CommandRun run = ok("journal", "verify", "--journal", known);
        assertLine(run.out(), "journal .*known: intact: 16 transaction records chained from the journal's start, 7 "
                + "dictionary entries consistent; chain head [0-9a-f]{64}");
    }

    @Test
    void shouldExitNonZeroNamingTheFirstBrokenRecord() {
        List<SyntheticJournal.Excerpt> excerpts = SyntheticJournal.excerpts(Path.of(known));
        int last = excerpts.size() - 1;
        byte[] edited = excerpts.get(last).bytes().clone();
        edited[TransactionRecordFlyweight.HTTP_STATUS_OFFSET] ^= 1;
        excerpts.set(last, new SyntheticJournal.Excerpt(RecordType.TRANSACTION, edited));
        SyntheticJournal.write(dir, excerpts);

        CommandRun run = CommandRun.of("journal", "verify", "--journal", dir.toString());

        assertEquals(1, run.exitCode(), run.out() + run.err());
        assertLine(run.out(), "journal .*: BROKEN at record 22 \\(cycle \\d+ #22, index 0x[0-9a-f]+\\), transaction "
                + "01950000-0000-7000-8000-000000000010: chain hash mismatch: this record was altered, or a record "
                + "before it was removed, inserted or reordered");
    }

    @Test
    void shouldReportARecordItCannotDecodeAsBroken() {
        try (SyntheticJournal journal = SyntheticJournal.create(dir)) {
            journal.transaction().append();
            byte[] future = new byte[TransactionRecordFlyweight.LENGTH_WITHOUT_BODY_HASHES];
            future[TransactionRecordFlyweight.SCHEMA_VERSION_OFFSET] = 3;
            // a newer writer's record, chain hash and all: not a torn write (those end in zeros)
            Arrays.fill(future, TransactionRecordFlyweight.chainHashOffset(false), future.length, (byte) 7);
            journal.append(RecordType.TRANSACTION, future, 0, future.length);
        }

        CommandRun verify = CommandRun.of("journal", "verify", "--journal", dir.toString());
        assertEquals(1, verify.exitCode());
        assertLine(verify.out(), "journal .*: BROKEN at record 4 .*: transaction record schema version 3 is not "
                + "supported \\(this reader knows version 2\\)");

        CommandRun report = CommandRun.of("journal", "report", "--journal", dir.toString());
        assertEquals(1, report.exitCode());
        assertOneLineError(report, "gozargah: record 4 .*: transaction record schema version 3 is not supported.*");
    }

    @Test
    void shouldFailOnATruncatedExcerpt() {
        try (SyntheticJournal journal = SyntheticJournal.create(dir)) {
            byte[] record = new byte[TransactionRecordFlyweight.LENGTH_WITHOUT_BODY_HASHES];
            record[TransactionRecordFlyweight.SCHEMA_VERSION_OFFSET] = TransactionRecordFlyweight.SCHEMA_VERSION;
            journal.append(RecordType.TRANSACTION, record, 0, 100);
        }
        CommandRun run = CommandRun.of("journal", "tail", "--journal", dir.toString());
        assertEquals(1, run.exitCode());
        assertOneLineError(run, "gozargah: damaged tail \\(the last write was cut short, .*\\): record 0 .*: truncated"
                + " excerpt: 100 bytes, shorter than a transaction record \\(144 bytes, 208 with body hashes\\)");
    }

    @Test
    void shouldTailTheLastTransactionsOneLineEach() {
        CommandRun run = ok("journal", "tail", "-n", "2", "--journal", known);
        List<String> lines = run.out().lines().toList();
        assertEquals(2, lines.size(), run.out());
        assertTrue(lines.get(0).matches("2025-04-15 12:30:00\\.000 \\+03:30  01950000-0000-7000-8000-00000000000f  tapsi"
                + "  GET sms/send  200 ok  12\\.345 ms \\(upstream 11\\.000 ms\\)  req 0 B  resp 512 B  127\\.0\\.0\\.1:54321"),
                lines.get(0));
        assertTrue(lines.get(1).contains("snapp  GET nocr/identity  429 rate-limited"), lines.get(1));

        assertEquals(16, ok("journal", "tail", "-n", "100", "--journal", known).out().lines().count());
        assertEquals("", ok("journal", "tail", "-n", "0", "--journal", known).out());
        assertEquals("2025-04-25 08:00:00.000 +00:00", ok("journal", "tail", "-n", "1", "--zone", "UTC", "--journal", known)
                .out().substring(0, 30));
    }

    @Test
    void shouldBracketAnIpv6ClientBeforeItsPort() {
        byte[] loopback = new byte[16];
        loopback[15] = 1;
        try (SyntheticJournal journal = SyntheticJournal.create(dir)) {
            journal.transaction().client(loopback).append();
        }
        assertTrue(ok("journal", "tail", "--journal", dir.toString()).out().strip().endsWith("  [0:0:0:0:0:0:0:1]:54321"));
        assertTrue(ok("journal", "export", "--format", "jsonl", "--journal", dir.toString()).out()
                .contains("\"client\":\"0:0:0:0:0:0:0:1\",\"client_port\":54321"));
    }

    @Test
    void shouldTailAsJsonLines() {
        List<String> lines = ok("journal", "tail", "-n", "3", "--json", "--journal", known).out().lines().toList();
        assertEquals(3, lines.size());
        assertTrue(lines.get(2).matches("\\{\"index\":\\d+,\"transaction\":\"01950000-0000-7000-8000-000000000010\","
                + "\"start\":\"2025-04-25T08:00:00Z\",\"consumer\":\"snapp\",\"service\":\"nocr/identity\",\"endpoint\":"
                + "\"http://127.0.0.1:9201\",\"method\":\"GET\",\"status\":429,\"outcome\":\"rate-limited\",\"total_ns\":"
                + "12345678,\"upstream_ns\":11000000,\"request_bytes\":0,\"response_bytes\":512,\"client\":\"127.0.0.1\","
                + "\"client_port\":54321,\"request_body_sha256\":null,\"response_body_sha256\":null,\"chain_hash\":"
                + "\"[0-9a-f]{64}\",\"kind\":\"transaction\",\"count\":1,\"summary_reason\":null,\"last_transaction\":null,"
                + "\"end\":null,\"cache\":null}"), lines.get(2));
    }

    @Test
    void shouldFollowALiveJournalUntilInterrupted() throws Exception {
        try (SyntheticJournal journal = SyntheticJournal.create(dir)) {
            journal.transaction().id(0x0195L, 1).append();
            LineWriter out = new LineWriter(2);
            StringWriter err = new StringWriter();
            int[] exit = {-1};
            Thread tail = new Thread(() -> exit[0] = Main.commandLine(
                    new GatewayProcess(ConfigLoader::load, code -> fail("exit(" + code + ")")),
                    new PrintWriter(out, true), new PrintWriter(err, true))
                    .execute("journal", "tail", "--follow", "--journal", dir.toString()), "tail-follow");
            tail.start();

            journal.transaction().id(0x0195L, 2).consumer("tapsi").append();
            assertTrue(out.lines.await(10, TimeUnit.SECONDS), "followed lines: " + out + err);

            tail.interrupt();
            tail.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(tail.isAlive(), "tail --follow stops when interrupted");
            assertEquals(0, exit[0], err.toString());
            List<String> lines = out.toString().lines().toList();
            assertTrue(lines.get(0).contains("00000000-0000-0195-0000-000000000001  snapp"), lines.get(0));
            assertTrue(lines.get(1).contains("00000000-0000-0195-0000-000000000002  tapsi"), lines.get(1));
        }
    }

    @Test
    void shouldExportEveryFieldAsCsvQuotedAsRfc4180Says() throws IOException {
        byte[] requestHash = new byte[32];
        byte[] responseHash = new byte[32];
        Arrays.fill(requestHash, (byte) 0xAB);
        Arrays.fill(responseHash, (byte) 0x01);
        try (SyntheticJournal journal = SyntheticJournal.create(dir)) {
            journal.transaction().consumer("شهرداری \"تهران\", منطقه ۱").bodyHashes(requestHash, responseHash).append();
            journal.transaction().consumer(null).service(null).endpoint(null).durations(1_000, -1).append();
        }
        Path file = dir.resolve("out.csv");
        ok("journal", "export", "--format", "csv", "--output", file.toString(), "--journal", dir.toString());

        String csv = Files.readString(file, StandardCharsets.UTF_8);
        String[] rows = csv.split("\r\n", -1);
        assertEquals(4, rows.length, csv);
        assertEquals("", rows[3], "every row ends in CRLF");
        assertEquals(String.join(",", TransactionText.COLUMNS), rows[0]);
        assertTrue(rows[1].matches("\\d+,01950000-0000-7000-8000-000000000001,2025-03-25T08:30:00Z,"
                + "\"شهرداری \"\"تهران\"\", منطقه ۱\",nocr/identity,http://127\\.0\\.0\\.1:9201,GET,200,ok,12345678,"
                + "11000000,0,512,127\\.0\\.0\\.1,54321," + "ab".repeat(32) + "," + "01".repeat(32) + ",[0-9a-f]{64},"
                + "transaction,1,,,,"), rows[1]);
        assertTrue(rows[2].matches("\\d+,01950000-0000-7000-8000-000000000002,2025-03-25T08:30:00Z,,,,GET,200,ok,1000,,0,"
                + "512,127\\.0\\.0\\.1,54321,,,[0-9a-f]{64},transaction,1,,,,"), rows[2]);
    }

    @Test
    void shouldShowWhatTheCacheDidLastInEveryFormatAndNothingWhereItHadNoPart() {
        try (SyntheticJournal journal = SyntheticJournal.create(dir)) {
            journal.transaction().cacheResult(2).append();
            journal.transaction().append();
            journal.transaction().cacheResult(3).append();
            journal.transaction().cacheResult(7).append();
        }
        String journal = dir.toString();

        List<String> tail = ok("journal", "tail", "--journal", journal).out().lines().toList();
        assertEquals(4, tail.size());
        assertTrue(tail.get(0).endsWith("  127.0.0.1:54321  cache cached"), tail.get(0));
        assertTrue(tail.get(1).endsWith("  127.0.0.1:54321"), tail.get(1));
        assertFalse(tail.get(1).contains("cache"), tail.get(1));
        assertTrue(tail.get(2).endsWith("  cache coalesced"), tail.get(2));
        assertTrue(tail.get(3).endsWith("  cache unknown-7"), "a code a later version wrote: " + tail.get(3));

        String[] csv = ok("journal", "export", "--format", "csv", "--journal", journal).out().split("\r\n");
        assertEquals(5, csv.length);
        assertTrue(csv[0].endsWith(",last_transaction,end,cache"), "cache is the last column: " + csv[0]);
        assertTrue(csv[1].endsWith(",transaction,1,,,,cached"), csv[1]);
        assertTrue(csv[2].endsWith(",transaction,1,,,,"), csv[2]);
        assertTrue(csv[3].endsWith(",transaction,1,,,,coalesced"), csv[3]);
        for (String row : csv) {
            assertEquals(TransactionText.COLUMNS.length, row.split(",", -1).length, row);
        }

        List<String> json = ok("journal", "export", "--format", "jsonl", "--journal", journal).out().lines().toList();
        assertTrue(json.get(0).endsWith(",\"end\":null,\"cache\":\"cached\"}"), json.get(0));
        assertTrue(json.get(1).endsWith(",\"end\":null,\"cache\":null}"), json.get(1));
        assertTrue(json.get(2).endsWith(",\"cache\":\"coalesced\"}"), json.get(2));
    }

    /** A journal with a transaction, a refusal summary of 250 and another transaction. */
    private void writeJournalWithASummary() {
        try (SyntheticJournal journal = SyntheticJournal.create(dir)) {
            journal.transaction().append();
            journal.summary("snapp", "nocr/identity", Outcome.JOURNAL_UNAVAILABLE, 503, 250,
                    Instant.parse("2025-03-25T08:31:00Z"), 0x0195_0000_0000_7000L, 0x8000_0000_0000_0063L);
            journal.transaction().append();
        }
    }

    @Test
    void shouldTellASummaryApartInEveryCommandAndCountItsAnswers() {
        writeJournalWithASummary();
        String journal = dir.toString();

        assertLine(ok("journal", "verify", "--journal", journal).out(), "journal .*: intact: 2 transaction records and 1"
                + " refusal summaries \\(counting 250 answers without a record of their own\\) chained from the journal's"
                + " start, .*");

        List<String> tail = ok("journal", "tail", "--zone", "UTC", "--journal", journal).out().lines().toList();
        assertEquals(3, tail.size());
        assertEquals("2025-03-25 08:31:00.000 +00:00  SUMMARY 250 answered without a record of their own"
                + " (journal-backlog): 01950000-0000-7000-8000-000000000063  to  01950000-0000-70f9-8000-000000000063"
                + "  snapp  nocr/identity  503 journal-unavailable  until 08:31:00.001  client 10.0.0.9", tail.get(1));

        String[] csv = ok("journal", "export", "--format", "csv", "--journal", journal).out().split("\r\n");
        assertEquals(4, csv.length);
        assertTrue(csv[2].matches("\\d+,01950000-0000-7000-8000-000000000063,2025-03-25T08:31:00Z,snapp,nocr/identity,,,503,"
                + "journal-unavailable,,,,,10\\.0\\.0\\.9,,,,[0-9a-f]{64},refusal-summary,250,journal-backlog,"
                + "01950000-0000-70f9-8000-000000000063,2025-03-25T08:31:00\\.001Z,"), csv[2]);

        String report = ok("journal", "report", "--by", "consumer", "--journal", journal).out();
        assertTrue(report.contains("252 transactions, ") && report.contains("(250 of them answered without a record of"
                + " their own, counted in refusal summaries)"), report);
        assertTrue(report.matches("(?s).*journal-unavailable +250 .*"), report);
        assertTrue(ok("journal", "report", "--json", "--journal", journal).out()
                .contains("\"transactions\":252,\"summarized\":250,"));
    }

    @Test
    void shouldExportJsonLinesWithinThePeriod() {
        String jsonl = ok("journal", "export", "--format", "jsonl", "--from", "1404-02-01", "--journal", known).out();
        assertEquals(1, jsonl.lines().count(), jsonl);
        assertTrue(jsonl.startsWith("{\"index\":"), jsonl);
        assertTrue(jsonl.contains("\"outcome\":\"rate-limited\""), jsonl);

        assertEquals(17, ok("journal", "export", "--format", "csv", "--journal", known).out().split("\r\n").length);
    }

    @Test
    void shouldFindTheJournalThroughTheConfigRelativeToIt() throws IOException, CliFailure {
        Path config = shared.resolve("gateway.yaml");
        Files.writeString(config, "journal:\n  dir: known\n");
        assertLine(ok("journal", "verify", "--config", config.toString()).out(), "journal .*known: intact.*");

        Path home = dir.resolve("home");
        Files.createDirectories(home.resolve("config"));
        Files.writeString(home.resolve("config/demo.yaml"), "journal:\n  dir: " + known + "\n");
        assertEquals(Path.of(known), new JournalLocation().directory(Map.of(DemoCommand.HOME_VARIABLE, home.toString())));
    }

    @Test
    void shouldSayWhenThereIsNoJournalInOneLine() throws IOException {
        assertFailure(1, "gozargah: no journal at .*nope: no such directory", "report", "--journal", dir.resolve("nope").toString());
        assertFailure(1, "gozargah: no journal at .*: it has no queue folder", "verify", "--journal", dir.toString());
        Files.createDirectories(dir.resolve(JournalQueue.QUEUE_DIRECTORY));
        assertFailure(1, "gozargah: the journal at .* is empty: .*queue holds no cycle file \\(\\*\\.cq4\\)", "tail",
                "--journal", dir.toString());

        Path noJournal = dir.resolve("plain.yaml");
        Files.writeString(noJournal, "server:\n  shutdownGrace: 5s\n");
        assertFailure(2, "gozargah: .*plain\\.yaml: no journal\\.dir: this configuration keeps no journal \\(name one "
                + "with --journal DIR\\)", "report", "--config", noJournal.toString());
        assertFailure(2, "gozargah: .*missing\\.yaml: no such file", "report", "--config", dir.resolve("missing.yaml").toString());
        assertFailure(2, "gozargah: give --journal or --config, not both", "report", "--journal", known, "--config",
                noJournal.toString());
    }

    @Test
    void shouldRefuseBadDatesAsUsageErrors() {
        assertFailure(2, "gozargah: --from 1404-02-01 is not before --to 1404-01-31: the period is empty",
                "report", "--from", "1404-02-01", "--to", "1404-01-31", "--journal", known);
        assertFailure(2, "gozargah: --from: '1404-12-30' is not a day of the persian calendar \\(day 30 out of 1\\.\\.29 for "
                + "1404/12\\)", "report", "--from", "1404-12-30", "--journal", known);
        assertFailure(2, "gozargah: --to: '2025-02-30' is not a day of the gregorian calendar .*",
                "report", "--calendar", "gregorian", "--to", "2025-02-30", "--journal", known);
        assertFailure(2, "gozargah: --from: 'yesterday' is not a date: expected YYYY-MM-DD or YYYY-MM in the persian "
                + "calendar, or an ISO-8601 instant such as 2025-03-21T00:00:00Z", "report", "--from", "yesterday",
                "--journal", known);
        assertFailure(2, "gozargah: --from: '2025-03-21' is read in the persian calendar, where year 2025 is far in the "
                + "future; for a Gregorian date add --calendar gregorian", "export", "--format", "csv", "--from",
                "2025-03-21", "--journal", known);
        assertFailure(2, "gozargah: --calendar: unknown calendar 'julian' \\(persian or gregorian\\)", "report",
                "--calendar", "julian", "--journal", known);
        assertFailure(2, "gozargah: --zone: 'Mars/Base' is not a time zone \\(such as Asia/Tehran or UTC\\)", "tail",
                "--zone", "Mars/Base", "--journal", known);
        assertFailure(2, "gozargah: --lines: -1 is negative", "tail", "-n", "-1", "--journal", known);
    }

    @Test
    void shouldAskForAJournalCommand() {
        CommandRun run = CommandRun.of("journal");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().startsWith("gozargah journal: a command is required (tail, report, verify, export,"
                + " repair, subject or checkpoints)"),
                run.err());
    }

    private static CommandRun ok(String... args) {
        CommandRun run = CommandRun.of(args);
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("", run.err());
        return run;
    }

    private static void assertFailure(int exitCode, String errorLine, String... journalArgs) {
        String[] args = new String[journalArgs.length + 1];
        args[0] = "journal";
        System.arraycopy(journalArgs, 0, args, 1, journalArgs.length);
        CommandRun run = CommandRun.of(args);
        assertEquals(exitCode, run.exitCode(), run.out() + run.err());
        assertOneLineError(run, errorLine);
        assertEquals("", run.out());
    }

    private static void assertOneLineError(CommandRun run, String errorLine) {
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().strip().matches(errorLine), () -> "expected /" + errorLine + "/, got: " + run.err());
    }

    private static void assertLine(String text, String regex) {
        Pattern line = Pattern.compile("(?m)^" + regex + "$");
        assertTrue(line.matcher(text).find(), () -> "no line /" + regex + "/ in:\n" + text);
    }

    /** The numbers of two rows end in the same columns: the table is fixed-width. */
    private static void assertColumnsAligned(String text, String rowA, String rowB) {
        String a = text.lines().filter(l -> l.startsWith(rowA)).findFirst().orElseThrow();
        String b = text.lines().filter(l -> l.startsWith(rowB)).findFirst().orElseThrow();
        assertEquals(a.indexOf('%'), b.indexOf('%'), a + "\n" + b);
    }

    /** Collects what is written; counts down as lines are completed. */
    private static final class LineWriter extends StringWriter {
        final CountDownLatch lines;

        LineWriter(int expected) {
            lines = new CountDownLatch(expected);
        }

        @Override
        public void write(String str, int off, int len) {
            super.write(str, off, len);
            str.substring(off, off + len).chars().filter(c -> c == '\n').forEach(c -> lines.countDown());
        }

        @Override
        public void write(int c) {
            super.write(c);
            if (c == '\n') {
                lines.countDown();
            }
        }

        @Override
        public void write(char[] cbuf, int off, int len) {
            super.write(cbuf, off, len);
            for (int i = off; i < off + len; i++) {
                if (cbuf[i] == '\n') {
                    lines.countDown();
                }
            }
        }
    }
}
