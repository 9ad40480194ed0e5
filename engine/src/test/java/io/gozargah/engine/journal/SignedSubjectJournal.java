package io.gozargah.engine.journal;

import io.gozargah.engine.auth.ApiKeys;
import io.gozargah.engine.config.ConfigLoader;
import io.gozargah.engine.config.GatewayConfig;
import io.gozargah.engine.exchange.Exchange;
import io.gozargah.engine.exchange.ExchangeStages;
import io.gozargah.engine.exchange.Outcome;
import io.gozargah.engine.route.RoutingSnapshot;
import io.gozargah.engine.subject.HeaderLookup;
import io.gozargah.engine.subject.SubjectExtractor;
import io.gozargah.engine.subject.SubjectKey;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A journal about subjects, signed, as tests of lookups and checkpoints need it: two days' cycles written the way
 * an older writer did (a version 1 record first, then records with subject hashes, the second day in a cycle file of
 * its own), then two runs of the gateway's own journal (a start, exchanges, a close that signs a checkpoint; and
 * again), every exchange with the subject hash its service's extractor would have set.
 */
public final class SignedSubjectJournal {
    /** The national code most of the transactions are about. */
    public static final String SUBJECT = "0012345679";
    public static final String OTHER = "0084575948";
    public static final String KIND = "national-code";
    /** Transactions about {@link #SUBJECT}: (consumer, service) in journal order. */
    public static final List<String> SUBJECT_CONSUMERS = List.of("snapp", "tapsi", "snapp", "medu", "tapsi", "tapsi");

    private SignedSubjectJournal() {
    }

    /**
     * Writes into {@code work}: the keys ({@code subject.key}, {@code signing.key} and {@code signing.key.pub}), a
     * configuration ({@code gozargah.yaml}) whose nocr/identity takes a national code from its path, and the journal
     * ({@code journal/}).
     *
     * @return the configuration file
     */
    public static Path write(Path work) throws Exception {
        Path subjectKeyFile = work.resolve("subject.key");
        SubjectKey.generate(subjectKeyFile);
        CheckpointKeys.generate(work.resolve("signing.key"), work.resolve("signing.key.pub"));
        Path file = Files.writeString(work.resolve("gozargah.yaml"), """
                server:
                  listeners:
                    - port: 8080
                providers:
                  nocr:
                    endpoints: [ "http://127.0.0.1:9201" ]
                    services:
                      identity:
                        path: /api/v1/identity
                        subject: { from: path, pattern: '^(\\d{10})$', kind: national-code }
                consumers:
                  snapp: { apiKeys: [ "%s" ], grants: [ { service: nocr/identity } ] }
                  tapsi: { apiKeys: [ "%s" ], grants: [ { service: nocr/identity } ] }
                  medu: { apiKeys: [ "%s" ], grants: [ { service: nocr/identity } ] }
                journal:
                  dir: journal
                  ringBytes: 64KiB
                  minFreeBytes: 1MiB
                  subjectKeyFile: subject.key
                  signingKeyFile: signing.key
                """.formatted(ApiKeys.configHash("gzk_test_snapp"), ApiKeys.configHash("gzk_test_tapsi"),
                ApiKeys.configHash("gzk_test_medu")));
        GatewayConfig config = ConfigLoader.load(file);
        SubjectKey key = config.journal().subjectKey();
        Path dir = config.journal().dir();
        byte[] subject = key.hash(KIND, SUBJECT);
        byte[] other = key.hash(KIND, OTHER);
        SetTimeProvider time = new SetTimeProvider(Instant.parse("2025-03-25T08:00:00Z").toEpochMilli() * 1_000_000L);
        try (SyntheticJournal j = SyntheticJournal.create(dir, LargeRollCycles.LARGE_DAILY, time)) {
            j.transaction().version1().consumer("snapp").append();
            j.transaction().subject(subject).consumer("snapp").start("2025-03-25T08:00:01Z").append();
            j.transaction().subject(other).consumer("snapp").start("2025-03-25T08:00:02Z").append();
            time.advanceMillis(Duration.ofDays(1).toMillis());
            j.transaction().subject(subject).consumer("tapsi").start("2025-03-26T08:00:01Z").append();
        }
        run(config, new String[][] {{"snapp", SUBJECT}, {"snapp", "001234567"}, {"medu", SUBJECT}}, 1);
        run(config, new String[][] {{"tapsi", SUBJECT}, {"medu", OTHER}, {"tapsi", SUBJECT}}, 10);
        return file;
    }

    /**
     * One run of the gateway's journal: each exchange routed to nocr/identity with the national code in its path,
     * the subject found by the service's extractor, completed by its consumer.
     */
    private static void run(GatewayConfig config, String[][] exchanges, long firstId) {
        Journal journal = Journal.start(config.journal(), 1);
        RoutingSnapshot snapshot = RoutingSnapshot.build(config, null, journal.dictionary());
        ExchangeStages stages = new ExchangeStages(List.of(journal.stage()));
        Exchange x = new Exchange(null);
        x.clientAddress(new InetSocketAddress("10.0.0.9", 40000));
        long id = firstId;
        for (String[] e : exchanges) {
            long now = System.nanoTime();
            x.start(0x0195_0000_0000_7000L + id++, 0x8000_0000_0000_0001L, now, System.currentTimeMillis() * 1_000_000L);
            x.service(snapshot.services().get(0));
            x.consumer(snapshot.consumer(e[0]));
            SubjectExtractor.extract(x, "/nocr/identity/" + e[1], HeaderLookup.NONE);
            x.status(200);
            stages.complete(x, Outcome.PROXIED, now + 1000);
        }
        journal.close();
    }
}
