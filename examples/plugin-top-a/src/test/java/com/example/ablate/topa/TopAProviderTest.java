package com.example.ablate.topa;

import org.ablate.platform.ParamValidation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.SplittableRandom;
import org.ablate.api.Params;
import org.ablate.api.SamplingContext;
import org.ablate.tensor.Tensor;
import org.junit.jupiter.api.Test;

class TopAProviderTest {
    private final TopAProvider provider = new TopAProvider();

    @Test
    void keepsTokensAboveTheAdaptiveThreshold() {
        // probabilities 0.5, 0.3, 0.15, 0.05; a = 0.5 -> threshold 0.125: the last token goes.
        float[] logits = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.15), (float) Math.log(0.05)};
        Params p = ParamValidation.validate("top-a", provider.parameters(), Map.of("a", 0.5));
        float[] out = provider.create(p).process(Tensor.of(logits, 1, 4), new SamplingContext(new int[][] {{}}, new SplittableRandom(1))).toArray();
        assertEquals(logits[0], out[0]);
        assertEquals(logits[2], out[2]);
        assertEquals(Float.NEGATIVE_INFINITY, out[3]);
    }

    @Test
    void refusesOutOfRangeStrength() {
        var e = assertThrows(IllegalArgumentException.class, () -> ParamValidation.validate("sampler \"top-a\"", provider.parameters(), Map.of("a", 0)));
        assertEquals("sampler \"top-a\": parameter \"a\" must be in (0, 1], got 0", e.getMessage());
    }
}
