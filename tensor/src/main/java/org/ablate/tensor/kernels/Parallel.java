package org.ablate.tensor.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * One shared pool of daemon worker threads (available processors − 1, the caller being the last one), used by
 * every kernel that splits work over cores. The common fork-join pool is never used, so kernels do not compete
 * with unrelated parallel streams.
 *
 * <p>Kernels post many short jobs back to back (a matrix product posts a few per call), so idle workers spin
 * briefly ({@code ablate.parallel.spinMicros}, default 50 µs) before parking: waking a parked thread costs
 * more than a small product. After a matrix-vector job ({@link #parallelGuided}), a worker woken from a park after
 * a short gap spins longer next time, up to {@code ablate.parallel.spinMaxMicros} (default 300 µs; 0 keeps the spin
 * fixed), so the gaps a decoding step leaves between its products (50–250 µs of norms and attention) do not cost a
 * wake-up each; a longer gap, or any other job, sets the spin back. Tasks are claimed one at a time from a shared
 * counter, so a worker the OS delays simply takes fewer tasks.
 *
 * <p>Calls may come from any thread. A call made while another thread's job is running, or from inside a task
 * (nested), runs its tasks on the calling thread, which never deadlocks.
 */
public final class Parallel {
    private static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());
    private static final long SPIN_NANOS = 1000L * Long.getLong("ablate.parallel.spinMicros", 50L);
    private static final long SPIN_MAX_NANOS = 1000L * Long.getLong("ablate.parallel.spinMaxMicros", 300L);
    /** 0 on a posting thread, w on worker w (see {@link #participant}). */
    private static final ThreadLocal<Integer> PARTICIPANT = ThreadLocal.withInitial(() -> 0);
    private static final ThreadLocal<Boolean> IN_POOL = ThreadLocal.withInitial(() -> Boolean.FALSE);
    private static final ReentrantLock SUBMIT = new ReentrantLock();
    private static final Thread[] WORKERS = new Thread[THREADS - 1];
    private static volatile Job current;

    static {
        for (int w = 0; w < WORKERS.length; w++) {
            int index = w + 1;
            Thread t = new Thread(() -> {
                PARTICIPANT.set(index);
                workerLoop();
            }, "ablate-kernel-" + index);
            t.setDaemon(true);
            WORKERS[w] = t;
            t.start();
        }
    }

    private Parallel() {
    }

    /** Number of threads that share a job: the workers plus the calling thread. */
    public static int threads() {
        return THREADS;
    }

    /**
     * This thread's place in the pool: 0 for a thread that posts jobs, 1 to threads() − 1 for the workers. A job that
     * gives each thread its own part of the data first (the matrix product's row blocks) asks it which part is its own.
     */
    public static int participant() {
        return PARTICIPANT.get();
    }

    /** A posted job: tasks are claimed through {@code next}; the poster waits until {@code done} reaches tasks. */
    private static final class Job {
        final IntConsumer body;
        final int tasks;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        /** A matrix-vector job of {@link #parallelGuided}: decoding posts them with short gaps between. */
        final boolean guided;

        Job(IntConsumer body, int tasks, boolean guided) {
            this.body = body;
            this.tasks = tasks;
            this.guided = guided;
        }

        void participate() {
            for (int i = next.getAndIncrement(); i < tasks; i = next.getAndIncrement()) {
                try {
                    body.accept(i);
                } catch (Throwable t) {
                    if (failure == null) {
                        failure = t;
                    }
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    private static void workerLoop() {
        IN_POOL.set(Boolean.TRUE);
        Job last = null;
        long spin = SPIN_NANOS;
        while (true) {
            Job j = current;
            if (j != null && j != last) {
                last = j;
                j.participate();
                continue;
            }
            // nothing new: no job (null once the poster is done) or the one already worked on
            long idleFrom = System.nanoTime(), spinUntil = idleFrom + spin;
            while (nothingNew(last) && System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            }
            if (nothingNew(last)) {
                LockSupport.park(Parallel.class); // the poster unparks every worker after setting current
                // Only matrix-vector jobs (decoding) let the spin grow: between training's products a longer spin
                // measured 1.5-5.8 % slower (docs/performance.md).
                spin = last != null && last.guided ? nextSpin(System.nanoTime() - idleFrom) : SPIN_NANOS;
            }
        }
    }

    /**
     * The spin after a park that ended {@code idleNanos} after the worker fell idle: half as long again as that gap
     * while such gaps are short (up to {@link #SPIN_MAX_NANOS}), so the next one passes without a park; back to
     * {@link #SPIN_NANOS} after a longer one, where parking at once is right.
     */
    static long nextSpin(long idleNanos) {
        return idleNanos <= SPIN_MAX_NANOS ? Math.max(SPIN_NANOS, Math.min(SPIN_MAX_NANOS, idleNanos + idleNanos / 2)) : SPIN_NANOS;
    }

    private static boolean nothingNew(Job last) {
        Job j = current;
        return j == null || j == last;
    }

    /**
     * Runs {@code body.accept(i)} for every i in [0, tasks), spread over the pool; returns when all are done.
     * The calling thread takes part in the work and claims whatever is left, so it waits only for tasks a worker
     * has already claimed, never for a worker that is slow to wake. The first exception thrown by a task is rethrown (unchecked
     * ones as they are) after all tasks have finished.
     */
    public static void parallelFor(int tasks, IntConsumer body) {
        post(tasks, body, false);
    }

    /** {@link #parallelFor}; {@code guided} marks a job of {@link #parallelGuided} (see the spin in workerLoop). */
    private static void post(int tasks, IntConsumer body, boolean guided) {
        if (tasks <= 0) {
            return;
        }
        if (tasks == 1 || THREADS == 1 || IN_POOL.get() || !SUBMIT.tryLock()) {
            for (int i = 0; i < tasks; i++) {
                body.accept(i);
            }
            return;
        }
        Job job = new Job(body, tasks, guided);
        try {
            current = job;
            for (Thread w : WORKERS) {
                LockSupport.unpark(w);
            }
            IN_POOL.set(Boolean.TRUE);
            try {
                job.participate();
            } finally {
                IN_POOL.set(Boolean.FALSE);
            }
            // Spin for the last tasks, then yield so a descheduled worker gets the core back sooner.
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (job.done.get() < tasks) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        } finally {
            current = null;
            SUBMIT.unlock();
        }
        Throwable failure = job.failure;
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            throw new RuntimeException(failure);
        }
    }

    /**
     * Splits [0, n) into at most {@code threads()} contiguous chunks of at least {@code minChunk} elements and
     * runs {@code body.run(start, end)} for each chunk in parallel.
     */
    public static void parallelRange(int n, int minChunk, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int chunks = Math.max(1, Math.min(THREADS, n / Math.max(1, minChunk)));
        if (chunks == 1) {
            body.run(0, n);
            return;
        }
        parallelFor(chunks, c -> body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks)));
    }

    /**
     * Runs {@code body.run(start, end)} over ranges covering [0, n) once, claimed by the pool's threads from a shared
     * counter, largest first ("guided"): a claim takes 1/(2·threads) of what is left, in whole multiples of
     * {@code grain}, never less than {@code grain}. Threads then finish within one small range of each other, where
     * equal fixed chunks leave one waiting for up to a whole chunk at the end of every call (memory-bound products,
     * which post many short calls, lost 5-8 % of their time so). Range bounds are multiples of {@code grain} but the
     * last, which ends at n.
     */
    public static void parallelGuided(int n, int grain, RangeBody body) {
        if (n <= 0) {
            return;
        }
        if (grain < 1) {
            throw new IllegalArgumentException("parallelGuided: grain must be at least 1, got " + grain);
        }
        if (THREADS == 1 || n <= grain) {
            body.run(0, n);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        int share = 2 * THREADS;
        post(THREADS, t -> {
            for (int start = next.get(); start < n; start = next.get()) {
                int size = Math.max(grain, (n - start) / share / grain * grain);
                int end = (int) Math.min(n, (long) start + size);
                if (next.compareAndSet(start, end)) {
                    body.run(start, end);
                }
            }
        }, true);
    }

    /** A body over a half-open index range. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }
}
