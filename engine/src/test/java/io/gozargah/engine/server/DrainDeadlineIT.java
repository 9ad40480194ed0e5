package io.gozargah.engine.server;

import io.gozargah.codec.journal.TransactionRecordFlyweight;
import io.gozargah.engine.exchange.Outcome;
import io.gozargah.engine.journal.JournalContents;
import io.gozargah.engine.journal.OutcomeCode;
import io.gozargah.engine.testing.Await;
import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.H2Client;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Exchanges still in flight when a drain's deadline passes are cut with their connections, and journaled as
 * {@code shutdown-aborted}, not as a client that went away: over HTTP/1.1 and HTTP/2 alike.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DrainDeadlineIT {
    @TempDir
    Path dir;

    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private GatewayFixture gateway;

    @Test
    void shouldJournalExchangesCutAtTheDrainDeadlineAsShutdownAborted() throws Exception {
        // The provider holds every request, and the gateway would wait for its answer far longer than the drain's
        // deadline.
        upstream = setup.provider((ctx, req) -> { });
        gateway = setup.start(setup.standardYaml(null, null)
                .replace("responseTimeout: 2s", "responseTimeout: 60s")
                + "journal:\n  dir: " + dir + "\n  ringBytes: 64KiB\n");
        try (RawHttpClient http1 = new RawHttpClient(gateway.port()); H2Client h2 = new H2Client(gateway.port())) {
            http1.send("GET /prov/svc/one HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n");
            h2.open(H2Client.request("GET", "/prov/svc/two", "x-api-key", ALICE_KEY), true);
            Await.until(() -> upstream.requests() == 2, "both requests reached the provider");

            DrainReport report = gateway.gateway().drain(Duration.ofMillis(200)).get(10, TimeUnit.SECONDS);
            assertEquals(2, report.cut(), "both connections were busy at the deadline");
        }
        gateway.close();
        gateway = null;

        JournalContents journal = JournalContents.read(dir);
        assertEquals(2, journal.transactions.size());
        for (JournalContents.Tx t : journal.transactions) {
            TransactionRecordFlyweight r = t.flyweight();
            assertEquals(Outcome.SHUTDOWN_ABORTED, OutcomeCode.toOutcome(r.outcomeCode()),
                    "outcome of " + t.id() + ": " + OutcomeCode.toOutcome(r.outcomeCode()));
            assertEquals(0, r.httpStatus(), "nothing was answered");
            assertEquals("prov/svc", journal.name(r.serviceId()));
        }
    }
}
