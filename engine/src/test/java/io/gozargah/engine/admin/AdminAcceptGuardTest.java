package io.gozargah.engine.admin;

import io.gozargah.engine.accept.SpareDescriptor;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin listener's spare descriptor, lent when an accept fails for want of one, on an embedded server channel
 * with its time moved by hand.
 */
class AdminAcceptGuardTest {
    private static final IOException EMFILE = new IOException("accept(..) failed: Too many open files");

    private final SpareDescriptor spare = SpareDescriptor.open();
    private final AdminAcceptGuard guard = new AdminAcceptGuard(64, spare);
    private final EmbeddedChannel server = new EmbeddedChannel(guard);

    @AfterEach
    void close() {
        server.finishAndReleaseAll();
        spare.close();
    }

    @Test
    void shouldTakeTheSpareBackWhenNoConnectionTookTheLoan() {
        server.freezeTime();
        assertTrue(spare.held());

        server.pipeline().fireExceptionCaught(EMFILE);
        assertFalse(spare.held(), "given up for the pending connection");

        server.advanceTimeBy(AdminAcceptGuard.RETRY_NANOS - 1, TimeUnit.NANOSECONDS);
        server.runScheduledPendingTasks();
        assertFalse(spare.held(), "still lent within the retry period");

        server.advanceTimeBy(1, TimeUnit.NANOSECONDS);
        server.runScheduledPendingTasks();
        assertTrue(spare.held(), "no connection came for it: the consumer listeners must not wait for the next one");
    }

    @Test
    void shouldKeepTheSpareLentToTheConnectionThatTookIt() {
        server.freezeTime();
        server.pipeline().fireExceptionCaught(EMFILE);
        EmbeddedChannel child = new EmbeddedChannel();
        server.pipeline().fireChannelRead(child);

        server.advanceTimeBy(AdminAcceptGuard.RETRY_NANOS * 2, TimeUnit.NANOSECONDS);
        server.runScheduledPendingTasks();
        assertFalse(spare.held(), "the connection on the spare holds its descriptor until it closes");
        assertTrue(guard.lent() == 1 && guard.open() == 1);

        child.close();
        assertTrue(spare.held(), "taken back when the lent connection closed");
    }
}
