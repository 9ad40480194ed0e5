package io.gozargah.engine.journal;

import io.gozargah.engine.admission.CountersReader;
import io.gozargah.engine.testing.GatewayFixture;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.RawHttpClient;
import io.gozargah.engine.testing.RawHttpClient.Response;
import io.gozargah.engine.testing.TestUpstream;
import io.gozargah.engine.testing.TmpfsMount;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The journal and the counters file on a 32 MiB tmpfs that the test fills under load and empties again, as an
 * operator's disk fills: requests are refused and answered (none is closed on), the writer's appends are refused
 * without tearing anything and resume by themselves, and every transaction id a client was answered ends up in
 * the journal once, with a record of its own or in a refusal summary's range, across a restart on the full disk
 * too. Skipped where a tmpfs cannot be mounted.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class JournalDiskFullIT {
    private static final int CLIENTS = 4;

    @TempDir
    Path dir;

    private TmpfsMount disk;
    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private GatewayFixture gateway;
    private Load load;
    private final Tally tally = new Tally();

    @AfterEach
    void stop() throws Exception {
        if (load != null) {
            load.stop();
        }
    }

    private void start() throws Exception {
        if (upstream == null) {
            upstream = setup.provider((ctx, req) -> {
                FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.copiedBuffer(new byte[16]));
                resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, 16);
                ctx.writeAndFlush(resp);
            });
        }
        gateway = setup.start(setup.standardYaml(null, null)
                + "admission:\n  countersFile: " + disk.dir().resolve("counters.dat") + "\n  counterSlots: 64\n"
                + JournalIT.journalYaml(disk.dir().resolve("journal"), "64KiB") + "  minFreeBytes: 2MiB\n");
    }

    private JournalCounters counters() {
        return gateway.gateway().journal().counters();
    }

    @Test
    void shouldAnswerRefuseAndCountOnAFullDiskThenTakeTrafficAgainWhenSpaceReturns() throws Exception {
        disk = setup.closeAfter(TmpfsMount.mount(dir.resolve("fs"), "32m"));
        start();
        load = Load.start(gateway.port(), tally);
        await("load answered", () -> tally.status(200) >= 200, 30);

        disk.fill();
        await("free space below journal.minFreeBytes", () -> counters().spaceLow(), 10);
        assertTrue(gateway.gateway().notReady().contains("journal writable"));
        await("the writer's reserved room used up: appends refused", () -> counters().writerFailed(), 120);
        await("the ring out of room for refusals of their own: summarized", () -> counters().summarized() > 0, 60);
        assertEquals(0, counters().unrecorded());

        disk.free();
        await("ready again", () -> gateway.gateway().notReady().isEmpty(), 30);
        long okBefore = tally.status(200);
        await("answers again", () -> tally.status(200) > okBefore, 30);
        load.stop();
        long refused = tally.status(503);
        gateway.close();
        gateway = null;

        assertEverythingJournaledOnce();
        assertTrue(refused > 0);
        assertEquals(refused, journalRefusalsCounted(), "every 503 journal-unavailable counted in the counters file");
    }

    @Test
    void shouldStartAgainOnTheFullDiskAndWriteWhatTheRingHeldOnceThereIsRoom() throws Exception {
        disk = setup.closeAfter(TmpfsMount.mount(dir.resolve("fs"), "32m"));
        start();
        load = Load.start(gateway.port(), tally);
        await("load answered", () -> tally.status(200) >= 200, 30);
        disk.fill();
        await("the writer's reserved room used up: appends refused", () -> counters().writerFailed(), 120);
        load.stop();
        gateway.close(); // SIGTERM's path: the ring keeps what could not be written
        gateway = null;

        start(); // on the disk that is still full
        assertTrue(counters().writerFailed(), "started, refusing: the ring cannot be written yet");
        load = Load.start(gateway.port(), tally);
        await("refused and answered after the restart", () -> tally.status(503) > 0, 30);
        disk.free();
        await("ready again", () -> gateway.gateway().notReady().isEmpty(), 30);
        await("answers again", () -> tally.status(200) > 0, 30);
        load.stop();
        gateway.close();
        gateway = null;

        assertEverythingJournaledOnce();
    }

    /** Every id answered in either run is journaled exactly once; nobody was closed on; the chain holds. */
    private void assertEverythingJournaledOnce() {
        assertEquals(0, tally.closed.get(), "no client got a close without an answer");
        JournalContents j = JournalContents.read(disk.dir().resolve("journal"));
        Map<String, Integer> records = new HashMap<>();
        for (JournalContents.Tx t : j.transactions) {
            records.merge(t.id(), 1, Integer::sum);
        }
        records.forEach((id, n) -> assertEquals(1, n, id + " recorded " + n + " times"));
        List<String> missing = new ArrayList<>();
        for (String id : tally.answered) {
            if (records.containsKey(id) == j.summarizes(id)) {
                missing.add(id);
            }
        }
        assertTrue(missing.isEmpty(), missing.size() + " of " + tally.answered.size() + " answered ids not journaled"
                + " exactly once (own record or a summary's range), e.g. " + missing.subList(0, Math.min(3, missing.size())));
        assertEquals(tally.answered.size(), j.transactions.size() + j.summarized(), "and nothing else");
        assertEquals(-1, j.firstBrokenLink);
    }

    private long journalRefusalsCounted() throws IOException {
        return CountersReader.open(disk.dir().resolve("counters.dat")).read().stream()
                .filter(c -> c.name().equals("alice prov/svc")).mapToLong(CountersReader.Counter::journalUnavailable)
                .sum();
    }

    private static void await(String what, BooleanSupplier condition, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + ": not within " + seconds + " s");
            Thread.onSpinWait();
        }
    }

    /** Over every run of a test: the ids answered, the answers by status, and requests closed on unanswered. */
    private static final class Tally {
        final ConcurrentLinkedQueue<String> answered = new ConcurrentLinkedQueue<>();
        final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        final AtomicLong closed = new AtomicLong();

        long status(int status) {
            AtomicLong n = statuses.get(status);
            return n == null ? 0 : n.get();
        }
    }

    /** Clients on keep-alive connections, each asking as fast as it is answered. */
    private static final class Load {
        private final Tally tally;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final List<Thread> threads = new ArrayList<>();

        private Load(Tally tally) {
            this.tally = tally;
        }

        static Load start(int port, Tally tally) {
            Load load = new Load(tally);
            for (int i = 0; i < CLIENTS; i++) {
                Thread t = new Thread(() -> load.run(port), "disk-full-load-" + i);
                t.start();
                load.threads.add(t);
            }
            return load;
        }

        private void run(int port) {
            String request = "GET /prov/svc/x HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n";
            while (!stop.get()) {
                try (RawHttpClient c = new RawHttpClient(port)) {
                    c.soTimeout(10_000);
                    while (!stop.get()) {
                        Response r = c.send(request).read();
                        tally.answered.add(r.header("X-Gozargah-Transaction"));
                        tally.statuses.computeIfAbsent(r.status(), s -> new AtomicLong()).incrementAndGet();
                    }
                } catch (EOFException e) {
                    tally.closed.incrementAndGet(); // a request sent and closed on without an answer
                } catch (IOException e) {
                    if (!stop.get()) {
                        throw new IllegalStateException("load: " + e, e);
                    }
                }
            }
        }

        void stop() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(15_000);
            }
        }
    }
}
