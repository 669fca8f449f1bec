package org.ablate.encodings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.ablate.api.ComponentKind;
import org.ablate.api.ParameterScope;
import org.ablate.api.PositionalEncoding;
import org.ablate.api.PositionalSpec;
import org.ablate.platform.ComponentRegistry;
import org.ablate.api.testing.ConformanceCase;
import org.ablate.api.testing.GradCheck;
import org.ablate.tensor.Tensor;
import org.junit.jupiter.api.Test;

class EncodingsTest {
    private static final ComponentRegistry REGISTRY = ComponentRegistry.discover();

    static PositionalEncoding create(String id, Map<String, ?> raw, PositionalSpec spec, ParameterScope scope) {
        return REGISTRY.positional(id).create(spec, REGISTRY.params(ComponentKind.POSITIONAL_ENCODING, id, raw), scope);
    }

    @Test void everyEncodingIsDiscovered() {
        assertEquals(List.of("alibi", "learned", "none", "rope", "sinusoidal"), REGISTRY.ids(ComponentKind.POSITIONAL_ENCODING));
    }

    @Test void sinusoidalMatchesEveryConformanceTable() {
        for (ConformanceCase c : ConformanceCase.ofKind("sinusoidal")) {
            int length = c.params().path("length").asInt(), d = c.params().path("d").asInt();
            PositionalEncoding pe = create("sinusoidal", Map.of("base", c.params().path("base").asDouble()),
                    new PositionalSpec(d, 1, d, length), ParameterScope.root(0));
            // embedding zeros gives the table itself
            Tensor table = pe.embed(Tensor.zeros(1, length, d), 0).reshape(length, d);
            c.assertClose("pe", c.tensor("pe"), table);
        }
    }

    @Test void sinusoidalSmallTableHasTheSlideRows() {
        PositionalEncoding pe = create("sinusoidal", Map.of("base", 100), new PositionalSpec(4, 1, 4, 4), ParameterScope.root(0));
        float[] t = pe.embed(Tensor.zeros(1, 4, 4), 0).toArray();
        float[] rows = {0, 1, 0, 1, 0.84f, 0.54f, 0.10f, 1.0f, 0.91f, -0.42f, 0.20f, 0.98f, 0.14f, -0.99f, 0.30f, 0.96f};
        for (int i = 0; i < rows.length; i++) assertEquals(rows[i], t[i], 0.005, "element " + i);
    }

    @Test void sinusoidalHalvesLayoutPutsSinesFirst() {
        float[] t = SinusoidalProvider.table(3, 6, 10000, true);
        for (int k = 0; k < 3; k++) {
            for (int j = 0; j < 3; j++) {
                double angle = k / Math.pow(10000, 2.0 * j / 6);
                assertEquals(Math.sin(angle), t[k * 6 + j], 1e-6);
                assertEquals(Math.cos(angle), t[k * 6 + 3 + j], 1e-6);
            }
        }
    }

    @Test void embedHonoursTheOffset() {
        PositionalEncoding pe = create("sinusoidal", Map.of(), new PositionalSpec(8, 2, 4, 16), ParameterScope.root(0));
        Tensor all = pe.embed(Tensor.zeros(1, 10, 8), 0);
        Tensor tail = pe.embed(Tensor.zeros(1, 3, 8), 7);
        assertArrayEquals(all.slice(1, 7, 10).toArray(), tail.toArray());
        String msg = assertThrows(IllegalArgumentException.class, () -> pe.embed(Tensor.zeros(1, 3, 8), 14)).getMessage();
        assertTrue(msg.contains("positions 14..16 exceed max_positions 16"), msg);
    }

    @Test void ropeMatchesHuggingFaceLlama() {
        for (ConformanceCase c : ConformanceCase.ofKind("rope")) {
            int dh = c.params().path("head_dim").asInt();
            Tensor q = c.tensor("q"), k = c.tensor("k");
            int heads = q.size(1);
            PositionalEncoding rope = create("rope", Map.of("theta", c.params().path("theta").asDouble()),
                    new PositionalSpec(heads * dh, heads, dh, 64), ParameterScope.root(0));
            int start = (int) c.tensor("positions").get(0);
            int offset = (int) c.tensor("positions_offset").get(0);
            c.assertClose("q_rot", c.tensor("q_rot"), rope.rotate(q, start));
            c.assertClose("k_rot", c.tensor("k_rot"), rope.rotate(k, start));
            c.assertClose("q_rot_offset", c.tensor("q_rot_offset"), rope.rotate(q, offset));
            c.assertClose("k_rot_offset", c.tensor("k_rot_offset"), rope.rotate(k, offset));
        }
    }

    @Test void ropeRotationGradientMatchesFiniteDifferences() {
        PositionalEncoding rope = create("rope", Map.of(), new PositionalSpec(8, 2, 4, 16), ParameterScope.root(0));
        Tensor x = Tensor.randn(new SplittableRandom(3), 1f, 1, 2, 3, 4).requiresGrad(true);
        Tensor w = Tensor.randn(new SplittableRandom(4), 1f, 1, 2, 3, 4);
        GradCheck.check("rope", () -> rope.rotate(x, 5).mul(w).sum(), Map.of("x", x), 2e-3, 2e-2);
    }

