package io.gozargah.engine.cli;

import io.gozargah.engine.admission.CountersFile;
import io.gozargah.engine.admission.CountersReader;
import io.gozargah.engine.admission.CountersReader.Counter;
import io.gozargah.engine.admission.PeriodCounter;
import io.gozargah.engine.calendar.BillingCalendar;
import io.gozargah.engine.calendar.BillingPeriod;
import io.gozargah.engine.cluster.ClusterUsage;
import io.gozargah.engine.config.ClusterConfig;
import io.gozargah.engine.config.GatewayConfig;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code gozargah stat}: the admission counters of a gateway, read from its counters file by a second process
 * while the gateway runs (nothing is locked or written).
 */
@Command(name = "stat", usageHelpAutoWidth = true, description = {
        "Print per consumer and grant: the rate now, requests today and this month, and quota left; and the"
                + " in-flight counts of capped providers and services. Reads the counters file while the gateway"
                + " runs (or after it stopped).",
        "Rate now is measured, not stored: the admitted counts are read twice, --interval-ms apart, and the"
                + " difference divided by the time between the reads.",
        "With --config of a gateway in a cluster (admission.cluster), the cluster's day and month counts of each"
                + " grant with a quota are read from Redis and shown beside this node's own."})
final class StatCommand implements Callable<Integer> {
    private final GatewayProcess process;

    @Spec
    private CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Source source;

    static final class Source {
        @Option(names = "--counters", paramLabel = "FILE", required = true, description = "The counters file.")
        Path counters;

        @Option(names = {"-c", "--config"}, paramLabel = "FILE", required = true,
                description = "A gateway config: its admission.countersFile is read.")
        Path config;
    }

    @Option(names = "--interval-ms", paramLabel = "MS", defaultValue = "1000",
            description = "Time between the two reads that measure the rate now; 0 skips it. Default: ${DEFAULT-VALUE}.")
    private long intervalMillis;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    StatCommand(GatewayProcess process) {
        this.process = process;
    }

    @Override
    public Integer call() throws CliFailure, InterruptedException {
        GatewayConfig config = source.config == null ? null : process.load(source.config);
        Path file = config == null ? source.counters : config.admission().countersFile();
        CountersReader reader;
        try {
            reader = CountersReader.open(file);
        } catch (NoSuchFileException e) {
            throw CliFailure.runtime("no counters file at " + file + " (has the gateway run with this config?)", e);
        } catch (IOException e) {
            throw CliFailure.runtime("cannot read " + file + ": " + e.getMessage(), e);
        }
        BillingCalendar calendar;
        try {
            calendar = BillingCalendar.named(reader.calendar(), ZoneId.of(reader.zone()));
        } catch (IllegalArgumentException | DateTimeException e) {
            throw CliFailure.runtime(file + " names calendar '" + reader.calendar() + "' in zone '" + reader.zone()
                    + "', which this build does not know", e);
        }
        if (intervalMillis < 0) {
            throw CliFailure.runtime("--interval-ms must be 0 or more", null);
        }

        long firstNanos = System.nanoTime();
        List<Counter> first = reader.read();
        Map<String, Counter> before = new HashMap<>();
        first.forEach(c -> before.put(c.kind() + " " + c.name(), c));
        if (intervalMillis > 0) {
            Thread.sleep(intervalMillis);
        }
        List<Counter> now = reader.read();
        double seconds = (System.nanoTime() - firstNanos) / 1e9;
        long nowMillis = System.currentTimeMillis();
        long day = calendar.dayIndex(nowMillis);
        int month = calendar.monthIndex(nowMillis);

        PrintWriter out = spec.commandLine().getOut();
        out.printf("counters  %s (written by pid %d since %s)%n", reader.path().toAbsolutePath(), reader.writerPid(),
                DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(Instant.ofEpochMilli(reader.writerStartMillis())
                        .atZone(calendar.zone())));
        out.printf("calendar  %s: today %s, month %s%n", calendar, calendar.formatDay(day), calendar.monthLabel(month));
        out.printf(Locale.ROOT, "rate now  %s%n", intervalMillis > 0
                ? String.format(Locale.ROOT, "admitted requests per second over the last %.1f s (two reads of the"
                        + " counters)", seconds)
                : "not measured (--interval-ms 0)");
        out.println();
        out.printf("%-16s %-28s %8s %10s %10s %10s %12s %12s %12s  %s%n", "CONSUMER", "SERVICE", "RATE/S", "TODAY",
                "DAY QUOTA", "DAY LEFT", "MONTH", "MONTH QUOTA", "MONTH LEFT", "REFUSED rate/quota/overload/journal");
        List<Counter> grants = now.stream().filter(c -> c.kind() == CountersFile.Kind.GRANT)
                .sorted(Comparator.comparing(Counter::name)).toList();
        for (Counter g : grants) {
            int space = g.name().indexOf(' ');
            String consumer = g.name().substring(0, space);
            String service = g.name().substring(space + 1) + (g.inConfig() ? "" : " (removed)");
            long today = g.usedOnDay(day);
            long thisMonth = g.usedInMonth(month);
            String rate = "-";
            Counter earlier = before.get(g.kind() + " " + g.name());
            if (intervalMillis > 0 && earlier != null) {
                long admitted = PeriodCounter.countedBetween(earlier.monthWord(), g.monthWord());
                rate = String.format(Locale.ROOT, "%.1f", admitted / seconds);
            }
            out.printf("%-16s %-28s %8s %10d %10s %10s %12d %12s %12s  %d/%d/%d/%d%n", consumer, service, rate, today,
                    quota(g.quotaDay()), left(g.quotaDay(), today), thisMonth, quota(g.quotaMonth()),
                    left(g.quotaMonth(), thisMonth), g.rateLimited(), g.quotaExhausted(), g.overloaded(),
                    g.journalUnavailable());
        }
        if (grants.isEmpty()) {
            out.println("(no grants counted yet)");
        }
        if (config != null && config.admission().cluster() != null) {
            printCluster(out, config.admission().cluster(), calendar.periodAt(nowMillis), grants, day, month);
        }
        List<Counter> capped = now.stream()
                .filter(c -> c.kind() == CountersFile.Kind.PROVIDER || c.kind() == CountersFile.Kind.SERVICE)
                .sorted(Comparator.comparing(Counter::name)).toList();
        if (!capped.isEmpty()) {
            out.println();
            out.printf("%-28s %10s %10s %12s%n", "IN FLIGHT", "NOW", "MAX", "OVERLOADED");
            for (Counter c : capped) {
                String name = (c.kind() == CountersFile.Kind.PROVIDER ? "provider " : "service ") + c.name();
                out.printf("%-28s %10d %10s %12d%n", name + (c.inConfig() ? "" : " (removed)"), c.inFlight(),
                        c.maxInFlight() > 0 ? Integer.toString(c.maxInFlight()) : "-", c.overloaded());
            }
        }
        out.flush();
        return Main.EXIT_OK;
    }

