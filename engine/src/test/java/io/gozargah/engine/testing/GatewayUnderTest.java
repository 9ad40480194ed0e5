package io.gozargah.engine.testing;

import io.gozargah.engine.exchange.ExchangeStage;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The set-up of an integration test: a stand-in provider ({@link TestUpstream}), a gateway on 127.0.0.1 configured
 * against it ({@link GatewayFixture}), and whatever else the test opens on them (clients, an admin fixture, a child
 * gateway), all closed by this extension after the test in the reverse order of their opening: clients, then the
 * gateway, then the provider, whether the test passed, failed or never got as far as starting them.
 *
 * <p>Registered with {@code @RegisterExtension} on an instance field, what a test (or its {@code @BeforeEach}) opens
 * is closed after each test. On a static field, what a {@code @BeforeAll} opens is closed after all the tests of the
 * class, and what a test opens still after that test. A test's own {@code @AfterEach} runs first (JUnit runs
 * extensions' after-each callbacks after the class's methods), so it may still use the gateway, to release what the
 * provider holds for instance.
 *
 * <p>An extension rather than a builder closed by try-with-resources: the tests start their gateway at different
 * points (in {@code @BeforeAll}, {@code @BeforeEach}, or mid-test once a config is chosen), some close it themselves
 * mid-test to read the journal it wrote, and the test bodies stay as they are instead of moving into try blocks.
 */
public final class GatewayUnderTest implements BeforeEachCallback, AfterEachCallback, AfterAllCallback {
    private final Deque<AutoCloseable> forAllTests = new ArrayDeque<>();
    private final Deque<AutoCloseable> forThisTest = new ArrayDeque<>();
    private boolean inTest;
    private TestUpstream provider;
    private int providerPort = -1;
    private GatewayFixture gateway;

    /** A provider that aggregates each request and lets {@code responder} answer it. */
    public TestUpstream provider(TestUpstream.Responder responder) throws InterruptedException {
        return provider(TestUpstream.http(responder));
    }

    /** {@code upstream} (made by {@link TestUpstream#raw} for instance) as the provider, closed with the rest. */
    public TestUpstream provider(TestUpstream upstream) {
        provider = closeAfter(upstream);
        providerPort = upstream.port();
        return upstream;
    }

    /** An HTTP/2 provider ({@code protocol: h2c} or {@code h2} in the provider's config). */
    public TestH2Upstream provider(TestH2Upstream upstream) {
        closeAfter(upstream);
        providerPort = upstream.port();
        return upstream;
    }

    /** {@link GatewayFixture#standardYaml} against the provider. */
    public String standardYaml(String providerExtra, String limitsYaml) {
        if (providerPort < 0) {
            throw new IllegalStateException("no provider yet: call provider(...) first");
        }
        return GatewayFixture.standardYaml(providerPort, providerExtra, limitsYaml);
    }

    /** A gateway from the standard config against the provider. */
    public GatewayFixture start() throws Exception {
        return start(standardYaml(null, null));
    }

    /** A gateway from {@code yaml}. */
    public GatewayFixture start(String yaml) throws Exception {
        return started(GatewayFixture.start(yaml));
    }

    /** A gateway from {@code yaml} with {@code stages} after its built-in exchange stages. */
    public GatewayFixture start(String yaml, List<? extends ExchangeStage> stages) throws Exception {
        return started(GatewayFixture.start(yaml, stages));
    }

    /** A gateway from a config file already written. */
    public GatewayFixture start(Path file) throws Exception {
        return started(GatewayFixture.start(file));
    }

    /** The HTTP/1.1 provider last opened, or null. */
    public TestUpstream upstream() {
        return provider;
    }

    /** The gateway last started, or null. */
    public GatewayFixture gateway() {
        return gateway;
    }

    /** Closes {@code resource} with the rest, before everything opened earlier. */
    public <T extends AutoCloseable> T closeAfter(T resource) {
        (inTest ? forThisTest : forAllTests).push(resource);
        return resource;
    }

    private GatewayFixture started(GatewayFixture fixture) {
        gateway = closeAfter(fixture);
        return fixture;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        inTest = true;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        inTest = false;
        closeAll(forThisTest);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        closeAll(forAllTests);
    }

    private void closeAll(Deque<AutoCloseable> resources) throws Exception {
        Exception first = null;
        for (AutoCloseable r = resources.poll(); r != null; r = resources.poll()) {
            try {
                r.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
            if (r == gateway) {
                gateway = null;
            } else if (r == provider) {
                provider = null;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
