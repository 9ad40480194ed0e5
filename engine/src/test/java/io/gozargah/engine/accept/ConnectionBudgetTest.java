package io.gozargah.engine.accept;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionBudgetTest {
    private static final long MIB = 1024 * 1024;

    @Test
    void shouldLetTheHeapBoundTheDefaultUnderTheSystemdDescriptorLimit() {
        // The systemd unit's 1,048,576 descriptors, the launcher's 512 MiB, 46 providers x 2 endpoints x 64 x 16.
        ConnectionBudget b = ConnectionBudget.of(1_048_576, 40, 64, 46L * 2 * 64 * 16, 512 * MIB);
        assertEquals(40 + 256 + 64 + 2, b.reserved());
        assertEquals(94_208, b.upstreamRoom(), "every upstream connection the pools may open");
        assertEquals(32_768, b.defaultMaxConnections(), "16 KiB of heap each");
        assertEquals(1024, ConnectionBudget.defaultPerAddress(b.defaultMaxConnections()));
    }

    @Test
    void shouldKeepTheReserveAndUpstreamRoomUnderALowDescriptorLimit() {
        ConnectionBudget b = ConnectionBudget.of(1024, 100, 64, 128, 512 * MIB);
        assertEquals(422, b.reserved());
        assertEquals(128, b.upstreamRoom());
        assertEquals(474, b.defaultMaxConnections());
        assertEquals(1024, b.reserved() + b.upstreamRoom() + b.defaultMaxConnections(), "every descriptor accounted");
        assertEquals(118, ConnectionBudget.defaultPerAddress(474), "a quarter of the total");
    }

    @Test
    void shouldGiveUpstreamConnectionsAtMostHalfOfWhatTheReserveLeaves() {
        ConnectionBudget b = ConnectionBudget.of(1024, 100, 64, 100_000, 512 * MIB);
        assertEquals(301, b.upstreamRoom());
        assertEquals(301, b.defaultMaxConnections());
    }

    @Test
    void shouldFallBackToAFloorWhenTheLimitLeavesNothing() {
        ConnectionBudget b = ConnectionBudget.of(256, 100, 64, 128, 512 * MIB);
        assertEquals(0, b.byDescriptors());
        assertEquals(ConnectionBudget.MIN_CONNECTIONS, b.defaultMaxConnections());
        assertTrue(b.defaultMaxConnections() > b.byDescriptors(), "so that the gateway warns at start");
    }

    @Test
    void shouldUseTheHeapAloneWhenTheLimitIsUnknown() {
        ConnectionBudget b = ConnectionBudget.of(-1, -1, 64, 128, 256 * MIB);
        assertEquals(Long.MAX_VALUE, b.byDescriptors());
        assertEquals(16_384, b.defaultMaxConnections());
        assertTrue(b.basis().startsWith("from a 256 MiB heap"), b.basis());
    }

    @Test
    void shouldGiveEveryAddressAtLeastOneConnection() {
        assertEquals(1, ConnectionBudget.defaultPerAddress(3));
        assertEquals(1024, ConnectionBudget.defaultPerAddress(Integer.MAX_VALUE));
    }
}