    /**
     * The fused rotation gives the same bits as its definition written in engine ops, forward and backward, on a
     * strided view (queries arrive as a transposed [B, L, H, Dh] projection) at a cache offset.
     */
    @Test void ropeIsBitIdenticalToItsDefinitionOnStridedViews() {
        int dh = 8, half = 4;
        PositionalEncoding rope = create("rope", Map.of(), new PositionalSpec(2 * dh, 2, dh, 16), ParameterScope.root(0));
        Tensor base = Tensor.randn(new SplittableRandom(5), 1f, 2, 5, 3, dh);
        Tensor g = Tensor.randn(new SplittableRandom(6), 1f, 2, 3, 5, dh);
        Tensor x1 = Tensor.of(base.toArray(), 2, 5, 3, dh).requiresGrad(true), x2 = Tensor.of(base.toArray(), 2, 5, 3, dh).requiresGrad(true);
        Tensor fused = rope.rotate(x1.transpose(1, 2), 7);
        float[][] t = RopeProvider.tables(16, dh, 10000.0);
        Tensor c = Tensor.of(t[0], 16, dh).slice(0, 7, 12), s = Tensor.of(t[1], 16, dh).slice(0, 7, 12);
        Tensor q = x2.transpose(1, 2);
        Tensor composed = q.mul(c).add(Tensor.concat(List.of(q.slice(3, half, dh).neg(), q.slice(3, 0, half)), 3).mul(s));
        assertArrayEquals(composed.contiguous().toArray(), fused.contiguous().toArray());
        fused.mul(g).sum().backward();
        composed.mul(g).sum().backward();
        assertArrayEquals(x2.grad().toArray(), x1.grad().toArray());
    }

    @Test void alibiSlopesFollowThePaper() {
        double[] eight = AlibiProvider.slopes(8);
        for (int h = 0; h < 8; h++) assertEquals(Math.pow(2, -(h + 1)), eight[h], 1e-12);
        // 12 heads: the 8 slopes of 8 heads, then every other slope of 16 heads: 2^-0.5, 2^-1.5, 2^-2.5, 2^-3.5
        double[] twelve = AlibiProvider.slopes(12);
        for (int h = 0; h < 8; h++) assertEquals(eight[h], twelve[h], 1e-12);
        for (int i = 0; i < 4; i++) assertEquals(Math.pow(2, -(0.5 + i)), twelve[8 + i], 1e-12);
        assertArrayEquals(new double[] {Math.pow(2, -8)}, AlibiProvider.slopes(1), 1e-12);
    }

    @Test void alibiBiasIsMinusSlopeTimesDistance() {
        PositionalEncoding alibi = create("alibi", Map.of(), new PositionalSpec(8, 2, 4, 32), ParameterScope.root(0));
        Tensor bias = alibi.scoreBias(2, 3, 5);
        assertArrayEquals(new int[] {2, 2, 5}, bias.shape());
        double m1 = Math.pow(2, -8.0 / 2 * 2);
        assertEquals(-m1 * 3, bias.get(1, 0, 0), 1e-6); // query position 3, key 0
        assertEquals(0f, bias.get(1, 1, 4), 1e-6);      // query position 4, key 4
        Tensor full = alibi.scoreBias(5, 0, 5);
        assertArrayEquals(full.slice(1, 3, 5).toArray(), bias.toArray());
    }

    @Test void noneLeavesEverythingAlone() {
        PositionalEncoding none = create("none", Map.of(), new PositionalSpec(8, 2, 4, 32), ParameterScope.root(0));
        Tensor x = Tensor.ones(1, 2, 8);
        assertSame(x, none.embed(x, 0));
        assertNull(none.scoreBias(2, 0, 2));
    }

    @Test void learnedTableIsAParameterAndTrains() {
        ParameterScope scope = ParameterScope.root(7);
        PositionalEncoding learned = create("learned", Map.of(), new PositionalSpec(4, 1, 4, 6), scope.child("embed_positions"));
        Tensor weight = scope.parameters().get("embed_positions.weight");
        assertArrayEquals(new int[] {6, 4}, weight.shape());
        Tensor tokens = Tensor.randn(new SplittableRandom(1), 1f, 2, 3, 4).requiresGrad(true);
        Tensor w = Tensor.randn(new SplittableRandom(2), 1f, 2, 3, 4);
        GradCheck.check("learned", () -> learned.embed(tokens, 2).mul(w).sum(), Map.of("weight", weight, "tokens", tokens), 2e-3, 2e-2);
        weight.zeroGrad();
        learned.embed(tokens, 2).mul(w).sum().backward();
        float[] g = weight.grad().toArray();
        for (int i = 0; i < 8; i++) assertEquals(0f, g[i], "positions 0 and 1 were not used");
    }

    @Test void outOfRangeParametersAreRefused() {
        String msg = assertThrows(IllegalArgumentException.class,
                () -> REGISTRY.params(ComponentKind.POSITIONAL_ENCODING, "rope", Map.of("theta", 0))).getMessage();
        assertEquals("positional encoding \"rope\": parameter \"theta\" must be in (1, inf), got 0", msg);
    }
}
