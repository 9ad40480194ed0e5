package io.gozargah.engine.demo;

import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Three stand-in agencies for the demo, each an HTTP/1.1 server of its own on 127.0.0.1: the civil registry
 * ({@code nocr}), the postal company ({@code post}) and the government SMS gateway ({@code sms}). They are what
 * config/demo.yaml routes to; they are not on the gateway's proxy path and are built for clarity, not speed.
 */
public final class DemoProviders implements AutoCloseable {
    /** The agencies, in the order {@link #start} takes their ports and {@link #addresses} lists them. */
    public static final List<String> NAMES = List.of("nocr", "post", "sms");

    /** Requests are tiny and answered from memory; a few threads keep one slow client from stalling the rest. */
    private static final int THREADS = 4;
    private static final Logger LOG = LoggerFactory.getLogger(DemoProviders.class);

    /** The JDK server's switch for TCP_NODELAY on the sockets it accepts. */
    static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";

    private final ExecutorService executor;
    private final Map<String, HttpServer> servers;

    private DemoProviders(ExecutorService executor, Map<String, HttpServer> servers) {
        this.executor = executor;
        this.servers = servers;
    }

    /**
     * Starts the providers on the given ports of 127.0.0.1; 0 picks a free port. If one cannot bind, those already
     * started are stopped and the exception names the provider and its address.
     */
    public static DemoProviders start(int nocrPort, int postPort, int smsPort) throws IOException {
        // The JDK's server writes a response's head and body in separate writes; with Nagle's algorithm on, the
        // body then waits for the gateway's delayed ACK of the head: 40 ms on every answer. Read once, when
        // the first server starts.
        System.setProperty(NODELAY_PROPERTY, "true");
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, daemonThreads());
        List<HttpServer> started = new ArrayList<>();
        try {
            HttpServer nocr = bind("nocr", nocrPort, executor, started);
            nocr.createContext(NocrIdentityEndpoint.PATH, new NocrIdentityEndpoint());
            HttpServer post = bind("post", postPort, executor, started);
            post.createContext(PostAddressEndpoint.PATH, new PostAddressEndpoint());
            HttpServer sms = bind("sms", smsPort, executor, started);
            sms.createContext(SmsSendEndpoint.PATH, new SmsSendEndpoint());
            Map<String, HttpServer> servers = Map.of("nocr", nocr, "post", post, "sms", sms);
            servers.forEach((name, server) -> server.start());
            servers.forEach((name, server) -> LOG.info("demo provider {} on http://{}", name, hostPort(server)));
            return new DemoProviders(executor, servers);
        } catch (IOException | RuntimeException e) {
            started.forEach(server -> server.stop(0));
            executor.shutdownNow();
            throw e;
        }
    }

    /** Bound address by provider name, in the order nocr, post, sms. */
    public Map<String, InetSocketAddress> addresses() {
        Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
        for (String name : NAMES) {
            addresses.put(name, servers.get(name).getAddress());
        }
        return addresses;
    }

    public InetSocketAddress nocrAddress() {
        return servers.get("nocr").getAddress();
    }

    public InetSocketAddress postAddress() {
        return servers.get("post").getAddress();
    }

    public InetSocketAddress smsAddress() {
        return servers.get("sms").getAddress();
    }

    /** Stops every provider at once; exchanges in progress are cut (it is a demo). */
    @Override
    public void close() {
        servers.values().forEach(server -> server.stop(0));
        executor.shutdownNow();
    }

    private static HttpServer bind(String name, int port, ExecutorService executor, List<HttpServer> started)
            throws IOException {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        HttpServer server;
        try {
            server = HttpServer.create(address, 0);
        } catch (IOException e) {
            throw new IOException("demo provider " + name + " cannot listen on 127.0.0.1:" + port + ": "
                    + e.getMessage(), e);
        }
        started.add(server);
        server.setExecutor(executor);
        // Anything but the provider's own path answers a JSON 404 rather than the JDK's HTML page.
        server.createContext("/", exchange -> {
            try {
                JsonReply.error(404, "not-found", "no such resource at this agency").send(exchange);
            } finally {
                exchange.close();
            }
        });
        return server;
    }

    private static String hostPort(HttpServer server) {
        return server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger next = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "demo-provider-" + next.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
