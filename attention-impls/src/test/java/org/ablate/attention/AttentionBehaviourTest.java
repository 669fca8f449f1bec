package org.ablate.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.ablate.api.Attention;
import org.ablate.api.AttentionMask;
import org.ablate.api.AttentionSpec;
import org.ablate.api.ComponentKind;
import org.ablate.api.ParameterScope;
import org.ablate.api.PositionalEncoding;
import org.ablate.platform.ComponentRegistry;
import org.ablate.api.testing.ConformanceCase;
import org.ablate.api.testing.GradCheck;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;
import org.junit.jupiter.api.Test;

class AttentionBehaviourTest {
    private static final ComponentRegistry REGISTRY = ComponentRegistry.discover();

    @Test void everyVariantIsDiscovered() {
        assertEquals(List.of("cross", "grouped-query", "multi-head", "scaled-dot-product"), REGISTRY.ids(ComponentKind.ATTENTION));
    }

    @Test void weightsHaveTheConventionalNamesAndShapes() {
        ParameterScope root = ParameterScope.root(1);
        REGISTRY.attention("grouped-query").create(new AttentionSpec(16, 4, 4, false, 0, false, null),
                REGISTRY.params(ComponentKind.ATTENTION, "grouped-query", Map.of("kv_heads", 2)), root.child("layers.0.self_attn"));
        Map<String, Tensor> p = root.parameters();
        assertEquals(List.of("layers.0.self_attn.q_proj.weight", "layers.0.self_attn.k_proj.weight",
                "layers.0.self_attn.v_proj.weight", "layers.0.self_attn.out_proj.weight"), List.copyOf(p.keySet()));
        assertArrayEquals(new int[] {16, 16}, p.get("layers.0.self_attn.q_proj.weight").shape());
        assertArrayEquals(new int[] {8, 16}, p.get("layers.0.self_attn.k_proj.weight").shape());
        assertArrayEquals(new int[] {16, 16}, p.get("layers.0.self_attn.out_proj.weight").shape());
    }

    @Test void badShapesAndHeadCountsAreRefusedClearly() {
        String msg = assertThrows(IllegalArgumentException.class, () -> REGISTRY.attention("grouped-query").create(
                new AttentionSpec(16, 4, 4, true, 0, false, null),
                REGISTRY.params(ComponentKind.ATTENTION, "grouped-query", Map.of("kv_heads", 3)), ParameterScope.root(0))).getMessage();
        assertEquals("grouped-query: kv_heads 3 does not divide heads 4", msg);
        Attention attn = REGISTRY.attention("multi-head").create(new AttentionSpec(16, 4, 4, true, 0, false, null),
                REGISTRY.params(ComponentKind.ATTENTION, "multi-head", Map.of()), ParameterScope.root(0));
        msg = assertThrows(IllegalArgumentException.class,
                () -> attn.forward(Tensor.zeros(1, 3, 8), Tensor.zeros(1, 3, 8), AttentionMask.NONE, null)).getMessage();
        assertEquals("multi-head: query must be [B, L, 16], got [1, 3, 8]", msg);
        msg = assertThrows(IllegalArgumentException.class, () -> attn.forward(Tensor.zeros(1, 3, 16), Tensor.zeros(1, 3, 16),
                AttentionMask.padding(IntTensor.of(new int[] {1, 1}, 1, 2)), null)).getMessage();
        assertTrue(msg.contains("key padding mask must be [1, 3]"), msg);
    }

