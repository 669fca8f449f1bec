package org.ablate.tensor.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The choice between Gemm's two schedules, fed made-up timings (nothing here is timed). */
class ScheduleChoiceTest {
    /** Runs {@code calls} calls, each schedule taking the given time; returns how many ran split. */
    private static int run(ScheduleChoice choice, int calls, long sharedNanos, long splitNanos) {
        int splits = 0;
        for (int i = 0; i < calls; i++) {
            boolean split = choice.nextIsSplit();
            if (split) splits++;
            choice.record(split, split ? splitNanos : sharedNanos);
        }
        return splits;
    }

    @Test
    void triesBothInTurnThenRunsTheFasterAndRetriesTheOther() {
        ScheduleChoice choice = new ScheduleChoice();
        // the first 2 × WINDOW calls alternate, shared first
        for (int i = 0; i < 2 * ScheduleChoice.WINDOW; i++) {
            boolean split = choice.nextIsSplit();
            assertEquals(i % 2 == 1, split, "call " + i);
            choice.record(split, split ? 80_000 : 100_000);
        }
        // then split, the faster, except one call in RETRY_EVERY
        int calls = 20 * ScheduleChoice.RETRY_EVERY;
        assertEquals(calls - 20, run(choice, calls, 100_000, 80_000));
        long[] counts = choice.counts();
        assertEquals(2 * ScheduleChoice.WINDOW + calls, counts[0]);
        assertEquals(ScheduleChoice.WINDOW + calls - 20, counts[1], "split calls, the first turns included");
    }

    @Test
    void followsAChangeInWhichIsFaster() {
        ScheduleChoice choice = new ScheduleChoice();
        run(choice, 100, 100_000, 60_000); // split faster (cores apart)
        // the cores come together: split now slower; within a few retries the choice moves to shared
        run(choice, 6 * ScheduleChoice.RETRY_EVERY, 100_000, 130_000);
        int calls = 10 * ScheduleChoice.RETRY_EVERY;
        assertEquals(10, run(choice, calls, 100_000, 130_000), "shared, with one split retry per RETRY_EVERY");
    }

    @Test
    void oneSlowCallDoesNotMoveTheChoice() {
        ScheduleChoice choice = new ScheduleChoice();
        run(choice, 64, 100_000, 90_000);
        // one split call held up by a collection: still the second shortest of the window decides
        choice.record(true, 5_000_000);
        int calls = ScheduleChoice.RETRY_EVERY - 1;
        int splits = 0;
        for (int i = 0; i < calls; i++) {
            boolean split = choice.nextIsSplit();
            if (split) splits++;
            choice.record(split, split ? 90_000 : 100_000);
        }
        assertTrue(splits >= calls - 1, "split kept: " + splits + " of " + calls);
    }

    @Test
    void keepsOneRecordPerShapeAndLayout() {
        ScheduleChoice a = ScheduleChoice.of(256, 256, 256, false, false, true);
        assertNotNull(a);
        assertSame(a, ScheduleChoice.of(256, 256, 256, false, false, true));
        assertFalse(a == ScheduleChoice.of(256, 256, 256, true, false, true), "A column-major is another record");
        assertFalse(a == ScheduleChoice.of(256, 256, 255, false, false, true));
        assertNull(ScheduleChoice.of(1 << 20, 2, 2, false, false, true), "sizes past 2^20 are not timed");
    }
}
