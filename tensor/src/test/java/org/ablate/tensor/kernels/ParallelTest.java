package org.ablate.tensor.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {

    /** Every index is covered exactly once, by ranges that start on a multiple of the grain and shrink toward the end. */
    @Test
    void guidedRangesCoverEveryIndexOnceInWholeGrains() {
        for (int n : new int[] {1, 5, 16, 17, 100, 768, 3072, 50257}) {
            for (int grain : new int[] {1, 4, 16, 24, 64}) {
                AtomicIntegerArray seen = new AtomicIntegerArray(n);
                List<int[]> ranges = Collections.synchronizedList(new ArrayList<>());
                Parallel.parallelGuided(n, grain, (start, end) -> {
                    ranges.add(new int[] {start, end});
                    for (int i = start; i < end; i++) seen.incrementAndGet(i);
                });
                for (int i = 0; i < n; i++) {
                    assertEquals(1, seen.get(i), "n=" + n + " grain=" + grain + ": index " + i);
                }
                for (int[] r : ranges) {
                    assertEquals(0, r[0] % grain, "n=" + n + " grain=" + grain + ": range starts at " + r[0]);
                    assertTrue(r[1] - r[0] >= grain || r[1] == n, "n=" + n + " grain=" + grain + ": short range " + r[0] + ".." + r[1]);
                }
                ranges.sort((a, b) -> Integer.compare(a[0], b[0]));
                int[] last = ranges.get(ranges.size() - 1);
                int[] first = ranges.get(0);
                assertTrue(first[1] - first[0] >= last[1] - last[0],
                        "n=" + n + " grain=" + grain + ": first range " + (first[1] - first[0]) + " shorter than the last " + (last[1] - last[0]));
            }
        }
    }

    /** A call from inside a task runs on the calling thread and still covers its range once. */
    @Test
    void nestedGuidedCallsRunOnTheCallingThread() {
        AtomicIntegerArray seen = new AtomicIntegerArray(4 * 300);
        Parallel.parallelFor(4, t -> Parallel.parallelGuided(300, 8, (s, e) -> {
            for (int i = s; i < e; i++) seen.incrementAndGet(t * 300 + i);
        }));
        for (int i = 0; i < seen.length(); i++) assertEquals(1, seen.get(i), "index " + i);
    }

    /** Between jobs the workers park after their short spin instead of burning a core until the next job. */
    @Test
    void idleWorkersParkBetweenJobs() throws InterruptedException {
        Parallel.parallelFor(8, i -> {});
        List<Thread> workers = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("ablate-kernel-")).toList();
        assertEquals(Parallel.threads() - 1, workers.size(), "pool workers");
        Thread.sleep(300);
        for (Thread w : workers) {
            assertEquals(Thread.State.WAITING, w.getState(), w.getName() + " 300 ms after the last job");
        }
    }

    /** After a short gap the spin grows to cover the next one, up to its cap; a long gap sets it back. */
    @Test
    void theSpinFollowsShortGapsAndFallsBackAfterLongOnes() {
        long us = 1000;
        assertEquals(120 * us, Parallel.nextSpin(80 * us), "a gap of 80 µs: spin half as long again");
        assertEquals(300 * us, Parallel.nextSpin(250 * us), "capped at 300 µs");
        assertEquals(300 * us, Parallel.nextSpin(300 * us), "a gap at the cap still counts as short");
        assertEquals(50 * us, Parallel.nextSpin(301 * us), "a longer gap: back to the base spin");
        assertEquals(50 * us, Parallel.nextSpin(20 * us), "never under the base spin");
        assertEquals(50 * us, Parallel.nextSpin(5_000 * us));
    }

    @Test
    void aGrainBelowOneIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parallel.parallelGuided(10, 0, (s, t) -> {}));
        assertEquals("parallelGuided: grain must be at least 1, got 0", e.getMessage());
    }

    @Test
    void dotGrainIsAboutSixtyFourKilobytesInWholeGroupsOfRows() {
        assertEquals(24, Gemv.dotGrain(1, 768));
        assertEquals(32, Gemv.dotGrain(16, 768));
        assertEquals(8, Gemv.dotGrain(1, 3072));
        assertEquals(16, Gemv.dotGrain(16, 3072));
        assertEquals(16384, Gemv.dotGrain(1, 1));
    }
}
