package io.gozargah.engine.metrics;

import io.gozargah.engine.auth.ApiKeys;
import io.gozargah.engine.config.ConfigLoader;
import io.gozargah.engine.route.RoutingSnapshot;
import io.gozargah.engine.route.ServiceRoute;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Label slots stay with names across reloads that renumber services, and cells are found again. */
class LoopSeriesTest {
    @TempDir
    Path dir;

    private RoutingSnapshot snapshot(String... services) throws Exception {
        StringBuilder yaml = new StringBuilder("server:\n  listeners: [ { port: 0 } ]\nproviders:\n  p:\n"
                + "    endpoints: [ \"http://127.0.0.1:9\" ]\n    services:\n");
        for (String s : services) {
            yaml.append("      ").append(s).append(": { path: /").append(s).append(" }\n");
        }
        Path file = Files.writeString(dir.resolve(services.length + String.join("", services) + ".yaml"), yaml);
        return RoutingSnapshot.build(ConfigLoader.load(file));
    }

    private static ServiceRoute named(RoutingSnapshot s, String name) {
        return s.services().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void shouldKeepEachServiceOnItsSlotWhileExchangesAlternateBetweenSnapshots() throws Exception {
        MetricsRegistry registry = new MetricsRegistry(true, 100);
        LoopSeries loop = new LoopSeries(registry);
        RoutingSnapshot before = snapshot("a", "b");
        RoutingSnapshot after = snapshot("b", "c", "a");
        assertNotEquals(named(before, "a").id(), named(after, "a").id(), "the reload renumbers a");

        int a = loop.serviceSlot(before, named(before, "a"));
        int b = loop.serviceSlot(before, named(before, "b"));
        for (int i = 0; i < 3; i++) {
            assertEquals(a, loop.serviceSlot(after, named(after, "a")));
            assertEquals(b, loop.serviceSlot(before, named(before, "b")));
            assertEquals(b, loop.serviceSlot(after, named(after, "b")));
        }
        int c = loop.serviceSlot(after, named(after, "c"));
        assertNotEquals(a, c);
        assertNotEquals(b, c);
        assertEquals(Labels.NONE, loop.serviceSlot(after, null));

        SeriesCell cell = loop.cell(a, Labels.NONE);
        assertSame(cell, loop.cell(a, Labels.NONE));
        int[] consumers = new int[200];
        for (int i = 0; i < consumers.length; i++) {
            consumers[i] = registry.labels().consumerSlot("consumer-" + i);
            loop.cell(b, consumers[i]); // past the cap of 100 series: folded into (b, _other), the table grows
        }
        assertSame(cell, loop.cell(a, Labels.NONE));
        assertEquals("consumer-0", loop.cell(b, consumers[0]).series.consumer);
        assertSame(loop.cell(b, consumers[150]).series, loop.cell(b, Labels.OTHER).series);
        assertEquals(Labels.OTHER_NAME, loop.cell(b, consumers[199]).series.consumer);
    }

    private RoutingSnapshot withConsumers(String... consumers) throws Exception {
        StringBuilder yaml = new StringBuilder("server:\n  listeners: [ { port: 0 } ]\nproviders:\n  p:\n"
                + "    endpoints: [ \"http://127.0.0.1:9\" ]\n    services:\n      a: { path: /a }\nconsumers:\n");
        for (String c : consumers) {
            yaml.append("  ").append(c).append(":\n    apiKeys: [ \"").append(ApiKeys.configHash("gzk_" + c + "_0123456789abcdef"))
                    .append("\" ]\n    grants: [ { service: p/a } ]\n");
        }
        Path file = Files.writeString(dir.resolve("c" + String.join("", consumers) + ".yaml"), yaml);
        return RoutingSnapshot.build(ConfigLoader.load(file));
    }

    @Test
    void shouldKeepEachConsumerOnItsSlotWhileExchangesAlternateBetweenSnapshots() throws Exception {
        MetricsRegistry registry = new MetricsRegistry(true, 100);
        LoopSeries loop = new LoopSeries(registry);
        RoutingSnapshot before = withConsumers("x", "y");
        RoutingSnapshot after = withConsumers("z", "y", "x");
        assertNotEquals(before.consumer("x").id(), after.consumer("x").id(), "the reload renumbers x");

        int x = loop.consumerSlot(before, before.consumer("x"));
        assertEquals(registry.labels().consumerSlot("x"), x);
        for (int i = 0; i < 3; i++) {
            assertEquals(x, loop.consumerSlot(after, after.consumer("x")));
            assertEquals(x, loop.consumerSlot(before, before.consumer("x")));
            assertEquals(registry.labels().consumerSlot("y"), loop.consumerSlot(before, before.consumer("y")));
            assertEquals(registry.labels().consumerSlot("y"), loop.consumerSlot(after, after.consumer("y")));
        }
        int z = loop.consumerSlot(after, after.consumer("z"));
        assertEquals(registry.labels().consumerSlot("z"), z);
        assertNotEquals(x, z);
        assertEquals(Labels.NONE, loop.consumerSlot(after, null));
        // A third snapshot pushes the first out; its consumers' slots are the same names' slots still.
        RoutingSnapshot third = withConsumers("y", "x");
        assertEquals(x, loop.consumerSlot(third, third.consumer("x")));
        assertEquals(x, loop.consumerSlot(before, before.consumer("x")));
        assertEquals("x", registry.labels().consumer(x));
    }
}