    /**
     * Grouped-query attention equals multi-head attention whose key/value projections repeat each shared head for
     * its group (query head h reads key/value head h / (heads / kv_heads)), in the stacked (non-causal, and
     * single-query) path and in the causal one.
     */
    @Test void groupedQueryEqualsMultiHeadWithRepeatedKeyValueHeads() {
        int e = 16, h = 4, kv = 2, dh = e / h;
        ParameterScope gScope = ParameterScope.root(31), mScope = ParameterScope.root(32);
        Attention gqa = REGISTRY.attention("grouped-query").create(new AttentionSpec(e, h, h, true, 0, false, null),
                REGISTRY.params(ComponentKind.ATTENTION, "grouped-query", Map.of("kv_heads", kv)), gScope);
        Attention mha = REGISTRY.attention("multi-head").create(new AttentionSpec(e, h, h, true, 0, false, null),
                REGISTRY.params(ComponentKind.ATTENTION, "multi-head", Map.of()), mScope);
        for (Tensor p : gScope.parameters().values()) { // weights start p.offset() floats into their arrays
            float[] d = p.data();
            SplittableRandom r = new SplittableRandom(p.numel());
            for (int i = 0; i < p.numel(); i++) d[p.offset() + i] = (float) (r.nextGaussian() * 0.4);
        }
        for (var entry : gScope.parameters().entrySet()) {
            Tensor from = entry.getValue(), to = mScope.parameters().get(entry.getKey());
            float[] src = from.data(), dst = to.data();
            boolean shared = entry.getKey().startsWith("k_proj") || entry.getKey().startsWith("v_proj");
            int rowLen = entry.getKey().endsWith("weight") ? e : 1;
            for (int row = 0; row < to.numel() / rowLen; row++) {
                int head = row / dh, within = row % dh;
                int srcRow = shared ? (head / (h / kv)) * dh + within : row;
                System.arraycopy(src, from.offset() + srcRow * rowLen, dst, to.offset() + row * rowLen, rowLen);
            }
        }
        Tensor x = Tensor.randn(new SplittableRandom(33), 1f, 2, 5, e);
        IntTensor pad = IntTensor.of(new int[] {1, 1, 1, 1, 1, 0, 1, 1, 1, 1}, 2, 5);
        for (AttentionMask mask : new AttentionMask[] {AttentionMask.padding(pad), AttentionMask.causal(pad)}) {
            gqa.captureProbabilities(true);
            mha.captureProbabilities(true);
            Tensor expected = mha.forward(x, x, mask, null), actual = gqa.forward(x, x, mask, null);
            ConformanceCase.assertClose("grouped-query out, causal " + mask.causal(), expected, actual, 1e-5, 1e-4);
            ConformanceCase.assertClose("grouped-query probs, causal " + mask.causal(),
                    mha.capturedProbabilities(), gqa.capturedProbabilities(), 1e-6, 1e-5);
        }
    }

    @Test void probabilitiesAreCapturedOnlyWhenAsked() {
        Attention attn = REGISTRY.attention("multi-head").create(new AttentionSpec(8, 2, 2, true, 0, false, null),
                REGISTRY.params(ComponentKind.ATTENTION, "multi-head", Map.of()), ParameterScope.root(2));
        Tensor x = Tensor.randn(new SplittableRandom(1), 1f, 2, 3, 8);
        attn.forward(x, x, AttentionMask.CAUSAL, null);
        assertNull(attn.capturedProbabilities());
        attn.captureProbabilities(true);
        attn.forward(x, x, AttentionMask.CAUSAL, null);
        Tensor p = attn.capturedProbabilities();
        assertArrayEquals(new int[] {2, 2, 3, 3}, p.shape());
        assertEquals(0f, p.get(1, 1, 0, 2));
        for (int b = 0; b < 2; b++) for (int h = 0; h < 2; h++) for (int i = 0; i < 3; i++) {
            double s = 0;
            for (int j = 0; j < 3; j++) s += p.get(b, h, i, j);
            assertEquals(1.0, s, 1e-5);
        }
        attn.captureProbabilities(false);
        assertNull(attn.capturedProbabilities());
    }

    @Test void aRowWithEveryKeyMaskedGivesTheOutputBiasNotNaN() {
        ParameterScope root = ParameterScope.root(3);
        Attention attn = REGISTRY.attention("multi-head").create(new AttentionSpec(8, 2, 2, true, 0, false, null),
                REGISTRY.params(ComponentKind.ATTENTION, "multi-head", Map.of()), root);
        Tensor bias = root.parameters().get("out_proj.bias");
        float[] b = bias.data();
        for (int i = 0; i < b.length; i++) b[i] = 0.1f * i;
        Tensor x = Tensor.randn(new SplittableRandom(4), 1f, 2, 3, 8);
        Tensor out = attn.forward(x, x, AttentionMask.padding(IntTensor.of(new int[] {1, 1, 0, 0, 0, 0}, 2, 3)), null);
        for (int i = 0; i < 3; i++) for (int j = 0; j < 8; j++) assertEquals(0.1f * j, out.get(1, i, j), 1e-6);
        for (float v : out.toArray()) assertTrue(Float.isFinite(v));
    }

