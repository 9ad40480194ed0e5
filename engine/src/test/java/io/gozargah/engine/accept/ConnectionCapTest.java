package io.gozargah.engine.accept;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionCapTest {
    @Test
    void shouldBeFullAtItsMaximumAndAskForAResumeOnceWhenOneCloses() {
        ConnectionCap cap = new ConnectionCap(2);
        assertTrue(cap.tryAcquire());
        assertFalse(cap.full());
        assertTrue(cap.tryAcquire());
        assertTrue(cap.full(), "the listeners stop accepting at the cap");
        assertFalse(cap.tryAcquire(), "one accepted in the same batch is refused");
        assertEquals(2, cap.open());

        assertTrue(cap.release(), "the close that takes it below the cap resumes the listeners");
        assertFalse(cap.full());
        assertFalse(cap.release(), "once");
        assertEquals(0, cap.open());
    }
}
