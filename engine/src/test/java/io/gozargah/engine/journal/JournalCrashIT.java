package io.gozargah.engine.journal;

import io.gozargah.engine.testing.ChildGateway;
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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static io.gozargah.engine.testing.GatewayFixture.BOB_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon in a child JVM under load, killed with SIGKILL, started again: every transaction id a client
 * received a response for is in the journal exactly once, and the chain holds across the crash.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class JournalCrashIT {
    private static final int CLIENTS = 4;
    private static final int ANSWERS_BEFORE_KILL = 500;
    private static final int LOAD_SECONDS_AT_MOST = 20;

    @TempDir
    Path dir;

    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private ChildGateway child;

    @Test
    void shouldJournalEveryAnsweredTransactionExactlyOnceAcrossSigkill() throws Exception {
        upstream = setup.provider((ctx, req) -> {
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(new byte[64]));
            resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, 64);
            ctx.writeAndFlush(resp);
        });
        int port = ChildGateway.freePort();
        Path journal = dir.resolve("journal");
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, JournalIT.withBodyHashes(setup.standardYaml(null, null))
                .replace("port: 0", "port: " + port) + JournalIT.journalYaml(journal, "1MiB"));

        child = setup.closeAfter(ChildGateway.start(config));
        child.awaitLog(l -> l.contains("listening: test on 127.0.0.1:" + port), 30);
        Set<String> answered = ConcurrentHashMap.newKeySet();
        CountDownLatch enough = new CountDownLatch(ANSWERS_BEFORE_KILL);
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            String key = i == 0 ? BOB_KEY : ALICE_KEY; // one client's calls are refused (403): journaled too
            String request = i == 1
                    ? "POST /prov/svc/x HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + key + "\r\nContent-Length: 5\r\n\r\nhello"
                    : "GET /prov/svc/x HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + key + "\r\n\r\n";
            Thread t = new Thread(() -> load(port, request, answered, enough, stop), "load-" + i);
            t.start();
            clients.add(t);
        }
        // The kill lands in the middle of the load, once it has produced enough answers to mean something.
        enough.await(LOAD_SECONDS_AT_MOST, TimeUnit.SECONDS);
        child.kill();
        stop.set(true);
        for (Thread t : clients) {
            t.join(10_000);
        }
        assertTrue(answered.size() >= ANSWERS_BEFORE_KILL, "the load got going: " + answered.size() + " answers before the kill");

        child = setup.closeAfter(ChildGateway.start(config));
        child.awaitLog(l -> l.contains("listening: test on 127.0.0.1:" + port), 30);
        try (RawHttpClient c = new RawHttpClient(port)) {
            c.send("GET /prov/svc/after HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n");
            Response r = c.read();
            assertEquals(200, r.status());
            answered.add(r.header("X-Gozargah-Transaction"));
        }
        assertEquals(0, child.terminate(20), child.log());

        JournalContents j = JournalContents.read(journal);
        Map<String, Integer> times = new HashMap<>();
        for (JournalContents.Tx t : j.transactions) {
            times.merge(t.id(), 1, Integer::sum);
            assertTrue(t.idsNamedBefore(), "ids named before use");
        }
        List<String> missing = new ArrayList<>();
        for (String id : answered) {
            if (times.getOrDefault(id, 0) != 1) {
                missing.add(id + " x" + times.getOrDefault(id, 0));
            }
        }
        assertTrue(missing.isEmpty(), missing.size() + " of " + answered.size()
                + " answered ids not journaled exactly once, e.g. " + missing.subList(0, Math.min(5, missing.size()))
                + "\nchild log:\n" + child.log());
        times.forEach((id, n) -> assertEquals(1, n, id + " journaled " + n + " times"));
        assertEquals(-1, j.firstBrokenLink, "the chain holds across the crash");
    }

    private static void load(int port, String request, Set<String> answered, CountDownLatch enough,
                             AtomicBoolean stop) {
        while (!stop.get()) {
            try (RawHttpClient c = new RawHttpClient(port)) {
                c.soTimeout(5000);
                while (!stop.get()) {
                    Response r = c.send(request).read();
                    answered.add(r.header("X-Gozargah-Transaction"));
                    enough.countDown();
                }
            } catch (IOException e) {
                // the child was killed (or is not up): a request without a response proves nothing
                if (!stop.get()) {
                    Thread.onSpinWait();
                }
            }
        }
    }
}
