package com.example.ablate.slidingwindow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;
import org.ablate.testkit.GradCheck;
import org.junit.jupiter.api.Test;

/**
 * The fused kernel against the engine's own attention (an independent implementation) given the window as an
 * additive mask, and its backward against central differences.
 */
class SlidingWindowKernelTest {
    private static final float SCALE = 0.5f;

    private static Tensor randn(long seed, int... shape) {
        return Tensor.randn(new SplittableRandom(seed), 1f, shape);
    }

    /** {@code [1, Lq, Lk]}: 0 inside the window of each query, -1e9 outside. */
    private static Tensor windowBias(int lq, int lk, int window) {
        float[] m = new float[lq * lk];
        for (int i = 0; i < lq; i++) {
            int pos = lk - lq + i;
            for (int j = 0; j < lk; j++) m[i * lk + j] = j > pos - window ? 0f : -1e9f;
        }
        return Tensor.of(m, 1, lq, lk);
    }

    private static void assertClose(Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        float[] e = expected.toArray(), a = actual.toArray();
        for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], 1e-5 + 1e-5 * Math.abs(e[i]), "element " + i);
    }

    @Test
    void aWindowAsLongAsTheSequenceIsPlainCausalAttention() {
        Tensor q = randn(1, 2, 2, 6, 4), k = randn(2, 2, 2, 6, 4), v = randn(3, 2, 2, 6, 3);
        Tensor reference = Tensor.scaledDotProductAttention(q, k, v, null, true, null, SCALE, null);
        assertClose(reference, new SlidingWindowKernel(6, SCALE, null).apply(q, k, v, null));
        assertClose(reference, new SlidingWindowKernel(100, SCALE, null).apply(q, k, v, null));
    }

    @Test
    void eachQuerySeesOnlyTheLastWindowKeys() {
        // Lq < Lk: the queries (positions 3..6) follow 3 cached positions; key 3 of the second row is padding, so
        // with a window of 1 that row's first query has no key (the reference's finite window bias cannot express
        // that, so padding is used from a window of 2 on; the all-masked row is tested below).
        Tensor q = randn(4, 2, 2, 4, 4), k = randn(5, 2, 2, 7, 4), v = randn(6, 2, 2, 7, 3);
        IntTensor padded = IntTensor.of(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1}, 2, 7);
        for (int window : new int[] {1, 2, 3, 5}) {
            IntTensor padding = window == 1 ? null : padded;
            Tensor reference = Tensor.scaledDotProductAttention(q, k, v, windowBias(4, 7, window), true, padding, SCALE, null);
            assertClose(reference, new SlidingWindowKernel(window, SCALE, padding).apply(q, k, v, null));
        }
    }

    @Test
    void aScoreBiasIsAddedPerHead() {
        Tensor q = randn(7, 1, 2, 5, 4), k = randn(8, 1, 2, 5, 4), v = randn(9, 1, 2, 5, 4), bias = randn(10, 2, 5, 5);
        Tensor reference = Tensor.scaledDotProductAttention(q, k, v, bias.add(windowBias(5, 5, 3)), true, null, SCALE, null);
        assertClose(reference, new SlidingWindowKernel(3, SCALE, null).apply(q, k, v, bias));
    }

    @Test
    void sharedKeyValueHeadsEqualRepeatedOnes() {
        Tensor q = randn(11, 1, 4, 5, 4), k = randn(12, 1, 2, 5, 4), v = randn(13, 1, 2, 5, 4);
        // query heads 0,1 read key/value head 0; heads 2,3 read head 1
        Tensor k4 = Tensor.concat(List.of(k.slice(1, 0, 1), k.slice(1, 0, 1), k.slice(1, 1, 2), k.slice(1, 1, 2)), 1);
        Tensor v4 = Tensor.concat(List.of(v.slice(1, 0, 1), v.slice(1, 0, 1), v.slice(1, 1, 2), v.slice(1, 1, 2)), 1);
        assertClose(new SlidingWindowKernel(2, SCALE, null).apply(q, k4, v4, null),
                new SlidingWindowKernel(2, SCALE, null).apply(q, k, v, null));
    }

    @Test
    void aQueryWithEveryKeyMaskedGivesZerosNotNaN() {
        Tensor q = randn(14, 1, 1, 3, 2), k = randn(15, 1, 1, 3, 2), v = randn(16, 1, 1, 3, 2);
        float[] out = new SlidingWindowKernel(1, SCALE, IntTensor.of(new int[] {0, 1, 1}, 1, 3)).apply(q, k, v, null).toArray();
        assertEquals(0f, out[0]);
        assertEquals(0f, out[1]);
        for (float x : out) assertTrue(Float.isFinite(x));
    }

    @Test
    void backwardMatchesCentralDifferences() {
        Tensor q = randn(17, 2, 2, 3, 3).requiresGrad(true);
        Tensor k = randn(18, 2, 1, 5, 3).requiresGrad(true);
        Tensor v = randn(19, 2, 1, 5, 2).requiresGrad(true);
        Tensor bias = randn(20, 2, 3, 5).requiresGrad(true);
        Tensor r = randn(21, 2, 2, 3, 2);
        IntTensor padding = IntTensor.of(new int[] {1, 1, 1, 1, 1, 1, 1, 0, 1, 1}, 2, 5);
        var kernel = new SlidingWindowKernel(2, SCALE, padding);
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        inputs.put("q", q);
        inputs.put("k", k);
        inputs.put("v", v);
        inputs.put("bias", bias);
        GradCheck.check("sliding-window kernel", () -> kernel.apply(q, k, v, bias).mul(r).sum(), inputs, 1e-3, 1e-2);
    }
}
