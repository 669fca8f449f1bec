package org.ablate.samplers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Map;
import java.util.SplittableRandom;
import org.ablate.api.ComponentKind;
import org.ablate.api.Sampler;
import org.ablate.api.SamplingContext;
import org.ablate.platform.ComponentRegistry;
import org.ablate.api.testing.ConformanceCase;
import org.ablate.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Every {@code sampler} case: the distributions after each processor, and greedy picks, against transformers. */
class SamplerConformanceTest {
    private static final ComponentRegistry REGISTRY = ComponentRegistry.discover();

    static Sampler sampler(String id, Map<String, ?> raw) {
        return REGISTRY.sampler(id).create(REGISTRY.params(ComponentKind.SAMPLER, id, raw));
    }

    static Tensor probs(Tensor logits) {
        float[][] rows = Rows.read("test", logits);
        float[][] out = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            double[] p = Rows.softmax(rows[i]);
            out[i] = new float[p.length];
            for (int j = 0; j < p.length; j++) out[i][j] = (float) p[j];
        }
        return Rows.write(out);
    }

    @Test void matchesTransformersLogitsProcessors() {
        for (ConformanceCase c : ConformanceCase.ofKind("sampler")) {
            Tensor logits = c.tensor("logits");
            SamplingContext ctx = new SamplingContext(new int[logits.size(0)][0], new SplittableRandom(1));
            var p = c.params();

            int[] expectedGreedy = c.ints("greedy").data();
            assertArrayEquals(expectedGreedy, sampler("greedy", Map.of()).pick(logits, ctx), c.name() + " greedy");

            c.assertClose("temperature", c.tensor("probs_temperature"),
                    probs(sampler("temperature", Map.of("value", p.path("temperature").asDouble())).process(logits, ctx)));
            c.assertClose("top-k", c.tensor("probs_top_k"),
                    probs(sampler("top-k", Map.of("k", p.path("top_k").asInt())).process(logits, ctx)));
            c.assertClose("min-p", c.tensor("probs_min_p"),
                    probs(sampler("min-p", Map.of("p", p.path("min_p").asDouble())).process(logits, ctx)));
            for (var topP : p.path("top_p")) {
                String name = "probs_top_p_" + topP.asText();
                c.assertClose("top-p " + topP.asText(), c.tensor(name),
                        probs(sampler("top-p", Map.of("p", topP.asDouble())).process(logits, ctx)));
            }
        }
    }
}
