package io.gozargah.engine.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real {@code redis-server} on a free 127.0.0.1 port, in its own directory, without persistence (no snapshots,
 * no append-only file), for the cluster tests. {@link #require} skips a test where it is not installed (CI's
 * {@code .ci/run} installs Debian's package). {@link #stopSaving} and {@link #restart} stop it and bring it back
 * on the same port with what it held, as a Redis restarted from its dump would.
 */
public final class RedisServer implements AutoCloseable {
    private static final List<Path> LOCATIONS = List.of(Path.of("/usr/bin/redis-server"),
            Path.of("/usr/local/bin/redis-server"), Path.of("/usr/sbin/redis-server"));

    private final Path executable;
    private final Path dir;
    private final int port;
    private Process process;

    private RedisServer(Path executable, Path dir, int port) {
        this.executable = executable;
        this.dir = dir;
        this.port = port;
    }

    /** The redis-server executable, or null when none is installed. */
    public static Path executable() {
        for (Path p : LOCATIONS) {
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Skips the calling test (a JUnit assumption) unless redis-server is installed. */
    public static void require() {
        assumeTrue(executable() != null, "redis-server is not installed (apt-get install redis-server; .ci/run"
                + " installs it): the Redis tests are skipped");
    }

    /** Starts a server in a new temporary directory; skips the test when redis-server is not installed. */
    public static RedisServer start() throws IOException, InterruptedException {
        require();
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        RedisServer server = new RedisServer(executable(), Files.createTempDirectory("gozargah-redis"), port);
        server.launch();
        return server;
    }

    private void launch() throws IOException, InterruptedException {
        process = new ProcessBuilder(executable.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--dbfilename", "dump.rdb",
                "--daemonize", "no", "--logfile", dir.resolve("redis.log").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                if ("PONG".equals(call("PING"))) {
                    return;
                }
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    Path log = dir.resolve("redis.log");
                    throw new IOException("redis-server exited at start: " + Files.readString(dir.resolve("redis.out"))
                            + (Files.exists(log) ? Files.readString(log) : ""));
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("redis-server did not answer on port " + port + " within 10 s");
            }
            Thread.sleep(10);
        }
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:PORT}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Stops the server after it has written what it holds to its dump (SHUTDOWN SAVE), for {@link #restart}. */
    public void stopSaving() throws IOException, InterruptedException {
        try {
            call("SHUTDOWN", "SAVE");
        } catch (IOException closed) {
            // the server closes the connection as it exits
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    /** Starts the server again on the same port, loading the dump {@link #stopSaving} wrote. */
    public void restart() throws IOException, InterruptedException {
        launch();
    }

    /**
     * One command over a fresh connection; the reply as text: a status or bulk string as it is, an integer in
     * decimal, nil as null, an array as its elements joined by newlines. An error reply throws.
     */
    public String call(String... args) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            StringBuilder req = new StringBuilder("*").append(args.length).append("\r\n");
            for (String a : args) {
                int length = a.getBytes(StandardCharsets.UTF_8).length;
                req.append('$').append(length).append("\r\n").append(a).append("\r\n");
            }
            out.write(req.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return reply(new BufferedInputStream(s.getInputStream()));
        }
    }

    private static String reply(InputStream in) throws IOException {
        String line = line(in);
        char type = line.charAt(0);
        String rest = line.substring(1);
        switch (type) {
            case '+', ':':
                return rest;
            case '-':
                throw new IOException("Redis: " + rest);
            case '$': {
                int n = Integer.parseInt(rest);
                if (n < 0) {
                    return null;
                }
                byte[] b = in.readNBytes(n + 2);
                return new String(b, 0, n, StandardCharsets.UTF_8);
            }
            case '*': {
                int n = Integer.parseInt(rest);
                List<String> items = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    items.add(reply(in));
                }
                return String.join("\n", items);
            }
            default:
                throw new IOException("unexpected reply: " + line);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            b.append((char) c);
        }
        in.read();
        return b.toString();
    }

    /** How long to wait for things in Redis tests on a busy machine. */
    public static Duration patience() {
        return Duration.ofSeconds(20);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
