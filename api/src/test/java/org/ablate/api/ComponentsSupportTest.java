package org.ablate.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.ablate.api.testing.GradCheck;
import org.ablate.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The KV cache and parameter scope implementations behind {@link KvCache#create()} and {@link ParameterScope#root(long)}. */
class ComponentsSupportTest {
    private static Tensor ramp(float start, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = start + i;
        return Tensor.of(v, shape);
    }

    @Test void cacheGrowsByDoublingAndKeepsEveryPosition() {
        GrowableKvCache cache = (GrowableKvCache) KvCache.create(2);
        assertTrue(cache.isEmpty());
        assertNull(cache.keys());
        Tensor k1 = ramp(0, 2, 3, 1, 4), v1 = ramp(100, 2, 3, 1, 4);
        Tensor k2 = ramp(1000, 2, 3, 4, 4), v2 = ramp(2000, 2, 3, 4, 4);
        cache.append(k1, v1);
        Tensor firstView = cache.keys();
        cache.append(k2, v2);
        assertEquals(5, cache.length());
        assertEquals(8, cache.capacity());
        assertArrayEquals(Tensor.concat(List.of(k1, k2), 2).toArray(), cache.keys().toArray());
        assertArrayEquals(Tensor.concat(List.of(v1, v2), 2).toArray(), cache.values().toArray());
        assertArrayEquals(k1.toArray(), firstView.toArray(), "an earlier view is not disturbed by growth");
    }

    @Test void reorderPicksAndRepeatsBatchRows() {
        KvCache cache = KvCache.create(4);
        Tensor k = ramp(0, 2, 1, 3, 2), v = ramp(50, 2, 1, 3, 2);
        cache.append(k, v);
        cache.reorder(new int[] {1, 1, 0});
        assertArrayEquals(new int[] {3, 1, 3, 2}, cache.keys().shape());
        assertArrayEquals(Tensor.concat(List.of(k.slice(0, 1, 2), k.slice(0, 1, 2), k.slice(0, 0, 1)), 0).toArray(), cache.keys().toArray());
        cache.append(ramp(-10, 3, 1, 1, 2), ramp(-20, 3, 1, 1, 2));
        assertEquals(4, cache.length());
        assertEquals(-6f, cache.keys().get(2, 0, 3, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> cache.reorder(new int[] {3}));
    }

    @Test void cacheRefusesMismatchedShapesNamingThem() {
        KvCache cache = KvCache.create();
        cache.append(Tensor.zeros(1, 2, 1, 4), Tensor.zeros(1, 2, 1, 4));
        String msg = assertThrows(IllegalArgumentException.class,
                () -> cache.append(Tensor.zeros(1, 3, 1, 4), Tensor.zeros(1, 3, 1, 4))).getMessage();
        assertTrue(msg.contains("[1, 3, 1, 4]"), msg);
    }

    @Test void aScopeForLoadingRegistersParametersWithoutInitialisingThem() {
        ParameterScope loading = ParameterScope.forLoading();
        Tensor w = loading.child("lm").parameter("weight", Init.normal(0.02), 4, 3);
        Tensor g = loading.parameter("gain", Init.ones(), 3);
        assertTrue(w.requiresGrad());
        for (float v : w.toArray()) assertEquals(0f, v);
        for (float v : g.toArray()) assertEquals(0f, v, "even a constant initialiser is skipped: the checkpoint supplies it");
        assertEquals(List.of("lm.weight", "gain"), List.copyOf(loading.parameters().keySet()));
        float[] seeded = ParameterScope.root(42).parameter("weight", Init.normal(0.02), 4, 3).toArray();
        assertTrue(seeded[0] != 0f, "a seeded scope still draws its weights");
    }

    @Test void scopeNamesAreDottedSharedAndUnique() {
        ParameterScope root = ParameterScope.root(42);
        assertEquals("", root.prefix());
        ParameterScope attn = root.child("layers.3").child("self_attn");
        assertEquals("layers.3.self_attn", attn.prefix());
        Tensor w = attn.child("q_proj").parameter("weight", Init.normal(0.02), 4, 3);
        assertTrue(w.requiresGrad());
        root.child("norm").parameter("weight", Init.ones(), 3);
        root.buffer("table", Tensor.zeros(2));
        assertEquals(List.of("layers.3.self_attn.q_proj.weight", "norm.weight"), List.copyOf(attn.parameters().keySet()));
        assertSame(w, root.parameters().get("layers.3.self_attn.q_proj.weight"));
        assertEquals(List.of("table"), List.copyOf(root.buffers().keySet()));
        String msg = assertThrows(IllegalStateException.class,
                () -> root.child("layers.3.self_attn.q_proj").parameter("weight", Init.zeros(), 1)).getMessage();
        assertEquals("parameter scope: \"layers.3.self_attn.q_proj.weight\" is already registered", msg);
        assertThrows(IllegalArgumentException.class, () -> root.child("a..b"));
        assertThrows(IllegalArgumentException.class, () -> root.child(""));
    }

    @Test void sameSeedGivesSameWeights() {
        float[] a = ParameterScope.root(7).parameter("w", Init.normal(1), 5).toArray();
        float[] b = ParameterScope.root(7).parameter("w", Init.normal(1), 5).toArray();
        float[] c = ParameterScope.root(8).parameter("w", Init.normal(1), 5).toArray();
        assertArrayEquals(a, b);
        assertTrue(!java.util.Arrays.equals(a, c));
    }

    /** The finite-difference checker the component tests rely on notices a gradient that is 2.5 % off. */
    /**
     * A weight's array may start before its first element (Tensor.zerosOnDemand): the scope still draws exactly the
     * values an initialiser puts into an array of the weight's size, for the built-in initialisers (which write in
     * place) and for any other (drawn apart and copied in).
     */
    @Test void weightsDrawTheSameValuesWhereverTheirArrayStarts() {
        Init custom = (v, s, r) -> { for (int i = 0; i < v.length; i++) v[i] = i + r.nextInt(5); };
        for (Init init : new Init[] {Init.normal(0.02), Init.uniform(0.1), Init.constant(0.5f), Init.zeros(), custom}) {
            float[] expected = new float[4 * 16];
            init.fill(expected, new int[] {4, 16}, java.util.random.RandomGeneratorFactory.of("L64X128MixRandom").create(9));
            Tensor w = ParameterScope.root(9).parameter("w", init, 4, 16);
            assertArrayEquals(expected, w.toArray(), init.toString());
            float[] at = new float[7 + 64];
            init.fill(at, 7, new int[] {4, 16}, java.util.random.RandomGeneratorFactory.of("L64X128MixRandom").create(9));
            assertArrayEquals(expected, java.util.Arrays.copyOfRange(at, 7, at.length), init + " at offset 7");
            for (int i = 0; i < 7; i++) assertEquals(0f, at[i], "nothing written before the offset");
        }
        String m = assertThrows(IllegalArgumentException.class,
                () -> Init.normal(1).fill(new float[10], 3, new int[] {2, 4}, new java.util.SplittableRandom(1))).getMessage();
        assertEquals("Init: 8 values of shape [2, 4] from offset 3 do not fit an array of 10", m);
    }

    @Test void gradCheckCatchesASmallError() {
        Tensor x = Tensor.of(new float[] {0.5f, -1.2f, 2.0f}, 3).requiresGrad(true);
        GradCheck.check("x^2", () -> x.mul(x).sum(), Map.of("x", x), 2e-3, 2e-2);
        // value 1.05·x², but autograd sees only 2x + 0.05x of the true 2.1x
        assertThrows(AssertionError.class, () -> GradCheck.check("wrong",
                () -> x.mul(x).add(x.mul(x.detach()).mul(0.05f)).sum(), Map.of("x", x), 2e-3, 2e-2));
    }
}
