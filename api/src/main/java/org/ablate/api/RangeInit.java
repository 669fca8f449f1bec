package org.ablate.api;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/** A built-in {@link Init} that fills any range of an array in place, drawing in the order it would fill a whole one. */
final class RangeInit implements Init {
    /** Fills {@code values[from, to)}. */
    @FunctionalInterface
    interface Range {
        void fill(float[] values, int from, int to, RandomGenerator random);
    }

    private final Range range;

    RangeInit(Range range) { this.range = range; }

    @Override public void fill(float[] values, int[] shape, RandomGenerator random) { range.fill(values, 0, values.length, random); }

    @Override public void fill(float[] values, int offset, int[] shape, RandomGenerator random) {
        int n = count(shape);
        if (offset < 0 || n > values.length - offset) {
            throw new IllegalArgumentException("Init: " + n + " values of shape " + Arrays.toString(shape) + " from offset "
                    + offset + " do not fit an array of " + values.length);
        }
        range.fill(values, offset, offset + n, random);
    }

    static int count(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return Math.toIntExact(n);
    }
}
