package org.ablate.samplers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.ablate.api.ComponentKind;
import org.ablate.api.Sampler;
import org.ablate.api.SamplingContext;
import org.ablate.platform.ComponentRegistry;
import org.ablate.tensor.Tensor;
import org.junit.jupiter.api.Test;

class SamplerBehaviourTest {
    private static final ComponentRegistry REGISTRY = ComponentRegistry.discover();

    private static Sampler sampler(String id, Map<String, ?> raw) { return SamplerConformanceTest.sampler(id, raw); }

    private static String refusal(String id, Map<String, ?> raw) {
        return assertThrows(IllegalArgumentException.class, () -> REGISTRY.params(ComponentKind.SAMPLER, id, raw)).getMessage();
    }

    @Test void everySamplerIsDiscovered() {
        assertEquals(List.of("beam-search", "greedy", "min-p", "repetition-penalty", "sample", "temperature", "top-k", "top-p"),
                REGISTRY.ids(ComponentKind.SAMPLER));
    }

    @Test void invalidParametersAreRefusedNamingParameterAndRange() {
        assertEquals("sampler \"temperature\": parameter \"value\" must be in (0, inf), got 0", refusal("temperature", Map.of("value", 0)));
        assertEquals("sampler \"temperature\": parameter \"value\" must be in (0, inf), got -0.5", refusal("temperature", Map.of("value", -0.5)));
        assertEquals("sampler \"top-p\": parameter \"p\" must be in (0, 1], got 0", refusal("top-p", Map.of("p", 0)));
        assertEquals("sampler \"top-p\": parameter \"p\" must be in (0, 1], got 1.5", refusal("top-p", Map.of("p", 1.5)));
        assertEquals("sampler \"top-k\": parameter \"k\" must be in [1, inf), got 0", refusal("top-k", Map.of("k", 0)));
        assertEquals("sampler \"beam-search\": parameter \"beams\" must be in [1, inf), got 0", refusal("beam-search", Map.of("beams", 0)));
        assertEquals("sampler \"min-p\": parameter \"p\" must be in [0, 1], got 2", refusal("min-p", Map.of("p", 2)));
        assertTrue(refusal("top-k", Map.of("k", 2.5)).contains("\"k\" must be an integer"));
    }

    @Test void greedyTiesGoToLowestIndex() {
        Tensor logits = Tensor.of(new float[] {1, 3, 3, 2, Float.NEGATIVE_INFINITY, 0, 0, -1}, 2, 4);
        assertArrayEquals(new int[] {1, 1}, sampler("greedy", Map.of()).pick(logits, new SamplingContext(new int[2][0], new SplittableRandom(0))));
    }

    @Test void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOnce() {
        Tensor logits = Tensor.of(new float[] {2f, -2f, 1f, 0f}, 1, 4);
        SamplingContext ctx = new SamplingContext(new int[][] {{0, 1, 0, 3}}, new SplittableRandom(0));
        Tensor out = sampler("repetition-penalty", Map.of("penalty", 2.0)).process(logits, ctx);
        assertArrayEquals(new float[] {1f, -4f, 1f, 0f}, out.toArray());
    }

    @Test void topPAlwaysKeepsTheMostLikelyToken() {
        Tensor logits = Tensor.of(new float[] {0f, 10f, 0f}, 1, 3);
        float[] out = sampler("top-p", Map.of("p", 0.01)).process(logits, new SamplingContext(new int[1][0], null)).toArray();
        assertEquals(10f, out[1]);
        assertEquals(Float.NEGATIVE_INFINITY, out[0]);
        assertEquals(Float.NEGATIVE_INFINITY, out[2]);
    }

    @Test void samplingWithoutAGeneratorIsRefused() {
        Tensor logits = Tensor.of(new float[] {0f, 1f}, 1, 2);
        String msg = assertThrows(IllegalArgumentException.class,
                () -> sampler("sample", Map.of()).pick(logits, new SamplingContext(new int[1][0], null))).getMessage();
        assertEquals("sample: the sampling context has no random generator; give the generation a seed", msg);
    }

    @Test void seededSamplingIsReproducible() {
        Tensor logits = Tensor.of(new float[] {0.1f, 0.5f, -0.3f, 1.2f, 0.0f, 0.7f, 0.2f, -1f}, 2, 4);
        Sampler sample = sampler("sample", Map.of());
        int[][] first = new int[50][], second = new int[50][];
        SamplingContext a = new SamplingContext(new int[2][0], new SplittableRandom(42));
        SamplingContext b = new SamplingContext(new int[2][0], new SplittableRandom(42));
        for (int i = 0; i < 50; i++) first[i] = sample.pick(logits, a);
        for (int i = 0; i < 50; i++) second[i] = sample.pick(logits, b);
        for (int i = 0; i < 50; i++) assertArrayEquals(first[i], second[i]);
        boolean varied = false;
        for (int i = 1; i < 50; i++) varied |= first[i][0] != first[0][0];
        assertTrue(varied, "50 draws from a spread-out distribution all gave the same token");
    }

    /**
     * Draws many tokens through each filtering chain on a fixed seed and compares the counts with the filtered
     * distribution by Pearson's chi-square; the bound is the 0.999 quantile for the degrees of freedom.
     */
    @Test void drawFrequenciesMatchTheFilteredDistribution() {
        float[] row = {1.0f, 0.2f, -0.5f, 2.0f, 0.7f, -1.5f, 0.0f, 1.4f};
        Tensor logits = Tensor.of(row, 1, row.length);
        Map<String, List<Sampler>> chains = Map.of(
                "temperature 0.7", List.of(sampler("temperature", Map.of("value", 0.7))),
                "top-k 3", List.of(sampler("top-k", Map.of("k", 3))),
                "top-p 0.8", List.of(sampler("top-p", Map.of("p", 0.8))),
                "temperature 1.5 -> top-p 0.9", List.of(sampler("temperature", Map.of("value", 1.5)), sampler("top-p", Map.of("p", 0.9))));
        Sampler sample = sampler("sample", Map.of());
        for (var chain : chains.entrySet()) {
            SamplingContext ctx = new SamplingContext(new int[1][0], new SplittableRandom(20261123L));
            Tensor processed = logits;
            for (Sampler s : chain.getValue()) processed = s.process(processed, ctx);
            double[] p = Rows.softmax(processed.toArray());
            int n = 20000;
            int[] counts = new int[row.length];
            for (int i = 0; i < n; i++) counts[sample.pick(processed, ctx)[0]]++;
            double chi2 = 0;
            int kept = 0;
            for (int j = 0; j < row.length; j++) {
                if (p[j] == 0) {
                    assertEquals(0, counts[j], chain.getKey() + ": filtered token " + j + " was drawn");
                    continue;
                }
                kept++;
                double expected = n * p[j];
                chi2 += (counts[j] - expected) * (counts[j] - expected) / expected;
            }
            double[] q999 = {0, 10.83, 13.82, 16.27, 18.47, 20.52, 22.46, 24.32};
            assertTrue(kept >= 2, chain.getKey() + ": the test needs at least two kept tokens");
            assertTrue(chi2 < q999[kept - 1], chain.getKey() + ": chi-square " + chi2 + " with " + (kept - 1)
                    + " degrees of freedom exceeds " + q999[kept - 1]);
        }
    }
}
