package io.gozargah.engine.cli;

import io.gozargah.engine.testing.ChildGateway;
import io.gozargah.engine.testing.GatewayUnderTest;
import io.gozargah.engine.testing.RawHttpClient;
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
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.gozargah.engine.testing.GatewayFixture.ALICE_KEY;
import static io.gozargah.engine.testing.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Usage outlives the daemon: the real {@code gozargah run} in a child JVM counts requests into its counters
 * file, {@code stat} reads them from this process while it runs, {@code reload} changes a quota through the
 * pid file and SIGHUP, and after a kill -9 and a restart the day's and month's usage are still there.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QuotaPersistenceIT {
    @TempDir
    Path dir;

    @RegisterExtension
    final GatewayUnderTest setup = new GatewayUnderTest();

    private TestUpstream upstream;
    private ChildGateway child;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private String yaml(int port, int quotaDay) {
        return setup.standardYaml(null, null)
                .replace("port: 0", "port: " + port)
                .replace("      - service: prov/svc\n",
                        "      - { service: prov/svc, quotaDay: " + quotaDay + ", quotaMonth: 100000 }\n");
    }

    private void startChild(Path config, Path pidFile, int port) throws Exception {
        child = setup.closeAfter(ChildGateway.start(dir, "run", "--config", config.toString(), "--pid-file",
                pidFile.toString()));
        child.awaitLog(l -> l.contains("listening: test on 127.0.0.1:" + port), 30);
    }

    private static int status(int port) throws IOException {
        try (RawHttpClient c = new RawHttpClient(port)) {
            return c.send("GET /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n").read().status();
        }
    }

    /** The {@code TODAY} and {@code MONTH} columns of {@code stat}'s line for alice's grant of prov/svc. */
    private static long[] statUsage(String statOutput) {
        Matcher m = Pattern.compile("(?m)^alice\\s+prov/svc\\s+\\S+\\s+(\\d+)\\s+\\S+\\s+\\S+\\s+(\\d+)")
                .matcher(statOutput);
        assertTrue(m.find(), statOutput);
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    @Test
    void shouldKeepTheMonthsUsageAcrossKillNineAndRestartAndShowItFromAnotherProcess() throws Exception {
        upstream = setup.provider(TestUpstream.answering("{}"));
        int port = freePort();
        Path config = dir.resolve("gateway.yaml");
        Path pidFile = dir.resolve("gateway.pid");
        Path counters = dir.resolve("data/counters.dat");
        Files.writeString(config, yaml(port, 100));
        startChild(config, pidFile, port);

        for (int i = 0; i < 7; i++) {
            assertEquals(200, status(port));
        }
        CommandRun stat = CommandRun.of("stat", "--counters", counters.toString(), "--interval-ms", "0");
        assertEquals(0, stat.exitCode(), stat.err());
        assertEquals(7, statUsage(stat.out())[0], stat.out());
        assertTrue(stat.out().contains("written by pid " + child.process().pid()), stat.out());

        // A lower daily quota through `reload` (SIGHUP to the pid file's process): usage carries over.
        Files.writeString(config, yaml(port, 9));
        CommandRun reload = CommandRun.of("reload", "--pid-file", pidFile.toString());
        assertEquals(0, reload.exitCode(), reload.err());
        assertEquals("reloaded " + config + " (gateway process " + child.process().pid() + ")", reload.out().strip());
        child.awaitLog(l -> l.contains("configuration reloaded"), 30);
        assertEquals(200, status(port));
        assertEquals(200, status(port));
        assertEquals(429, status(port), "9 of 9 used");

        child.kill();
        startChild(config, pidFile, port);
        try (RawHttpClient c = new RawHttpClient(port)) {
            assertProblem(c.send("GET /prov/svc HTTP/1.1\r\nHost: gw\r\nX-Api-Key: " + ALICE_KEY + "\r\n\r\n").read(),
                    429, "quota-exhausted");
        }
        CommandRun after = CommandRun.of("stat", "--config", config.toString(), "--interval-ms", "200");
        assertEquals(0, after.exitCode(), after.err());
        long[] usage = statUsage(after.out());
        assertEquals(9, usage[0], "today's usage survived kill -9:\n" + after.out());
        assertEquals(9, usage[1], "and this month's:\n" + after.out());
        assertTrue(after.out().contains("written by pid " + child.process().pid()), after.out());
    }

    @Test
    void shouldRefuseAnInvalidReloadAndKeepServing() throws Exception {
        upstream = setup.provider((ctx, req) -> {
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.EMPTY_BUFFER);
            resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
            ctx.writeAndFlush(resp);
        });
        int port = freePort();
        Path config = dir.resolve("gateway.yaml");
        Path pidFile = dir.resolve("gateway.pid");
        Files.writeString(config, yaml(port, 100));
        startChild(config, pidFile, port);
        assertEquals(200, status(port));

        Files.writeString(config, yaml(port, 100).replace("quotaDay: 100", "quotaDay: lots"));
        String reason = "consumers.alice.grants[0].quotaDay: expected an integer, got 'lots'";
        CommandRun check = CommandRun.of("check", "--config", config.toString());
        assertEquals(2, check.exitCode(), "check refuses the file before anything is signalled");
        assertTrue(check.err().startsWith("gozargah: " + config + ":") && check.err().contains(reason), check.err());

        CommandRun refused = CommandRun.of("reload", "--pid-file", pidFile.toString());
        assertEquals(1, refused.exitCode(), "the gateway refused the file: " + refused.out());
        assertTrue(refused.err().startsWith("gozargah: reload refused; gateway process " + child.process().pid()
                + " keeps its running configuration: " + config + ":"), refused.err());
        assertTrue(refused.err().contains(reason), refused.err());
        assertEquals("", refused.out());
        child.awaitLog(l -> l.contains("reload refused") && l.contains(config + ":") && l.contains(reason), 30);
        assertEquals(200, status(port), "the running configuration stays");

        Files.writeString(config, yaml(port, 100));
        CommandRun fixed = CommandRun.of("check", "--config", config.toString());
        assertEquals(0, fixed.exitCode(), fixed.err());
        assertEquals(config + ": ok", fixed.out().strip());
        CommandRun reloaded = CommandRun.of("reload", "--pid-file", pidFile.toString());
        assertEquals(0, reloaded.exitCode(), reloaded.err());
        assertTrue(Files.exists(ReloadOutcome.fileFor(pidFile)));
        assertTrue(child.process().isAlive());
    }
}
