package io.gozargah.engine.journal;

import io.gozargah.engine.exchange.Outcome;
import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.RawHttpClient.Response;
import io.gozargah.engine.testing.TestUpstream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static io.gozargah.engine.testing.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tiny ring and a stalled writer: new requests are refused with 503 journal-unavailable before the ring is
 * full, refusals are journaled one by one while there is room for them and counted into refusal summaries past
 * that, every request is answered, and once the writer resumes every answered transaction is in the journal, on
 * its own or in a summary's range.
 */
class JournalFailClosedIT {
    @TempDir
    Path dir;

    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private GatewayFixture gateway;

    private Response call() throws IOException {
        try (RawHttpClient c = new RawHttpClient(gateway.port())) {
            c.send("GET /prov/svc/x HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\nConnection: close\r\n\r\n");
            return c.read();
        } catch (EOFException e) {
            return null; // closed without an answer
        }
    }

    @Test
    void shouldRefuseWithJournalUnavailableAndLoseNothingWhenTheWriterStalls() throws Exception {
        upstream = setup.provider((ctx, req) -> {
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.EMPTY_BUFFER);
            resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
            ctx.writeAndFlush(resp);
        });
        gateway = setup.start(setup.standardYaml(null, null)
                + JournalIT.journalYaml(dir, "4KiB"));
        Journal journal = gateway.gateway().journal();
        journal.suspendWriter();

        List<String> answered = new ArrayList<>();
        int ok = 0;
        int refused = 0;
        for (int i = 0; i < 60; i++) {
            Response r = call();
            assertNotNull(r, "request " + i + " is answered, whatever room the ring has left");
            answered.add(r.header("X-Gozargah-Transaction"));
            if (r.status() == 200) {
                assertEquals(0, refused, "once refusing, it refuses until the writer catches up");
                ok++;
            } else {
                assertProblem(r, Outcome.JOURNAL_UNAVAILABLE.status(), Outcome.JOURNAL_UNAVAILABLE.code());
                assertEquals("1", r.header("Retry-After"));
                refused++;
            }
        }
        assertTrue(ok > 0, "requests went through while the ring had room");
        assertTrue(refused > 0, "then they were refused with 503 journal-unavailable");
        JournalCounters counters = journal.counters();
        assertEquals(refused, counters.refusals());
        assertEquals(0, counters.unrecorded(), "nothing went unanswered");
        assertTrue(counters.summarized() > 0, "past the room for refusals of their own, they were counted");
        assertEquals(ok + refused, counters.writerLagRecords() + counters.summarized());

        journal.resumeWriter();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (counters.ringOccupancyBytes() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        Response after = call();
        assertNotNull(after);
        assertEquals(200, after.status(), "admitted again once the writer caught up");
        answered.add(after.header("X-Gozargah-Transaction"));
        gateway.close();
        gateway = null;

        JournalContents j = JournalContents.read(dir);
        for (String id : answered) {
            assertTrue(j.find(id) != null ^ j.summarizes(id), id + " was answered, so it is journaled: on its own"
                    + " or in a summary's range, not both");
        }
        assertEquals(answered.size(), j.transactions.size() + j.summarized(), "and nothing else");
        assertEquals(-1, j.firstBrokenLink);
    }
}
