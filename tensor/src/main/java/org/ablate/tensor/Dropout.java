package org.ablate.tensor;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The one training switch. Dropout is active only inside a {@link #training(long)} scope on the
 * current thread; outside one (evaluation, generation) every {@link #apply} is the identity. Each mask
 * is drawn from a generator derived from the scope's seed, the dropout site's name and how often the
 * site was used in the scope, so the run seed (and the step) decide every mask, and a resumed step
 * draws the same masks as the original one.
 */
public final class Dropout implements AutoCloseable {
    private static final ThreadLocal<Dropout> CURRENT = new ThreadLocal<>();

    private final long seed;
    private final boolean off;
    private final Dropout outer;
    private final Map<String, Integer> uses = new HashMap<>();
    private boolean closed;

    private Dropout(long seed, boolean off, Dropout outer) {
        this.seed = seed;
        this.off = off;
        this.outer = outer;
    }

    /** Enters training mode on this thread until {@link #close()}; scopes nest (the innermost seed applies). */
    public static Dropout training(long seed) {
        Dropout d = new Dropout(seed, false, CURRENT.get());
        CURRENT.set(d);
        return d;
    }

    /**
     * Leaves training mode on this thread until {@link #close()}, inside a training scope: for a frozen model
     * (a reference or reward model) or a rollout evaluated in the middle of a training step.
     */
    public static Dropout evaluation() {
        Dropout d = new Dropout(0, true, CURRENT.get());
        CURRENT.set(d);
        return d;
    }

    /** Whether dropout is active on this thread. */
    public static boolean active() {
        Dropout d = CURRENT.get();
        return d != null && !d.off;
    }

    /**
     * {@code x} with each element zeroed with probability {@code p} and the rest scaled by 1/(1-p) in training
     * mode; {@code x} itself otherwise.
     *
     * @param site a stable name for this dropout (e.g. the layer's parameter prefix plus a suffix)
     */
    public static Tensor apply(Tensor x, double p, String site) {
        Dropout d = CURRENT.get();
        if (d == null || d.off || p == 0) return x;
        int n = d.uses.merge(site, 1, Integer::sum);
        long s = mix(d.seed ^ mix(hash(site) + 0x9E3779B97F4A7C15L * n));
        return x.dropout((float) p, new SplittableRandom(s), true);
    }

    /** Leaves training mode (back to the enclosing scope, if any). */
    @Override public void close() {
        if (closed) return;
        closed = true;
        if (CURRENT.get() == this) {
            if (outer == null) CURRENT.remove(); else CURRENT.set(outer);
        }
    }

    /** A seed for step {@code step} of a run seeded with {@code runSeed}. */
    public static long stepSeed(long runSeed, long step) { return mix(runSeed * 0xD1B54A32D192ED03L + step); }

    private static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) { h ^= s.charAt(i); h *= 0x100000001b3L; }
        return h;
    }

    /** SplitMix64's finaliser. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
