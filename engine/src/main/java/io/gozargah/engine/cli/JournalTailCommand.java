package io.gozargah.engine.cli;

import io.gozargah.codec.journal.RefusalSummaryFlyweight;
import io.gozargah.codec.journal.TransactionRecordFlyweight;
import io.gozargah.engine.journal.JournalException;
import io.gozargah.engine.journal.JournalPosition;
import io.gozargah.engine.journal.JournalReader;
import io.gozargah.engine.journal.JournalVisitor;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code gozargah journal tail [-n N] [--follow] [--json]}: the last transactions, one line each, then with
 * {@code --follow} every new one as the gateway writes it, until interrupted. A refusal summary (exchanges answered
 * without a record of their own, counted) is a line of its own that says it is one and how many it counts.
 *
 * <p>Names are defined once in the journal, before their first use, so the whole journal is read to learn
 * them; only the last N records are kept on the way (copies of their bytes), so memory does not grow with it.
 */
@Command(name = "tail", description = {"Print the last transactions of the journal, one line each; with --follow, "
        + "keep printing new ones as they are written until interrupted (Ctrl-C)."}, usageHelpAutoWidth = true)
final class JournalTailCommand implements Callable<Integer> {
    /** While following: spin briefly, then park up to 10 ms, so a quiet journal costs no CPU to watch. */
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final Map<String, String> environment;

    @Spec
    private CommandSpec spec;

    @Mixin
    private JournalLocation location;

    @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "10",
            description = "How many of the last transactions to print first (default 10; 0 for none).")
    private int lines;

    @Option(names = {"-f", "--follow"}, description = "Keep printing transactions as they are written.")
    private boolean follow;

    @Option(names = "--json", description = "One JSON object per line, with every field (as export --format jsonl).")
    private boolean json;

    @Option(names = "--zone", paramLabel = "ZONE", defaultValue = "Asia/Tehran",
            description = "Time zone of the times printed (default Asia/Tehran).")
    private String zoneName;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    JournalTailCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws CliFailure {
        if (lines < 0) {
            throw CliFailure.usage("--lines: " + lines + " is negative");
        }
        ZoneId zone = zone();
        PrintWriter out = spec.commandLine().getOut();
        try (JournalReader reader = location.open(environment)) {
            Printer printer = new Printer(new TransactionText(reader.names(), zone), out);
            LastRecords last = new LastRecords(lines);
            reader.readAvailable(last);
            last.replay(printer);
            printer.flush();
            if (follow) {
                IdleStrategy idle = new BackoffIdleStrategy(100, 10, 1_000, MAX_PARK_NANOS);
                reader.follow(printer, idle, () -> {
                    printer.flush();
                    return !out.checkError();
                });
            }
            return Main.EXIT_OK;
        } catch (JournalException e) {
            throw CliFailure.runtime(e.getMessage(), e);
        }
    }

    private ZoneId zone() throws CliFailure {
        try {
            return ZoneId.of(zoneName);
        } catch (DateTimeException e) {
            throw CliFailure.usage("--zone: '" + zoneName + "' is not a time zone (such as Asia/Tehran or UTC)");
        }
    }

    /** Prints each transaction as a line or a JSON object. */
    private final class Printer implements JournalVisitor {
        private final TransactionText text;
        private final PrintWriter out;
        private final StringBuilder line = new StringBuilder(256);

        Printer(TransactionText text, PrintWriter out) {
            this.text = text;
            this.out = out;
        }

        @Override
        public void transaction(JournalPosition position, TransactionRecordFlyweight record) {
            print(position.index(), record);
        }

        @Override
        public void refusalSummary(JournalPosition position, RefusalSummaryFlyweight summary) {
            print(position.index(), summary);
        }

        void print(long index, TransactionRecordFlyweight record) {
            line.setLength(0);
            if (json) {
                text.json(index, record, line);
            } else {
                text.line(record, line);
            }
            out.append(line).append('\n');
        }

        void print(long index, RefusalSummaryFlyweight summary) {
            line.setLength(0);
            if (json) {
                text.json(index, summary, line);
            } else {
                text.line(summary, line);
            }
            out.append(line).append('\n');
        }

        void flush() {
            out.flush();
        }
    }

    /** The last {@code capacity} transaction records and refusal summaries read, as copies, in a ring. */
    private static final class LastRecords implements JournalVisitor {
        private final byte[][] records;
        private final long[] indexes;
        private final boolean[] summaries;
        private long count;

        LastRecords(int capacity) {
            records = new byte[capacity][TransactionRecordFlyweight.MAX_LENGTH];
            indexes = new long[capacity];
            summaries = new boolean[capacity];
        }

        @Override
        public void transaction(JournalPosition position, TransactionRecordFlyweight record) {
            keep(position, record.buffer(), record.offset(), record.length(), false);
        }

        @Override
        public void refusalSummary(JournalPosition position, RefusalSummaryFlyweight summary) {
            keep(position, summary.buffer(), summary.offset(), summary.length(), true);
        }

        private void keep(JournalPosition position, DirectBuffer buffer, int offset, int length,
                          boolean summary) {
            if (records.length == 0) {
                return;
            }
            int slot = (int) (count++ % records.length);
            buffer.getBytes(offset, records[slot], 0, length);
            indexes[slot] = position.index();
            summaries[slot] = summary;
        }

        void replay(Printer printer) {
            TransactionRecordFlyweight record = new TransactionRecordFlyweight();
            RefusalSummaryFlyweight summary = new RefusalSummaryFlyweight();
            UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
            long first = Math.max(0, count - records.length);
            for (long i = first; i < count; i++) {
                int slot = (int) (i % records.length);
                buffer.wrap(records[slot]);
                if (summaries[slot]) {
                    printer.print(indexes[slot], summary.wrapForRead(buffer, 0));
                } else {
                    printer.print(indexes[slot], record.wrapForRead(buffer, 0));
                }
            }
        }
    }
}
