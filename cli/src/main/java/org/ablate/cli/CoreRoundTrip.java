package org.ablate.cli;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The round trip of one value between two threads spinning on it, in nanoseconds: the cost of handing a cache line
 * from one core to another. On a virtual machine it tells where the host has put the vCPUs at that moment. On the
 * 2-vCPU EPYC guest of docs/performance.md it read 40-85 ns while the two shared a last-level cache and 360-400 ns
 * while they did not (bench/core-latency.c, with pinned threads, 80-97 and 370-445), and the guest moved between the
 * two within minutes; two-thread work that shares data between its threads (packed matrix panels, the pool's
 * hand-offs) runs up to a third slower in the second state.
 * The benchmarks print it before and after their timed runs, so a figure can be read with the state it was taken in.
 */
final class CoreRoundTrip {
    private static final int TRIPS = 10_000;
    /** Trips before the timed runs count: the loops must be compiled first (interpreted, they read 2-10 x higher). */
    private static final long WARM_NANOS = 100_000_000L;
    private static final int TIMED = 3;
    /** Give up (−1) after this long: a host too busy to run both threads at once has nothing useful to say. */
    private static final long LIMIT_NANOS = 500_000_000L;
    private static final long STOP = -1;

    private CoreRoundTrip() {
    }

    /**
     * Median of the last three runs of 10,000 round trips, after 100 ms of them; −1 with one processor, or when the host
     * did not let both threads run within half a second.
     */
    static double nanos() {
        if (Runtime.getRuntime().availableProcessors() < 2) {
            return -1;
        }
        AtomicLong ball = new AtomicLong();
        long begin = System.nanoTime(), deadline = begin + LIMIT_NANOS;
        Thread partner = Thread.ofPlatform().daemon().name("ablate-core-round-trip").start(() -> {
            for (long i = 0; ; i++) { // answers 2i+1 with 2i+2 until told to stop
                long got = await(ball, 2 * i + 1, deadline);
                if (got != 2 * i + 1) {
                    return;
                }
                ball.setRelease(2 * i + 2);
            }
        });
        double[] last = new double[TIMED];
        int runs = 0;
        long i = 0;
        boolean ok = true;
        while (ok && (runs < 2 * TIMED || System.nanoTime() - begin < WARM_NANOS)) {
            long start = System.nanoTime();
            for (long end = i + TRIPS; i < end && ok; i++) {
                ball.setRelease(2 * i + 1);
                ok = await(ball, 2 * i + 2, deadline) == 2 * i + 2;
            }
            last[runs++ % TIMED] = (System.nanoTime() - start) / (double) TRIPS;
        }
        ball.setRelease(STOP);
        try {
            partner.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!ok) {
            return -1;
        }
        Arrays.sort(last);
        return Math.round(last[TIMED / 2] * 10) / 10.0;
    }

    /**
     * Spins until {@code ball} holds {@code value} or {@link #STOP}, or {@code deadline} passes; returns what it last read.
     * Release stores and acquire loads, plain moves on x86 (a volatile store's fence would be timed too, about doubling
     * the figure), and no pause hint.
     */
    private static long await(AtomicLong ball, long value, long deadline) {
        long v;
        for (int spins = 0; (v = ball.getAcquire()) != value && v != STOP; spins++) {
            if ((spins & 0xFFFF) == 0xFFFF && System.nanoTime() > deadline) {
                return v;
            }
        }
        return v;
    }
}
