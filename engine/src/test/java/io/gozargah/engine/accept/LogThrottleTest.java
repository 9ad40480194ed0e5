package io.gozargah.engine.accept;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogThrottleTest {
    @Test
    void shouldLogTheFirstAtOnceThenOneLineAPeriodWithTheCount() {
        LogThrottle throttle = new LogThrottle(1000);
        assertTrue(throttle.due(5));
        assertEquals(1, throttle.take());
        assertFalse(throttle.due(6));
        assertFalse(throttle.due(1004));
        assertTrue(throttle.due(1005));
        assertEquals(3, throttle.take(), "the ones held back, and this one");
        assertFalse(throttle.due(1500));
    }
}
