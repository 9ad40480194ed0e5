package io.gozargah.engine.testing;

import io.gozargah.engine.admin.AdminServer;
import io.gozargah.engine.config.AdminConfig;
import io.gozargah.engine.server.ConfigReloader;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executor;

/** A {@link GatewayFixture} with its admin listener on 127.0.0.1 (ephemeral port) and token {@link #TOKEN}. */
public final class AdminFixture implements AutoCloseable {
    public static final String TOKEN = "test-admin-token-0123456789abcdef";

    private final GatewayFixture gateway;
    private final AdminServer admin;
    private boolean closed;

    private AdminFixture(GatewayFixture gateway, AdminServer admin) {
        this.gateway = gateway;
        this.admin = admin;
    }

    public static AdminFixture start(String yaml, Duration drainDeadline) throws Exception {
        return start(yaml, drainDeadline, new AdminConfig("127.0.0.1", 0, TOKEN));
    }

    /** With {@code config}'s cap and timeouts ({@code config} should bind 127.0.0.1:0 with {@link #TOKEN}). */
    public static AdminFixture start(String yaml, Duration drainDeadline, AdminConfig config) throws Exception {
        return start(yaml, drainDeadline, config, null);
    }

    /** As above, the subject searches' journal scans run on {@code scans} (null: the server's own thread). */
    public static AdminFixture start(String yaml, Duration drainDeadline, AdminConfig config, Executor scans)
            throws Exception {
        GatewayFixture gateway = GatewayFixture.start(yaml);
        try {
            ConfigReloader reloader = new ConfigReloader(gateway.gateway().snapshot().config().source(),
                    gateway.gateway());
            AdminServer admin = scans == null ? AdminServer.start(config, gateway.gateway(), reloader, drainDeadline)
                    : AdminServer.start(config, gateway.gateway(), reloader, drainDeadline, scans, () -> { });
            return new AdminFixture(gateway, admin);
        } catch (Exception e) {
            gateway.close();
            throw e;
        }
    }

    public GatewayFixture gateway() {
        return gateway;
    }

    public int adminPort() {
        return admin.address().getPort();
    }

    /** One request to the admin listener with {@code authorization} (null: none), its whole answer. */
    public RawHttpClient.Response call(String method, String path, String authorization) throws IOException {
        try (RawHttpClient c = new RawHttpClient(adminPort())) {
            c.send(method + " " + path + " HTTP/1.1\r\nHost: admin\r\n"
                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                    + (method.equals("POST") ? "Content-Length: 0\r\n" : "") + "\r\n");
            return c.read();
        }
    }

    /** With the right token. */
    public RawHttpClient.Response call(String method, String path) throws IOException {
        return call(method, path, "Bearer " + TOKEN);
    }

    /** Stops the admin API and the gateway; once only (a test may close it early and its set-up again). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        admin.close();
        gateway.close();
    }
}
