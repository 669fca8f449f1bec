package org.ablate.tensor.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** Lane sums add in one documented order, before and after the JIT compiles them, so a resumed run repeats bit for bit. */
class LaneSumTest {
    private static final int L = Simd.S.length();

    /** The documented order written out in scalar code: lane i plus lane i + h, halving h from L/2 down to 1. */
    private static float tree(float[] v) {
        float[] a = v.clone();
        for (int h = L / 2; h > 0; h /= 2) {
            float[] b = new float[L];
            for (int i = 0; i < L; i++) b[i] = a[i] + a[i ^ h];
            a = b;
        }
        return a[0];
    }

    private static float[] sums(float[][] rows) {
        float[] out = new float[rows.length];
        for (int r = 0; r < rows.length; r++) out[r] = LaneSum.sum(FloatVector.fromArray(Simd.S, rows[r], 0));
        return out;
    }

    @Test
    void addsInTheTreeOrderColdAndWarm() {
        SplittableRandom rnd = new SplittableRandom(7);
        float[][] rows = new float[512][L];
        // Magnitudes spread over six decades, so that a different order of additions changes the rounding.
        for (float[] row : rows) for (int i = 0; i < L; i++) row[i] = (float) ((rnd.nextDouble() - 0.5) * Math.pow(10, rnd.nextInt(6)));
        float[] cold = sums(rows), warm = cold;
        for (int rep = 0; rep < 20_000; rep++) warm = sums(rows);
        for (int r = 0; r < rows.length; r++) {
            assertEquals(Float.floatToIntBits(tree(rows[r])), Float.floatToIntBits(cold[r]), "cold, row " + r);
            assertEquals(Float.floatToIntBits(tree(rows[r])), Float.floatToIntBits(warm[r]), "warm, row " + r);
        }
    }

    @Test
    void lanesStoredInAnArrayAddInTheSameOrder() {
        SplittableRandom rnd = new SplittableRandom(11);
        float[] t = new float[3 + 2 * L];
        for (int rep = 0; rep < 2_000; rep++) {
            for (int i = 0; i < t.length; i++) t[i] = (float) ((rnd.nextDouble() - 0.5) * Math.pow(10, rnd.nextInt(6)));
            float[] lanes = java.util.Arrays.copyOfRange(t, 3 + L, 3 + 2 * L);
            float vector = LaneSum.sum(FloatVector.fromArray(Simd.S, t, 3 + L));
            assertEquals(Float.floatToIntBits(tree(lanes)), Float.floatToIntBits(LaneSum.sum(t, 3 + L, L)), "rep " + rep);
            assertEquals(Float.floatToIntBits(vector), Float.floatToIntBits(tree(lanes)), "vector, rep " + rep);
        }
    }
}
