package org.ablate.tensor.kernels;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Which of {@link Gemm}'s two schedules for a product with few row blocks per thread runs next, for one product
 * shape: the one whose recent calls took less time, the other one every {@link #RETRY_EVERY}-th call so that a
 * change is noticed. Neither wins everywhere, and the winner changes while a job runs: on a virtual machine the host
 * moves the two vCPUs between cores that share a cache, where the shared schedule was 2–3 % faster on 256³, and
 * cores that share none, where the split one was 25–45 % faster (docs/performance.md). Both give the same bits, so the
 * choice moves only the time.
 *
 * <p>The first calls take the two in turn until each has {@link #WINDOW} timings; a schedule's time is then the
 * second shortest of its last {@link #WINDOW} calls, which one call slowed by the OS or a collection does not move.
 * Callers on several threads at once share a shape's record under its lock (a product takes microseconds at least).
 */
final class ScheduleChoice {
    /** Timings kept per schedule. */
    static final int WINDOW = 4;
    /** Every this many calls, after the first ones, run the schedule that is not the faster. */
    static final int RETRY_EVERY = 16;
    /** Most shapes kept; products of other shapes run the shared schedule untimed. */
    static final int MAX_SHAPES = 4096;

    private static final ConcurrentHashMap<Long, ScheduleChoice> SHAPES = new ConcurrentHashMap<>();

    private final long[][] recent = new long[2][WINDOW];
    private final int[] timed = new int[2];
    private final int[] slot = new int[2];
    private long calls, splitCalls;

    /**
     * The record for products of this shape and operand layout (A or B column-major, B in a mapped file); null, for
     * the shared schedule untimed, once {@link #MAX_SHAPES} shapes are kept or a size passes 2^20.
     */
    static ScheduleChoice of(int m, int n, int k, boolean aColumnMajor, boolean bColumnMajor, boolean bInArray) {
        if ((m | n | k) >= 1 << 20) {
            return null;
        }
        long key = key(m, n, k, aColumnMajor, bColumnMajor, bInArray);
        ScheduleChoice choice = SHAPES.get(key);
        if (choice == null && SHAPES.size() < MAX_SHAPES) {
            choice = SHAPES.computeIfAbsent(key, x -> new ScheduleChoice());
        }
        return choice;
    }

    /** The record products of this shape and layout have made, or null (a report's lookup: it adds none). */
    static ScheduleChoice existing(int m, int n, int k, boolean aColumnMajor, boolean bColumnMajor, boolean bInArray) {
        return (m | n | k) >= 1 << 20 ? null : SHAPES.get(key(m, n, k, aColumnMajor, bColumnMajor, bInArray));
    }

    private static long key(int m, int n, int k, boolean aColumnMajor, boolean bColumnMajor, boolean bInArray) {
        return (long) m << 43 | (long) n << 23 | (long) k << 3
                | (aColumnMajor ? 4 : 0) | (bColumnMajor ? 2 : 0) | (bInArray ? 1 : 0);
    }

    /** True when the next call should run the split schedule. */
    synchronized boolean nextIsSplit() {
        long call = calls++;
        boolean split;
        if (timed[0] < WINDOW || timed[1] < WINDOW) {
            split = (call & 1) == 1; // shared first, then in turn
        } else {
            boolean splitFaster = time(1) < time(0);
            split = call % RETRY_EVERY == RETRY_EVERY - 1 ? !splitFaster : splitFaster;
        }
        if (split) splitCalls++;
        return split;
    }

    /** Calls so far, and how many of them ran the split schedule (for benchmarks to report). */
    synchronized long[] counts() {
        return new long[] {calls, splitCalls};
    }

    /** The time one call took under the schedule {@link #nextIsSplit} named. */
    synchronized void record(boolean split, long nanos) {
        int s = split ? 1 : 0;
        recent[s][slot[s]] = nanos;
        slot[s] = (slot[s] + 1) % WINDOW;
        timed[s] = Math.min(timed[s] + 1, WINDOW);
    }

    /** The second smallest of the schedule's last WINDOW timings. */
    private long time(int s) {
        long first = Long.MAX_VALUE, second = Long.MAX_VALUE;
        for (long t : recent[s]) {
            if (t < first) {
                second = first;
                first = t;
            } else if (t < second) {
                second = t;
            }
        }
        return second;
    }
}