    /** The training path with dropout masks and normalises exactly as the fused kernel when almost nothing is dropped. */
    @Test void dropoutPathAgreesWithTheKernelPath() {
        Tensor x = Tensor.randn(new SplittableRandom(5), 1f, 2, 4, 8);
        IntTensor pad = IntTensor.of(new int[] {1, 1, 1, 1, 0, 0, 0, 0}, 2, 4);
        Attention plain = REGISTRY.attention("multi-head").create(new AttentionSpec(8, 2, 2, true, 0, false, null),
                REGISTRY.params(ComponentKind.ATTENTION, "multi-head", Map.of()), ParameterScope.root(9));
        Attention dropping = REGISTRY.attention("multi-head").create(new AttentionSpec(8, 2, 2, true, 1e-9, false, null),
                REGISTRY.params(ComponentKind.ATTENTION, "multi-head", Map.of()), ParameterScope.root(9));
        Tensor expected;
        try (var g = Tensor.noGrad()) { expected = plain.forward(x, x, AttentionMask.causal(pad), null); }
        Tensor training;
        try (var mode = org.ablate.tensor.Dropout.training(3)) { training = dropping.forward(x, x, AttentionMask.causal(pad), null); }
        ConformanceCase.assertClose("dropout path", expected, training, 1e-6, 1e-5);
        // Outside the training switch, recording gradients alone no longer turns dropout on.
        ConformanceCase.assertClose("eval mode", expected, dropping.forward(x, x, AttentionMask.causal(pad), null), 1e-6, 1e-5);
    }

    @Test void gradientsOfEveryVariantMatchFiniteDifferences() {
        record Case(String id, Map<String, ?> params, boolean cross, String positional) {}
        List<Case> cases = List.of(
                new Case("scaled-dot-product", Map.of(), false, "none"),
                new Case("scaled-dot-product", Map.of(), false, "alibi"),
                new Case("scaled-dot-product", Map.of(), false, "rope"),
                new Case("multi-head", Map.of(), false, "rope"),
                new Case("multi-head", Map.of(), false, "alibi"),
                new Case("grouped-query", Map.of("kv_heads", 1), false, "rope"),
                new Case("cross", Map.of(), true, "none"),
                new Case("grouped-query", Map.of("kv_heads", 2), true, "none"));
        for (Case c : cases) {
            ParameterScope root = ParameterScope.root(21);
            PositionalEncoding pe = KvCacheConsistencyTest.positional(c.positional(), 4, root.child("pos"));
            int e = KvCacheConsistencyTest.E;
            Attention attn = REGISTRY.attention(c.id()).create(new AttentionSpec(e, 4, 4, true, 0, c.cross(), pe),
                    REGISTRY.params(ComponentKind.ATTENTION, c.id(), c.params()), root.child("attn"));
            for (Tensor p : root.parameters().values()) { // biases start at zero; make them matter
                float[] d = p.data();
                SplittableRandom r = new SplittableRandom(d.length);
                for (int i = 0; i < d.length; i++) d[i] = (float) (r.nextGaussian() * 0.3);
            }
            Tensor x = Tensor.randn(new SplittableRandom(22), 1f, 1, 3, e).requiresGrad(true);
            Tensor mem = c.cross() ? Tensor.randn(new SplittableRandom(23), 1f, 1, 4, e).requiresGrad(true) : x;
            Tensor w = Tensor.randn(new SplittableRandom(24), 1f, 1, 3, e);
            Map<String, Tensor> inputs = new LinkedHashMap<>(root.parameters());
            inputs.put("x", x);
            if (c.cross()) inputs.put("memory", mem);
            AttentionMask mask = c.cross() ? AttentionMask.NONE : AttentionMask.CAUSAL;
            GradCheck.check(c.id() + " with " + c.positional(), () -> attn.forward(x, mem, mask, null).mul(w).sum(), inputs, 2e-3, 2e-2);
        }
    }
}
