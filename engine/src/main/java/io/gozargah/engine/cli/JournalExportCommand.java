package io.gozargah.engine.cli;

import io.gozargah.codec.journal.RefusalSummaryFlyweight;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import io.gozargah.engine.journal.JournalException;
import io.gozargah.engine.journal.JournalPosition;
import io.gozargah.engine.journal.JournalReader;
import io.gozargah.engine.journal.JournalVisitor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code gozargah journal export --format csv|jsonl}: every transaction with every field
 * ({@link TransactionText#COLUMNS}), body hashes included where the service asked for them, and every refusal
 * summary as a row of kind {@code refusal-summary} with its count, to stdout or a file. CSV follows RFC 4180 (header row, CRLF, quoted fields where needed); JSON lines are one object a line.
 */
@Command(name = "export", description = {"Write every transaction of the journal, with every field, as CSV (RFC "
        + "4180) or JSON lines."}, usageHelpAutoWidth = true)
final class JournalExportCommand implements Callable<Integer> {
    enum Format {
        csv, jsonl
    }

    /** Text is handed to the writer in chunks of about this many chars. */
    private static final int CHUNK = 64 * 1024;

    private final Map<String, String> environment;

    @Spec
    private CommandSpec spec;

    @Mixin
    private JournalLocation location;

    @Mixin
    private JournalPeriod period;

    @Option(names = "--format", paramLabel = "csv|jsonl", required = true, description = "csv or jsonl.")
    private Format format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of stdout.")
    private Path output;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    JournalExportCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws CliFailure {
        period.resolve();
        try (JournalReader reader = location.open(environment)) {
            Writer out = output == null ? spec.commandLine().getOut() : open(output);
            try {
                Exporter exporter = new Exporter(new TransactionText(reader.names(), period.calendar().zone()), out);
                reader.readAvailable(exporter);
                exporter.finish();
            } finally {
                if (output != null) {
                    out.close();
                }
            }
            return Main.EXIT_OK;
        } catch (JournalException e) {
            throw CliFailure.runtime(e.getMessage(), e);
        } catch (IOException | UncheckedIOException e) {
            throw CliFailure.runtime("cannot write " + (output == null ? "the export" : output) + ": "
                    + e.getMessage(), e);
        }
    }

    private static Writer open(Path file) throws CliFailure {
        try {
            return Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw CliFailure.runtime("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private final class Exporter implements JournalVisitor {
        private final TransactionText text;
        private final Writer out;
        private final StringBuilder chunk = new StringBuilder(CHUNK + 1024);

        Exporter(TransactionText text, Writer out) {
            this.text = text;
            this.out = out;
            if (format == Format.csv) {
                TransactionText.csvHeader(chunk);
            }
        }

        @Override
        public void transaction(JournalPosition position, TransactionRecordFlyweight record) {
            if (!inPeriod(record.startEpochNanos())) {
                return;
            }
            if (format == Format.csv) {
                text.csv(position.index(), record, chunk);
            } else {
                text.json(position.index(), record, chunk);
                chunk.append('\n');
            }
            if (chunk.length() >= CHUNK) {
                drain();
            }
        }

        /** A summary is in the period its first exchange started in, as the report counts it. */
        @Override
        public void refusalSummary(JournalPosition position, RefusalSummaryFlyweight summary) {
            if (!inPeriod(summary.intervalStartEpochNanos())) {
                return;
            }
            if (format == Format.csv) {
                text.csv(position.index(), summary, chunk);
            } else {
                text.json(position.index(), summary, chunk);
                chunk.append('\n');
            }
            if (chunk.length() >= CHUNK) {
                drain();
            }
        }

        private boolean inPeriod(long startEpochNanos) {
            long millis = Math.floorDiv(startEpochNanos, 1_000_000L);
            return millis >= period.fromMillis() && millis < period.toMillis();
        }

        void finish() throws IOException {
            drain();
            out.flush();
        }

        private void drain() {
            try {
                out.append(chunk);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            chunk.setLength(0);
        }
    }
}
