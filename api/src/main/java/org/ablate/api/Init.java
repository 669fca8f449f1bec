package org.ablate.api;

import java.util.random.RandomGenerator;

/** How a new parameter's values are drawn. */
@Stable
@FunctionalInterface
public interface Init {
    /** Fills {@code values} (row-major, of the given shape). */
    void fill(float[] values, int[] shape, RandomGenerator random);

    /**
     * Fills {@code values[offset, offset + count)}, count being the shape's element count, with the values
     * {@link #fill(float[], int[], RandomGenerator)} would draw into an array of that length: for a parameter whose
     * array starts a few floats before its first element (the engine lays weights out so, see {@code Tensor.offset()}).
     * The built-in initialisers write in place; any other draws into an array of its own, copied in.
     */
    default void fill(float[] values, int offset, int[] shape, RandomGenerator random) {
        int n = RangeInit.count(shape);
        if (offset == 0 && values.length == n) {
            fill(values, shape, random);
            return;
        }
        float[] own = new float[n];
        fill(own, shape, random);
        System.arraycopy(own, 0, values, offset, n);
    }

    static Init zeros() { return constant(0f); }

    static Init ones() { return constant(1f); }

    static Init constant(float value) { return new RangeInit((v, from, to, r) -> java.util.Arrays.fill(v, from, to, value)); }

    /** Normal with mean 0 and the given standard deviation (GPT-2 and BERT use 0.02). */
    static Init normal(double std) {
        return new RangeInit((v, from, to, r) -> { for (int i = from; i < to; i++) v[i] = (float) (r.nextGaussian() * std); });
    }

    /** Uniform in [-bound, bound]. */
    static Init uniform(double bound) {
        return new RangeInit((v, from, to, r) -> { for (int i = from; i < to; i++) v[i] = (float) ((r.nextDouble() * 2 - 1) * bound); });
    }
}
