package org.ablate.api;

import java.util.random.RandomGenerator;

/** How a new parameter's values are drawn. */
@Stable
@FunctionalInterface
public interface Init {
    /** Fills {@code values} (row-major, of the given shape). */
    void fill(float[] values, int[] shape, RandomGenerator random);

    static Init zeros() { return (v, s, r) -> java.util.Arrays.fill(v, 0f); }

    static Init ones() { return (v, s, r) -> java.util.Arrays.fill(v, 1f); }

    static Init constant(float value) { return (v, s, r) -> java.util.Arrays.fill(v, value); }

    /** Normal with mean 0 and the given standard deviation (GPT-2 and BERT use 0.02). */
    static Init normal(double std) {
        return (v, s, r) -> { for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * std); };
    }

    /** Uniform in [-bound, bound]. */
    static Init uniform(double bound) {
        return (v, s, r) -> { for (int i = 0; i < v.length; i++) v[i] = (float) ((r.nextDouble() * 2 - 1) * bound); };
    }
}
