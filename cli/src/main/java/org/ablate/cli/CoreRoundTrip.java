package org.ablate.cli;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The round trip of one value between two threads spinning on it, in nanoseconds: the cost of handing a cache line
 * from one core to another. On a virtual machine it tells where the host has put the vCPUs at that moment. On the
 * 2-vCPU EPYC guest of docs/performance.md it was about 80 ns while the two shared a last-level cache and about
 * 400 ns while they did not, and the guest moved between the two within minutes; two-thread work that shares data
 * between its threads (packed matrix panels, the pool's hand-offs) runs up to a third slower in the second state.
 * The benchmarks print it before and after their timed runs, so a figure can be read with the state it was taken in.
 */
final class CoreRoundTrip {
    private static final int TRIPS = 20_000;
    private static final int REPS = 3;
    /** Give up (−1) after this long: a host too busy to run both threads at once has nothing useful to say. */
    private static final long LIMIT_NANOS = 500_000_000L;

    private CoreRoundTrip() {
    }

    /** Median over three runs of 20,000 round trips; −1 with one processor, or when the host did not let both threads run. */
    static double nanos() {
        if (Runtime.getRuntime().availableProcessors() < 2) {
            return -1;
        }
        AtomicLong ball = new AtomicLong();
        long deadline = System.nanoTime() + LIMIT_NANOS;
        Thread partner = Thread.ofPlatform().daemon().name("ablate-core-round-trip").start(() -> {
            for (long i = 0; i < (long) REPS * TRIPS; i++) {
                if (!await(ball, 2 * i + 1, deadline)) {
                    return;
                }
                ball.set(2 * i + 2);
            }
        });
        double[] ns = new double[REPS];
        long i = 0;
        for (int rep = 0; rep < REPS; rep++) {
            long start = System.nanoTime();
            for (long end = i + TRIPS; i < end; i++) {
                ball.set(2 * i + 1);
                if (!await(ball, 2 * i + 2, deadline)) {
                    ball.set(-1); // the partner's wait ends at its own deadline check
                    return -1;
                }
            }
            ns[rep] = (System.nanoTime() - start) / (double) TRIPS;
        }
        try {
            partner.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Arrays.sort(ns);
        return Math.round(ns[REPS / 2] * 10) / 10.0;
    }

    /** Spins until {@code ball} holds {@code value}; false once past {@code deadline}. No pause hint: it would be timed too. */
    private static boolean await(AtomicLong ball, long value, long deadline) {
        for (int spins = 0; ball.get() != value; spins++) {
            if ((spins & 0xFFFF) == 0xFFFF && System.nanoTime() > deadline) {
                return false;
            }
        }
        return true;
    }
}
