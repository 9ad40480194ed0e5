package io.gozargah.engine.cli;

import io.gozargah.engine.journal.JournalException;
import io.gozargah.engine.journal.JournalReader;
import io.gozargah.engine.journal.SubjectSearch;
import io.gozargah.engine.json.Json;
import io.gozargah.engine.subject.SubjectKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code gozargah journal subject --kind KIND VALUE}: every transaction about one subject (a citizen's national
 * code, a postal code), with its time, consumer, service and status, found in one pass over the journal
 * ({@link SubjectSearch}) by the subject's keyed hash: the subject key ({@code --subject-key FILE}, or the
 * configuration's {@code journal.subjectKeyFile}) hashes the value once; the journal holds nothing else about it.
 * Lines are printed as they are found, so memory stays bounded; {@code --json} writes one JSON object per line.
 */
@Command(name = "subject", description = {"List every transaction about one subject (a national code, a postal "
        + "code): time, consumer, service, status. Needs the subject key."}, usageHelpAutoWidth = true)
final class JournalSubjectCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSS xxx");

    private final Map<String, String> environment;

    @Spec
    private CommandSpec spec;

    @Mixin
    private JournalLocation location;

    @Mixin
    private JournalPeriod period;

    @Option(names = "--kind", paramLabel = "KIND", required = true,
            description = "The subject's kind, as services name it in config (national-code, postal-code).")
    private String kind;

    @Option(names = "--subject-key", paramLabel = "FILE",
            description = "The subject key file. Default: journal.subjectKeyFile of the configuration.")
    private Path subjectKey;

    @Option(names = "--json", description = "One JSON object per transaction, per line.")
    private boolean json;

    @Parameters(paramLabel = "VALUE", description = "The subject, as requests carry it (0012345679).")
    private String value;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    JournalSubjectCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws CliFailure {
        period.resolve();
        SubjectKey key = key();
        byte[] hash = key.hash(kind, value);
        ZoneId zone = period.calendar().zone();
        PrintWriter out = spec.commandLine().getOut();
        long from = period.fromMillis() == Long.MIN_VALUE ? Long.MIN_VALUE : period.fromMillis() * 1_000_000L;
        long to = period.toMillis() == Long.MAX_VALUE ? Long.MAX_VALUE : period.toMillis() * 1_000_000L;
        try (JournalReader reader = location.open(environment)) {
            SubjectSearch search = new SubjectSearch(reader.names(), hash, from, to, m -> print(out, m, zone));
            reader.readAvailable(search);
            if (!json) {
                out.println(search.matches() + " transaction" + (search.matches() == 1 ? "" : "s") + " about this "
                        + kind + (period.describe().isEmpty() ? "" : ", " + period.describe()));
            }
            out.flush();
            return Main.EXIT_OK;
        } catch (JournalException e) {
            throw CliFailure.runtime(e.getMessage(), e);
        }
    }

    private void print(PrintWriter out, SubjectSearch.Match m, ZoneId zone) {
        Instant start = Instant.ofEpochSecond(0, m.startEpochNanos());
        if (json) {
            out.println(Json.write(m.document()));
        } else {
            out.println(TIME.format(start.atZone(zone)) + "  " + orNone(m.consumer()) + "  " + orNone(m.service())
                    + "  " + m.status() + "  " + m.outcome() + "  " + m.transaction());
        }
    }

    private static String orNone(String s) {
        return s == null ? "-" : s;
    }

    /** The subject key of {@code --subject-key}, or of the configuration's {@code journal.subjectKeyFile}. */
    private SubjectKey key() throws CliFailure {
        Path file = subjectKey != null ? subjectKey : location.configuredFile(environment, "subjectKeyFile");
        if (file == null) {
            throw CliFailure.usage("no subject key: give --subject-key FILE, or a configuration with"
                    + " journal.subjectKeyFile");
        }
        try {
            return SubjectKey.read(file);
        } catch (IOException e) {
            throw CliFailure.badConfig("cannot read the subject key " + file + ": " + e, e);
        } catch (IllegalArgumentException e) {
            throw CliFailure.badConfig(file + ": " + e.getMessage(), e);
        }
    }
}