    /**
     * The cluster's counts from Redis beside this node's own: what the day and month have leased out to all nodes
     * (spent, or held unspent in a node's lease) and the active nodes: those that reported demand on the grant
     * within nodeTimeout (an idle node reports none).
     */
    private static void printCluster(PrintWriter out, ClusterConfig cluster, BillingPeriod period, List<Counter> grants,
                                     long day, int month) {
        List<Counter> quoted = grants.stream().filter(g -> g.inConfig() && (g.quotaDay() > 0 || g.quotaMonth() > 0))
                .toList();
        out.println();
        out.printf("cluster   Redis %s, this node %s: the cluster's counts (leased out to all nodes: spent, or held"
                + " unspent) beside this node's own%n", String.join(", ", cluster.redis()), cluster.nodeId());
        List<ClusterUsage.Usage> usage;
        try {
            usage = ClusterUsage.read(cluster, period, quoted.stream().map(Counter::name).toList(),
                    Duration.ofSeconds(2));
        } catch (IllegalStateException e) {
            out.printf("          Redis cannot be read: %s%n", e.getMessage());
            return;
        }
        out.printf("%-16s %-28s %13s %10s %10s %13s %12s %12s %12s%n", "CONSUMER", "SERVICE", "CLUSTER TODAY",
                "NODE TODAY", "DAY QUOTA", "CLUSTER MONTH", "NODE MONTH", "MONTH QUOTA", "ACTIVE NODES");
        for (int i = 0; i < quoted.size(); i++) {
            Counter g = quoted.get(i);
            ClusterUsage.Usage u = usage.get(i);
            int space = g.name().indexOf(' ');
            out.printf("%-16s %-28s %13s %10d %10s %13s %12d %12s %12d%n", g.name().substring(0, space),
                    g.name().substring(space + 1), g.quotaDay() > 0 ? Long.toString(u.day()) : "-", g.usedOnDay(day),
                    quota(g.quotaDay()), g.quotaMonth() > 0 ? Long.toString(u.month()) : "-", g.usedInMonth(month),
                    quota(g.quotaMonth()), u.nodes());
        }
        if (quoted.isEmpty()) {
            out.println("(no grant with a quota)");
        }
    }

    private static String quota(long quota) {
        return quota > 0 ? Long.toString(quota) : "-";
    }

    private static String left(long quota, long used) {
        return quota > 0 ? Long.toString(Math.max(0, quota - used)) : "-";
    }
}
