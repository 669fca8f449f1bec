package org.ablate.tensor;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Reuses the arrays of one training step in the next. A training step allocates every activation, gradient and
 * temporary afresh, and all of them are garbage when the step ends; left to the collector, that garbage (hundreds of
 * megabytes per step for a small GPT) makes the JVM grow its young generation to hold it, and the process's memory
 * follows. Inside {@link #open()}, the engine's ops (and plugins' ops through {@link #floats}) take their result and
 * gradient arrays from this workspace; when the step closes they all return to it, and the next step of the same
 * shapes allocates nothing new.
 *
 * <p>The rule that makes this safe: <b>no tensor computed inside a step may be used after the step closes</b>. Read
 * what you keep as numbers ({@link Tensor#item()}, {@link Tensor#toArray()}, which copies), or compute it inside
 * {@link #suspend()}. Parameters, their gradients ({@link Tensor#grad()}) and optimizer state never come from a
 * workspace, nor does anything created by {@link Tensor#of}, {@link Tensor#zeros} and the other public factories.
 * With {@code -Dablate.workspace.poison=true} (the test suites run with it) every returned array is filled with NaN,
 * so a tensor used past its step shows up as NaN instead of as a silently wrong number.
 *
 * <p>A workspace belongs to the thread that opens it; worker threads of a parallel kernel allocate on the heap. The
 * pool holds exactly the arrays the last training step used: arrays of a length the step did not ask for go back to
 * the collector, so variable shapes cost at most one step's worth of extra memory.
 */
public final class Workspace {
    /** Arrays shorter than this come from the heap: a small allocation is cheaper than the pool's bookkeeping. */
    static final int MIN_FLOATS = 256;
    private static final boolean POISON = Boolean.getBoolean("ablate.workspace.poison");
    private static final ThreadLocal<Workspace> CURRENT = new ThreadLocal<>();

    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    /** The arrays handed out in the open step, each with its sequence number (see {@link #mark()}). */
    private final IdentityHashMap<float[], Integer> taken = new IdentityHashMap<>();
    /** Arrays the open step gave back early and has not taken again: they stay in the pool with the taken ones. */
    private final IdentityHashMap<float[], Boolean> released = new IdentityHashMap<>();
    private int sequence;
    private final boolean poison;
    private Thread owner;
    private boolean keepUnused;
    private long pooledFloats, reusedFloats, allocatedFloats;

    /** A workspace that poisons returned arrays when {@code -Dablate.workspace.poison=true}. */
    public Workspace() { this(POISON); }

    Workspace(boolean poison) { this.poison = poison; }

    /**
     * Makes this thread's ops take arrays from this workspace until the returned step is closed; then the pool holds
     * exactly what the step used.
     */
    public Step open() { return open(false); }

    /**
     * As {@link #open()}, but closing keeps the arrays this step did not ask for: for held-out batches between
     * training steps, which use some of the training step's shapes and must not make the next step allocate the rest
     * again.
     */
    public Step openForEvaluation() { return open(true); }

    private Step open(boolean keepUnused) {
        if (owner != null) throw new IllegalStateException("Workspace.open: already open on thread " + owner.getName());
        owner = Thread.currentThread();
        this.keepUnused = keepUnused;
        Step s = new Step(this, CURRENT.get());
        CURRENT.set(this);
        return s;
    }

    /**
     * Makes this thread's ops allocate on the heap until the returned scope is closed, for tensors that must outlive
     * the step (a rollout kept for later steps, a cache).
     */
    public static Step suspend() {
        Step s = new Step(null, CURRENT.get());
        CURRENT.remove();
        return s;
    }

    /**
     * A zeroed array of {@code n} floats: from the workspace open on this thread, else new. For the result and
     * gradient arrays of ops; never for anything kept past the step.
     */
    public static float[] floats(int n) {
        Workspace w = n < MIN_FLOATS ? null : CURRENT.get();
        return w == null ? new float[n] : w.take(n);
    }

    /**
     * As {@link #floats}, for a caller that writes every element before anything reads one: an array from the pool
     * keeps what it held (NaN under poisoning, so a gap shows), saving the step a second pass over its memory.
     */
    public static float[] floatsToFill(int n) {
        Workspace w = n < MIN_FLOATS ? null : CURRENT.get();
        return w == null ? new float[n] : w.take(n, false);
    }

    private float[] take(int n) { return take(n, true); }

    private float[] take(int n, boolean zero) {
        ArrayDeque<float[]> q = free.get(n);
        float[] a = q == null ? null : q.poll();
        if (a == null) {
            a = new float[n];
            allocatedFloats += n;
        } else {
            if (zero) Arrays.fill(a, 0f);
            reusedFloats += n;
            pooledFloats -= n;
            released.remove(a);
        }
        taken.put(a, sequence++);
        return a;
    }

    /** The sequence number the next array taken on this thread gets, or -1 when no workspace is open here. */
    public static int mark() {
        Workspace w = CURRENT.get();
        return w == null ? -1 : w.sequence;
    }

    /**
     * Returns {@code a} to the open workspace before the step ends, when it was taken there at or after {@code mark};
     * the caller guarantees nothing reads it any more (backward's gradients, once used). Other arrays are left alone.
     */
    static void release(float[] a, int mark) {
        Workspace w = mark < 0 ? null : CURRENT.get();
        if (w == null) return;
        Integer at = w.taken.get(a);
        if (at == null || at < mark) return;
        w.giveBackEarly(a);
    }

    /**
     * Returns to the open workspace every array taken at or after {@code mark} except the one backing {@code keep}: for
     * a layer run without a graph, whose temporaries nothing reads once its output exists, so the next layer reuses
     * them and a pass holds one layer's arrays instead of every layer's. The caller guarantees that no tensor made
     * since the mark other than {@code keep} is used again. Does nothing when no workspace is open (mark -1).
     */
    public static void releaseSince(int mark, Tensor keep) {
        Workspace w = mark < 0 ? null : CURRENT.get();
        if (w == null) return;
        float[] kept = keep.data();
        java.util.List<float[]> spent = new java.util.ArrayList<>();
        for (var e : w.taken.entrySet()) {
            if (e.getValue() >= mark && e.getKey() != kept) spent.add(e.getKey());
        }
        for (float[] a : spent) w.giveBackEarly(a);
    }

    /** A taken array back in the pool before the step ends (the step's close knows it by {@link #released}). */
    private void giveBackEarly(float[] a) {
        taken.remove(a);
        released.put(a, Boolean.TRUE);
        give(a);
    }

    private void give(float[] a) {
        if (poison) Arrays.fill(a, Float.NaN);
        free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).add(a);
        pooledFloats += a.length;
    }

    /**
     * Every array the step took goes back to the pool. After {@link #open()} the pool becomes exactly what the step
     * used (what it held and the step did not ask for is dropped); after {@link #openForEvaluation()} it keeps the rest.
     */
    private void recycle() {
        if (!keepUnused) {
            free.clear();
            pooledFloats = 0;
            for (float[] a : released.keySet()) give(a);
        } // else the released arrays are in the pool already
        for (float[] a : taken.keySet()) give(a);
        taken.clear();
        released.clear();
        sequence = 0;
        owner = null;
    }

    /** Bytes the pool holds between steps. */
    public long pooledBytes() { return pooledFloats * Float.BYTES; }

    /** Bytes handed out again from the pool, and bytes newly allocated, since this workspace was made. */
    public long reusedBytes() { return reusedFloats * Float.BYTES; }

    public long allocatedBytes() { return allocatedFloats * Float.BYTES; }

    /** An open step (or a suspension); closing it restores what this thread used before. */
    public static final class Step implements AutoCloseable {
        private final Workspace workspace;
        private final Workspace previous;
        private boolean closed;

        private Step(Workspace workspace, Workspace previous) {
            this.workspace = workspace;
            this.previous = previous;
        }

        @Override public void close() {
            if (closed) return;
            closed = true;
            if (workspace != null) workspace.recycle();
            if (previous == null) CURRENT.remove();
            else CURRENT.set(previous);
        }
    }
}
