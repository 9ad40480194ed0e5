package io.gozargah.engine.deadline;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-loop deadline wheel, driven by a hand-moved clock: no test here waits. */
class DeadlineWheelTest {
    private static final long MS = 1_000_000L;

    private long now = 5_000 * MS;
    private final DeadlineWheel wheel = new DeadlineWheel(() -> now, 10 * MS, 8);
    private final List<String> fired = new ArrayList<>();

    private Deadline deadline(String name) {
        return new Deadline(at -> fired.add(name + "@" + (at / MS)));
    }

    private void advanceTo(long ms) {
        now = ms * MS;
        wheel.tick();
    }

    @Test
    void shouldFireADeadlineAtItsTickAndNeverEarly() {
        Deadline d = deadline("a");
        wheel.schedule(d, 5_025 * MS);

        advanceTo(5_024);
        assertEquals(List.of(), fired);
        assertTrue(d.scheduled());

        advanceTo(5_025);
        assertEquals(List.of(), fired, "the bucket of 5030 ms holds it: it fires at the first tick at or after it");

        advanceTo(5_030);
        assertEquals(List.of("a@5030"), fired);
        assertFalse(d.scheduled());
        assertEquals(0, wheel.size());
    }

    @Test
    void shouldNotFireACancelledDeadlineAndMoveARescheduledOne() {
        Deadline a = deadline("a");
        Deadline b = deadline("b");
        wheel.schedule(a, 5_020 * MS);
        wheel.schedule(b, 5_020 * MS);
        wheel.cancel(a);
        wheel.schedule(b, 5_050 * MS);
        assertEquals(1, wheel.size());

        advanceTo(5_040);
        assertEquals(List.of(), fired);
        advanceTo(5_050);
        assertEquals(List.of("b@5050"), fired);
    }

    @Test
    void shouldKeepADeadlineOfALaterTurnOfTheWheelUntilItsTime() {
        Deadline far = deadline("far");
        wheel.schedule(far, 5_000 * MS + 200 * MS); // eight buckets of 10 ms: 200 ms is two and a half turns

        for (long t = 5_010; t < 5_200; t += 10) {
            advanceTo(t);
        }
        assertEquals(List.of(), fired);
        advanceTo(5_200);
        assertEquals(List.of("far@5200"), fired);
    }

    @Test
    void shouldFireEverythingOverdueAfterALongPauseWalkingEachBucketOnce() {
        Deadline a = deadline("a");
        Deadline b = deadline("b");
        wheel.schedule(a, 5_010 * MS);
        wheel.schedule(b, 5_500 * MS);

        advanceTo(9_000);
        assertEquals(List.of("a@9000", "b@9000"), fired);
    }

    @Test
    void shouldFireAPastDeadlineOnTheNextTick() {
        advanceTo(5_100);
        Deadline late = deadline("late");
        wheel.schedule(late, 4_000 * MS);
        assertEquals(List.of(), fired);
        advanceTo(5_110);
        assertEquals(List.of("late@5110"), fired);
    }

    @Test
    void shouldLetAnExpiryCancelAnotherDeadlineDueAtTheSameTick() {
        Deadline second = deadline("second");
        Deadline first = new Deadline(at -> {
            fired.add("first");
            wheel.cancel(second);
        });
        wheel.schedule(first, 5_010 * MS);
        wheel.schedule(second, 5_010 * MS);

        advanceTo(5_010);
        assertEquals(List.of("first"), fired);
        assertEquals(0, wheel.size());
    }

    @Test
    void shouldLetAnExpiryRescheduleItself() {
        Deadline[] holder = new Deadline[1];
        holder[0] = new Deadline(at -> {
            fired.add("tick@" + (at / MS));
            if (fired.size() < 3) {
                wheel.schedule(holder[0], at + 10 * MS);
            }
        });
        wheel.schedule(holder[0], 5_010 * MS);
        for (long t = 5_010; t <= 5_060; t += 10) {
            advanceTo(t);
        }
        assertEquals(List.of("tick@5010", "tick@5020", "tick@5030"), fired);
    }

    @Test
    void shouldRefuseABucketCountThatIsNotAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new DeadlineWheel(() -> 0, 10 * MS, 6));
    }
}
