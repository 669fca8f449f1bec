package org.ablate.tensor.kernels;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * One shared pool of daemon worker threads, sized to the number of available processors, used by every
 * kernel that splits work over cores. The common fork-join pool is never used, so kernels do not compete with
 * unrelated parallel streams.
 *
 * <p>Calls may come from any thread, including from inside a task already running on the pool: nested
 * calls run their tasks on the calling thread, which avoids deadlock when all workers are busy.
 */
public final class Parallel {
    private static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());
    private static final ThreadLocal<Boolean> IN_POOL = ThreadLocal.withInitial(() -> Boolean.FALSE);
    private static final ExecutorService POOL = Executors.newFixedThreadPool(THREADS, new ThreadFactory() {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(() -> {
                IN_POOL.set(Boolean.TRUE);
                r.run();
            }, "ablate-kernel-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    });

    private Parallel() {
    }

    /** Number of worker threads in the shared pool. */
    public static int threads() {
        return THREADS;
    }

    /**
     * Runs {@code body.accept(i)} for every i in [0, tasks), spread over the pool; returns when all are done.
     * The calling thread takes part in the work. Exceptions thrown by a task are rethrown (the first one).
     */
    public static void parallelFor(int tasks, IntConsumer body) {
        if (tasks <= 0) {
            return;
        }
        if (tasks == 1 || THREADS == 1 || IN_POOL.get()) {
            for (int i = 0; i < tasks; i++) {
                body.accept(i);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int i = next.getAndIncrement(); i < tasks; i = next.getAndIncrement()) {
                body.accept(i);
            }
        };
        int helpers = Math.min(THREADS, tasks) - 1;
        @SuppressWarnings("unchecked")
        Future<?>[] futures = new Future<?>[helpers];
        for (int h = 0; h < helpers; h++) {
            futures[h] = POOL.submit(worker);
        }
        Throwable failure = null;
        boolean wasInPool = IN_POOL.get();
        IN_POOL.set(Boolean.TRUE);
        try {
            worker.run();
        } catch (Throwable t) {
            failure = t;
        } finally {
            IN_POOL.set(wasInPool);
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) {
                    failure = e;
                }
            }
        }
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
     * Like {@link #parallelFor}, but the caller waits only for tasks a helper has actually claimed: a helper the
     * OS schedules late finds nothing left and the caller has long returned. For many short calls in a row (the
     * matrix-vector products of one decoding step) on a busy machine, where waiting for every helper to wake up
     * would cost more than the work. Exceptions thrown by a task are rethrown (the first one).
     */
    public static void parallelForClaimed(int tasks, IntConsumer body) {
        if (tasks <= 0) {
            return;
        }
        if (tasks == 1 || THREADS == 1 || IN_POOL.get()) {
            for (int i = 0; i < tasks; i++) {
                body.accept(i);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread caller = Thread.currentThread();
        Runnable worker = () -> {
            for (int i = next.getAndIncrement(); i < tasks; i = next.getAndIncrement()) {
                try {
                    body.accept(i);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    if (done.incrementAndGet() == tasks) {
                        java.util.concurrent.locks.LockSupport.unpark(caller);
                    }
                }
            }
        };
        int helpers = Math.min(THREADS, tasks) - 1;
        for (int h = 0; h < helpers; h++) {
            POOL.execute(worker);
        }
        IN_POOL.set(Boolean.TRUE);
        try {
            worker.run();
        } finally {
            IN_POOL.set(Boolean.FALSE);
        }
        while (done.get() < tasks) { // only claimed tasks remain: wait for the helpers running them
            java.util.concurrent.locks.LockSupport.park(worker);
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        if (t != null) {
            throw new RuntimeException(t);
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

    /** A body over a half-open index range. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }
}
