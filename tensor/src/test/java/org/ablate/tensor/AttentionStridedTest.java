package org.ablate.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** scaledDotProductAttention reads strided K/V views (a KV cache's prefix) in place: same result as dense copies. */
class AttentionStridedTest {
    @Test
    void cachePrefixViewsGiveTheSameOutputAndGradientsAsDenseCopies() {
        SplittableRandom r = new SplittableRandom(9);
        int b = 2, h = 3, lq = 5, lk = 7, cap = 11, d = 17;
        // cache-like buffers [B, cap, H, D] viewed as [B, H, lk, D]: strided in every dim but the last
        Tensor kBuf = Tensor.randn(r, 1f, b, cap, h, d), vBuf = Tensor.randn(r, 1f, b, cap, h, d);
        Tensor kView = kBuf.slice(1, 2, 2 + lk).transpose(1, 2).requiresGrad(true);
        Tensor vView = vBuf.slice(1, 0, lk).transpose(1, 2).requiresGrad(true);
        // q as a permuted projection output [B, lq, H, D] -> [B, H, lq, D]
        Tensor q1 = Tensor.randn(r, 1f, b, lq, h, d).permute(0, 2, 1, 3).requiresGrad(true);
        Tensor kDense = Tensor.of(kView.toArray(), b, h, lk, d).requiresGrad(true);
        Tensor vDense = Tensor.of(vView.toArray(), b, h, lk, d).requiresGrad(true);
        Tensor q2 = Tensor.of(q1.toArray(), b, h, lq, d).requiresGrad(true);
        Tensor w = Tensor.randn(r, 1f, b, h, lq, d);
        Tensor o1 = Tensor.scaledDotProductAttention(q1, kView, vView, null, true, null, 0.25f, null);
        Tensor o2 = Tensor.scaledDotProductAttention(q2, kDense, vDense, null, true, null, 0.25f, null);
        assertArrayEquals(o2.toArray(), o1.toArray(), 1e-6f);
        o1.mul(w).sum().backward();
        o2.mul(w).sum().backward();
        assertArrayEquals(q2.grad().toArray(), q1.grad().toArray(), 1e-5f, "grad q");
        assertArrayEquals(kDense.grad().toArray(), kView.grad().toArray(), 1e-5f, "grad k");
        assertArrayEquals(vDense.grad().toArray(), vView.grad().toArray(), 1e-5f, "grad v");
    }

    /**
     * One query without a causal mask (a decoding step's cross-attention) inside a workspace step whose arrays are
     * reused from the last step, unzeroed (NaN under the tests' poisoning): the output row is written whole, never
     * summed onto what the array held.
     */
    @Test
    void oneQueryInAReusedWorkspaceArrayGivesTheSameOutputAsOnTheHeap() {
        SplittableRandom r = new SplittableRandom(5);
        int b = 2, h = 4, lk = 9, d = 32; // output 2 x 4 x 1 x 32 = 256 floats: large enough to come from the pool
        Tensor q = Tensor.randn(r, 1f, b, h, 1, d), k = Tensor.randn(r, 1f, b, h, lk, d), v = Tensor.randn(r, 1f, b, h, lk, d);
        float[] heap;
        try (NoGrad g = Tensor.noGrad()) {
            heap = Tensor.scaledDotProductAttention(q, k, v, null, false, null, 0.125f, null).toArray();
        }
        Workspace arrays = new Workspace();
        for (int step = 0; step < 3; step++) {
            try (NoGrad g = Tensor.noGrad(); Workspace.Step s = arrays.open()) {
                float[] got = Tensor.scaledDotProductAttention(q, k, v, null, false, null, 0.125f, null).toArray();
                assertArrayEquals(heap, got, 0f, "step " + step);
            }
        }
    }
}
